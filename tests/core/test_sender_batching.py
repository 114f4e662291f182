"""What makes the sender cheap keeps it exactly-once: the claim as the fence, batched renewals,
group-committed finalising, claims taken ahead and given back on stop."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from badgebridge.core.model import AwardState
from badgebridge.core.services import awards, catalog, connections, history, learners, worker
from badgebridge.core.services.group_commit import GroupCommit
from badgebridge.core.services.sender import FENCE_SHARE, AwardSender
from tests.fake_clock import FakeClock

LEASE = timedelta(seconds=30)


@pytest.fixture
def award_ids(db, host):
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(db, host, "c1")
    badge_id = catalog.list_badges(db)[0].id
    ids = []
    for i in range(6):
        learners.add(db, f"l{i}@example.org", "L", str(i))
        ids.append(awards.grant(db, badge_id, f"l{i}@example.org")[0].id)
    return ids


@pytest.fixture
def clock(award_ids):
    return FakeClock()


@pytest.fixture
def statements(db):
    """Every UPDATE of ``awards`` run through the database, as SQL text."""
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE AWARDS"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


def _renewals(statements: list[str]) -> int:
    """Updates that only renew a lease (claims and finalising updates set the claim token)."""
    return sum("claim_token" not in s.split("WHERE")[0] for s in statements)


def test_a_request_right_after_the_claim_needs_no_fence_write(db, host, fake, clock, award_ids, statements):
    sender = AwardSender(db, host, lease=LEASE, clock=clock, rng=random.Random(1))
    (claim,) = sender.claim(1)
    statements.clear()
    assert sender.send(claim).state == "issued"
    assert _renewals(statements) == 0, "the claim's own write fenced the request"
    assert len(statements) == 1, "only the finalising update"


def test_a_request_later_than_the_fence_share_renews_the_claim_first(
    db, host, fake, clock, award_ids, statements
):
    sender = AwardSender(db, host, lease=LEASE, clock=clock, rng=random.Random(1))
    (claim,) = sender.claim(1)
    clock.advance(LEASE.total_seconds() * FENCE_SHARE + 0.01)
    statements.clear()
    assert sender.send(claim).state == "issued"
    assert _renewals(statements) == 1


def test_a_renewal_confirms_the_claims_until_the_next_fence_share(
    db, host, fake, clock, award_ids, statements
):
    sender = AwardSender(db, host, lease=LEASE, clock=clock, rng=random.Random(1))
    claims = sender.claim(3)
    sender.hold(claims)
    clock.advance(LEASE.total_seconds() * FENCE_SHARE + 0.01)
    statements.clear()
    assert sender.renew_leases() == 3
    assert len(statements) == 1, "one statement renews every held claim"
    statements.clear()
    assert [sender.send(claim).state for claim in claims] == ["issued"] * 3
    assert _renewals(statements) == 0, "the heartbeat's renewal fenced them"


def test_a_claim_taken_over_while_waiting_its_turn_is_not_sent(db, host, fake, clock, award_ids):
    zombie = AwardSender(db, host, lease=LEASE, clock=clock, rng=random.Random(1))
    other = AwardSender(db, host, lease=LEASE, clock=clock, rng=random.Random(2))
    claims = zombie.claim(6)
    zombie.hold(claims)
    clock.advance(LEASE.total_seconds() + 1)  # frozen in the queue past its lease
    taken = other.claim(2)
    assert zombie.renew_leases() == 0, "every lease lapsed"
    assert [zombie.send(claim).state for claim in claims] == ["superseded"] * 6
    assert fake.issue_calls == 0
    assert [other.send(claim).state for claim in taken] == ["issued"] * 2


def test_concurrent_finalising_shares_transactions_and_checks_each_award(db, host, fake, award_ids):
    sender = AwardSender(db, host, lease=timedelta(minutes=3))
    claims = sender.claim(6)
    with db.begin() as conn:  # one claim was taken over meanwhile (its token changed)
        conn.execute(
            text("UPDATE awards SET claim_token = 'other' WHERE id = :id"), {"id": claims[0].award_id}
        )
    sender.pacer.next_slot(claims[0].connection.id, None)  # the pacing row is read: no write per request
    commits: list[int] = []
    batches: list[int] = []
    write_batch = sender._writes._write_batch

    def counted(conn, records):
        batches.append(len(records))
        return write_batch(conn, records)

    sender._writes._write_batch = counted

    def commit(conn):  # the first commit waits for the other finalising writes to queue behind it
        for _ in range(1000):
            if commits or batches[0] + len(sender._writes._queue) >= 6:
                break
            threading.Event().wait(0.01)
        commits.append(1)

    event.listen(db.engine, "commit", commit)
    gate = threading.Barrier(6)
    fake.on_issue = lambda: gate.wait(timeout=10)  # all six finish their request together
    outcomes: dict[int, str] = {}
    threads = [
        threading.Thread(target=lambda c=c: outcomes.__setitem__(c.award_id, sender.send(c).state))
        for c in claims
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    event.remove(db.engine, "commit", commit)
    assert outcomes == {c.award_id: "issued" for c in claims[1:]} | {claims[0].award_id: "superseded"}
    assert [awards.get(db, c.award_id).state for c in claims[1:]] == ["issued"] * 5
    assert awards.get(db, claims[0].award_id).state == "sending", "the other sender's claim is untouched"
    assert len(commits) <= 2, f"{len(commits)} commits for six finalising writes (one superseded)"
    assert [a.outcome for a in history.attempts(db, claims[1].award_id)] == ["issued"]
    assert [a.outcome for a in history.attempts(db, claims[0].award_id)] == ["issued", "superseded"]


def test_a_failing_batch_raises_in_every_thread_of_it_and_commits_nothing(db, award_ids):
    writes = GroupCommit(db)
    started, release = threading.Event(), threading.Event()

    def slow(conn):  # holds the transaction while the others queue behind it
        started.set()
        release.wait(timeout=10)

    def bad(conn):
        conn.execute(text("UPDATE awards SET state = 'queued' WHERE id = :id"), {"id": award_ids[0]})
        raise RuntimeError("boom")

    def good(conn):
        conn.execute(text("UPDATE awards SET state = 'failed' WHERE id = :id"), {"id": award_ids[1]})
        return "written"

    errors: list[str] = []

    def run(write):
        try:
            writes.run(write)
        except RuntimeError as exc:
            errors.append(str(exc))

    first = threading.Thread(target=run, args=(slow,))
    first.start()
    started.wait(timeout=10)
    queued = [threading.Thread(target=run, args=(write,)) for write in (bad, good)]
    for thread in queued:
        thread.start()
    while len(writes._queue) < 2:  # both wait behind the first batch
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *queued]:
        thread.join()
    assert errors == ["boom", "boom"]
    assert awards.get(db, award_ids[1]).state == "queued", (
        "the good write of the failed batch was rolled back"
    )
    assert writes.run(good) == "written"


def test_a_stopped_worker_gives_back_the_claims_it_had_not_started(db, host, fake, award_ids):
    sender = AwardSender(db, host, lease=timedelta(minutes=3))
    stop = threading.Event()
    fake.on_issue = stop.set  # stop during the first send
    counts = worker.run(sender, concurrency=1, stop=stop, poll_seconds=0.05)
    assert counts == {AwardState.ISSUED: 1}
    states = awards.count_states(db, award_ids)
    assert (states["issued"], states["queued"], states.get("sending", 0)) == (1, 5, 0)
    assert {awards.get(db, award_id).attempts for award_id in award_ids} == {0, 1}, "no attempt spent"


def test_every_thread_gets_its_own_result_when_writes_queue_behind_batches(db, award_ids):
    writes = GroupCommit(db)
    release = threading.Event()
    started = threading.Event()
    results: dict[int, object] = {}

    def write(n):
        def run(conn):
            if n == 0:  # the first batch holds its transaction while the others queue
                started.set()
                release.wait(timeout=10)
            conn.execute(
                text("UPDATE awards SET attempts = attempts + 1 WHERE id = :id"), {"id": award_ids[0]}
            )
            return n

        return run

    def run(n):
        results[n] = writes.run(write(n))

    first = threading.Thread(target=run, args=(0,))
    first.start()
    started.wait(timeout=10)
    others = [threading.Thread(target=run, args=(n,)) for n in range(1, 12)]
    for thread in others:
        thread.start()
    while len(writes._queue) < 11:
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *others]:
        thread.join()
    assert results == {n: n for n in range(12)}
    assert awards.get(db, award_ids[0]).attempts == 12, "every write committed once"
    assert not writes._writing and not writes._queue


def test_in_background_a_writer_thread_commits_what_is_submitted_and_calls_back(db, award_ids):
    writes = GroupCommit(db)
    called: list[tuple[object, str | None, str]] = []
    all_called = threading.Event()

    def then(result, error):
        called.append((result, error and str(error), threading.current_thread().name))
        if len(called) == 3:
            all_called.set()

    def good(conn):
        conn.execute(text("UPDATE awards SET attempts = 7 WHERE id = :id"), {"id": award_ids[0]})
        return "written"

    def bad(conn):
        raise RuntimeError("boom")

    with writes.in_background():
        writes.submit(good, then)
        assert writes.run(good) == "written", "run waits for the writer thread's commit"
        writes.submit(bad, then)
        writes.submit(good, then)
        all_called.wait(timeout=10)
    results = sorted((result, error) for result, error, _ in called if error is None)
    assert results[0] == ("written", None)
    assert "boom" in [error for _, error, _ in called], "a failed batch calls back with its error"
    assert {name for _, _, name in called} == {"badgebridge-writer"}
    assert awards.get(db, award_ids[0]).attempts == 7
    finished: list[object] = []
    writes.submit(good, lambda result, error: finished.append(result))
    assert finished == ["written"], "without a writer thread, submit commits at once"


def test_the_writer_gathers_a_batch_and_a_waiting_run_commits_it_at_once(db, award_ids, monkeypatch):
    from badgebridge.core.services import group_commit

    monkeypatch.setattr(group_commit, "GATHER_SECONDS", 3600.0)  # only a full batch or a run ends it
    monkeypatch.setattr(group_commit, "GATHER_AT_LEAST", 3)
    batches: list[int] = []

    def write_batch(conn, writes):
        batches.append(len(writes))
        return [write(conn) for write in writes]

    writes = GroupCommit(db, write_batch=write_batch)
    committed: list[object] = []
    with writes.in_background():
        for _ in range(3):
            writes.submit(lambda conn: "gathered", lambda result, error: committed.append(result))
        writes.submit(lambda conn: "waiting", lambda result, error: committed.append(result))
        runner = threading.Thread(target=lambda: committed.append(writes.run(lambda conn: "run")))
        runner.start()
        runner.join(timeout=10)
        assert not runner.is_alive(), "a run does not wait for a batch to fill"
    assert batches[0] >= 3 and sum(batches) == 5, batches  # a full batch, then the rest with the run
    assert sorted(committed) == ["gathered"] * 3 + ["run", "waiting"]


def test_claims_held_in_two_batches_are_all_renewed(db, host, clock, award_ids):
    """The worker holds each batch it claims ahead: a later batch adds to those held, it does not
    stand in for them, or the first batch's leases would run out while they wait their turn."""
    sender = AwardSender(db, host, lease=LEASE, clock=clock, rng=random.Random(1))
    first, second = sender.claim(2), sender.claim(2)
    sender.hold(first)
    sender.hold(second)
    assert sender.renew_leases() == 4


def test_the_worker_counts_a_plugin_bug_as_an_error_and_goes_on_with_the_rest(db, host, fake, award_ids):
    calls = []

    def broken_once() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise KeyError("template_id")

    fake.on_issue = broken_once
    sender = AwardSender(db, host, rng=random.Random(1))
    assert worker.run(sender, concurrency=1, once=True) == {"error": 1, AwardState.ISSUED: 5}
    states = sorted(awards.get(db, award_id).state for award_id in award_ids)
    assert states == ["failed"] + ["issued"] * 5


def test_a_claim_takes_lapsed_leases_first_and_never_more_than_asked(db, host, clock, award_ids):
    stalled = AwardSender(db, host, lease=LEASE, clock=clock, rng=random.Random(1))
    lapsed = sorted(claim.award_id for claim in stalled.claim(2))
    clock.advance(LEASE.total_seconds() + 1)  # the stalled sender's leases run out
    taking_over = AwardSender(db, host, lease=LEASE, clock=clock, rng=random.Random(2))
    claimed = [claim.award_id for claim in taking_over.claim(3)]
    assert len(claimed) == 3
    assert sorted(claimed[:2]) == lapsed, "the lapsed leases come first, then one queued award"
    assert claimed[2] not in lapsed
