"""The outbox: claims, fenced finalising, stored retries, lookups before a resend."""

from __future__ import annotations

import itertools
import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import ProviderRefused, ProviderUnavailable
from badgebridge.core.model import AwardState
from badgebridge.core.services import awards, catalog, connections, learners, worker
from badgebridge.core.services.sender import AwardSender, RetryPolicy
from badgebridge.core.storage.schema import awards as awards_table


@pytest.fixture
def award_id(db, host):
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(db, host, "c1")
    learners.add(db, "ada@example.org", "Ada", "Lovelace")
    award, _ = awards.grant(db, catalog.list_badges(db)[0].id, "ada@example.org")
    return award.id


@pytest.fixture
def sender(db, host):
    return AwardSender(db, host, rng=random.Random(7))


def test_send_issues_and_records_the_provider_badge(db, sender, fake, award_id):
    (outcome,) = sender.send_awards([award_id])
    assert outcome.state == AwardState.ISSUED
    award = awards.get(db, award_id)
    assert (award.state, award.provider_badge_id, award.provider_state, award.linked) == (
        "issued",
        "b1",
        "pending",
        False,
    )
    assert award.attempts == 1
    assert sender.send_awards([award_id]) == [], "an issued award is not claimed again"
    assert fake.issue_calls == 1


def test_duplicate_on_the_provider_is_linked_not_failed(db, sender, fake, award_id):
    fake.issued[("t1", "ada@example.org")] = fake.issued.get(("t1", "ada@example.org")) or _badge("b9")
    fake.issued[("t2", "ada@example.org")] = _badge("b9")
    (outcome,) = sender.send_awards([award_id])
    award = awards.get(db, award_id)
    assert (award.state, award.provider_badge_id, award.linked) == ("issued", "b9", True)
    assert "already held" in outcome.message


def test_transient_failure_is_stored_for_a_later_retry(db, sender, fake, award_id, manual_clock):
    fake.failures.append(ProviderUnavailable("Fake is down", status=503))
    (outcome,) = sender.send_awards([award_id])
    award = awards.get(db, award_id)
    assert (award.state, award.error, award.attempts) == ("queued", "Fake is down", 1)
    first_ceiling = timedelta(seconds=2 * RetryPolicy().base_seconds)
    assert manual_clock.now < award.next_attempt_at <= manual_clock.now + first_ceiling
    assert outcome.retry_at == award.next_attempt_at
    assert worker.run(sender, once=True) == {}, "a stored retry is not due before its time"
    manual_clock.now = award.next_attempt_at
    assert worker.run(sender, once=True) == {"issued": 1}


def test_rate_limit_waits_retry_after_plus_a_little_jitter_and_uses_no_attempt(
    db, sender, fake, award_id, manual_clock
):
    fake.failures.append(ProviderUnavailable("slow down", status=429, retry_after=30))
    sender.send_awards([award_id])
    award = awards.get(db, award_id)
    assert award.attempts == 0
    waited = award.next_attempt_at - manual_clock.now
    assert timedelta(seconds=30) <= waited <= timedelta(seconds=30 * 1.2), (
        "Retry-After, jittered by 20% at most"
    )


def test_a_5xx_answer_to_an_issue_is_retried_on_the_backoff_not_after_a_minute(
    db, sender, fake, award_id, manual_clock
):
    """The provider answered (a status), so nothing is still in flight: no minute's wait."""
    fake.failures.append(ProviderUnavailable("Fake failed", status=503, maybe_sent=True))
    sender.send_awards([award_id])
    award = awards.get(db, award_id)
    assert award.next_attempt_at - manual_clock.now <= timedelta(seconds=2 * RetryPolicy().base_seconds)


def test_refusal_fails_with_the_providers_message_and_retry_requeues(db, sender, fake, award_id):
    fake.failures.append(ProviderRefused("template archived", status=422))
    sender.send_awards([award_id])
    award = awards.get(db, award_id)
    assert (award.state, award.error) == ("failed", "template archived")
    assert awards.requeue(db, [award_id]) == [award_id]
    (outcome,) = sender.send_awards([award_id])
    assert outcome.state == "issued"


def test_retries_run_out(db, host, fake, award_id):
    sender = AwardSender(db, host, policy=RetryPolicy(max_attempts=2, base_seconds=0), rng=random.Random(1))
    for _ in range(2):
        fake.failures.append(ProviderUnavailable("down", status=503))
        _make_due(db, award_id)
        sender.send_awards([award_id])
    award = awards.get(db, award_id)
    assert award.state == "failed"
    assert "gave up after 2 attempts" in award.error


def test_maybe_sent_attempt_is_looked_up_before_sending_again(db, sender, fake, award_id):
    fake.create_despite_failure = True
    fake.failures.append(ProviderUnavailable("read timeout", maybe_sent=True))
    sender.send_awards([award_id])
    assert awards.get(db, award_id).state == "queued"
    _make_due(db, award_id)
    fake.create_despite_failure = False
    (outcome,) = sender.send_awards([award_id])
    assert outcome.state == "issued"
    assert fake.issue_calls == 1, "the badge was found, not sent twice"
    assert awards.get(db, award_id).linked is True


def test_expired_lease_is_taken_over_and_the_old_claim_changes_nothing(db, host, fake, award_id):
    first = AwardSender(db, host, lease=timedelta(seconds=-1))  # a lease that is already over
    (stale,) = first.claim(1)
    second = AwardSender(db, host)
    (fresh,) = second.claim(1)
    assert fresh.award_id == stale.award_id
    assert fresh.maybe_sent is True, "a takeover assumes the first sender may have sent"
    assert second.send(fresh).state == "issued"
    assert first.send(stale).state == "superseded"
    assert fake.issue_calls == 1
    assert awards.get(db, award_id).state == "issued"


def test_worker_once_sends_what_is_due_and_stops(db, host, fake, award_id):
    learners.add(db, "bob@example.org", "Bob", "Builder")
    awards.grant(db, catalog.list_badges(db)[1].id, "bob@example.org")
    fake.failures.append(ProviderUnavailable("down", status=503))
    counts = worker.run(AwardSender(db, host, rng=random.Random(3)), concurrency=2, once=True)
    assert counts == {"issued": 1, "queued": 1}
    assert sorted(a.state for a in awards.list_awards(db)) == ["issued", "queued"]


def test_revoke_goes_to_the_provider(db, host, sender, fake, award_id):
    sender.send_awards([award_id])
    award, how = awards.revoke(db, host, award_id, "issued by mistake")
    assert how == "revoked"
    assert (award.state, award.provider_state, award.revoke_reason) == (
        "revoked",
        "revoked",
        "issued by mistake",
    )
    assert awards.revoke(db, host, award_id, "again")[1] == "already"


def _badge(badge_id):
    from badgebridge.core.model import IssuedBadge

    return IssuedBadge(badge_id, "accepted", None)


def _make_due(db, award_id):
    with db.begin() as conn:
        conn.execute(
            update(awards_table).where(awards_table.c.id == award_id).values(next_attempt_at=utcnow())
        )


def test_many_awards_are_claimed_a_few_per_sender_at_a_time(db, host, fake, award_id):
    from badgebridge.core.services.sender import CLAIMS_PER_SENDER

    badge_id = catalog.list_badges(db)[0].id
    ids = [award_id]
    for i in range(40):
        learners.add(db, f"l{i}@example.org", "L", str(i))
        ids.append(awards.grant(db, badge_id, f"l{i}@example.org")[0].id)
    seen: list[int] = []
    fake.on_issue = lambda: seen.append(awards.count_states(db, ids)["sending"])
    outcomes = AwardSender(db, host).send_awards(ids, concurrency=2)
    assert [o.state for o in outcomes] == ["issued"] * 41
    assert max(seen) <= 2 * CLAIMS_PER_SENDER, "no claim waits behind a long queue of others"


class PinnedJitter(random.Random):
    """Jitter pinned near one end of its range: ``uniform(a, b)`` gives ``b`` (high) or a point 1%
    above ``a`` (low: a zero wait would make the retry due again within the same frozen instant)."""

    def __init__(self, high: bool) -> None:
        super().__init__(0)
        self.high = high

    def uniform(self, a: float, b: float) -> float:
        return b if self.high else a + (b - a) / 100


def _retry_delays(db, host, fake, manual_clock, rng, failures: int) -> list[float]:
    """Fail the award ``failures`` times in a row; the seconds each stored retry waited."""
    policy = RetryPolicy(base_seconds=2, cap_seconds=20, max_attempts=failures + 1)
    sender = AwardSender(db, host, policy=policy, rng=rng)
    delays = []
    for _ in range(failures):
        fake.failures.append(ProviderUnavailable("down", status=503))
        assert worker.run(sender, once=True) == {"queued": 1}
        (award,) = awards.list_awards(db)
        delays.append((award.next_attempt_at - manual_clock.now).total_seconds())
        manual_clock.now = award.next_attempt_at  # due again: the next pass sends it
    return delays


def test_backoff_doubles_up_to_the_cap_and_is_jittered(db, host, fake, award_id, manual_clock):
    highest = _retry_delays(db, host, fake, manual_clock, PinnedJitter(high=True), 6)
    assert 2 <= highest[0] <= 4, "the first wait is about --retry-base"
    for before, after in itertools.pairwise(highest):
        assert after == min(20, 2 * before), highest
    assert highest[-1] == 20, "waits stop growing at the cap"

    awards.requeue(db, [award_id])
    lowest = _retry_delays(db, host, fake, manual_clock, PinnedJitter(high=False), 6)
    assert all(low < high for low, high in zip(lowest, highest, strict=True)), "the wait is jittered"

    awards.requeue(db, [award_id])
    seeded = _retry_delays(db, host, fake, manual_clock, random.Random(5), 6)
    assert all(lo <= d <= hi for lo, d, hi in zip(lowest, seeded, highest, strict=True)), seeded
    assert len(set(seeded)) == len(seeded), "random jitter gives different waits"


def test_a_stale_sender_finishing_while_a_new_claim_is_in_flight_changes_nothing(
    db, host, fake, award_id, manual_clock
):
    """Sender A stalls in its provider call past its lease and B takes the award over; A's call then
    fails while B's is still in flight. A must not touch the award: B's success is what stands."""
    lease = timedelta(minutes=3)
    stale, fresh = AwardSender(db, host, lease=lease), AwardSender(db, host, lease=lease)
    (claim_a,) = stale.claim(1)
    b_in_flight, a_done = threading.Event(), threading.Event()
    b_thread: list[threading.Thread] = []

    def provider_call():
        if not b_thread:  # A's call, in flight: its lease runs out and B takes the award over
            manual_clock.advance(minutes=4)
            (claim_b,) = fresh.claim(1)
            b_thread.append(threading.Thread(target=fresh.send, args=(claim_b,)))
            b_thread[0].start()
            assert b_in_flight.wait(30)
            fake.failures.append(ProviderUnavailable("gateway timeout", status=504))  # A's answer
        else:  # B's call stays in flight until A has finished
            b_in_flight.set()
            a_done.wait(30)

    fake.on_issue = provider_call
    stale.send(claim_a)
    a_done.set()
    b_thread[0].join(30)
    award = awards.get(db, award_id)
    held = fake.find_badge(None, claim_a.request)
    assert (award.state, award.error) == ("issued", None), "the stale sender's failure was not recorded"
    assert award.provider_badge_id == held.provider_badge_id


def test_a_claim_running_short_is_renewed_so_no_one_takes_it_over_mid_send(
    db, host, fake, award_id, manual_clock
):
    lease = timedelta(minutes=3)
    sender, other = AwardSender(db, host, lease=lease), AwardSender(db, host, lease=lease)
    (claim,) = sender.claim(1)
    manual_clock.advance(minutes=2)  # one minute left: less than half the lease
    taken_over: list = []

    def provider_call():
        manual_clock.advance(minutes=2)  # past the first lease, within the renewed one
        taken_over.extend(other.claim(1))

    fake.on_issue = provider_call
    assert sender.send(claim).state == "issued"
    assert taken_over == [], "the renewed lease kept the award ours while the provider answered"
    assert awards.get(db, award_id).state == "issued"
