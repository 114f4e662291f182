"""The same services on PostgreSQL, each test in a schema of its own (fixtures: ``tests.postgres``)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from badgebridge.core.model import ObjectKind
from badgebridge.core.services import awards, catalog, connections, learners
from badgebridge.core.services import learning_objects as objects
from badgebridge.core.services.sender import AwardSender

pytestmark = pytest.mark.postgres


def test_claims_never_overlap_and_every_award_is_sent_once(pg, host, fake):
    assert pg.engine.dialect.name == "postgresql"
    connections.add(pg, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(pg, host, "c1")
    badge_id = catalog.list_badges(pg)[0].id
    for i in range(60):
        learners.add(pg, f"l{i}@example.org", "L", f"{i}")
        awards.grant(pg, badge_id, f"l{i}@example.org")
    claimed: list[list[int]] = []
    lock = threading.Lock()

    def claim_all(sender):
        for _ in range(60):  # 60 awards: a sender that keeps claiming past that is broken
            batch = sender.claim(7)
            if not batch:
                return
            with lock:
                claimed.append([c.award_id for c in batch])
            for claim in batch:
                sender.send(claim)

    senders = [AwardSender(pg, host, lease=timedelta(minutes=5)) for _ in range(4)]
    threads = [threading.Thread(target=claim_all, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flat = [award_id for batch in claimed for award_id in batch]
    assert sorted(flat) == sorted(set(flat)), "no award was claimed twice"
    assert len(flat) == 60
    assert {a.state for a in awards.list_awards(pg)} == {"issued"}
    assert fake.issue_calls == 60


def test_completions_and_backfill_on_postgresql(pg, host, fake):
    connections.add(pg, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(pg, host, "c1")
    badge_id = catalog.list_badges(pg)[0].id
    learners.add(pg, "ada@example.org", "Ada", "Lovelace")
    objects.add(pg, ObjectKind.COURSE, "C1", "Course")
    assert objects.complete(pg, "ada@example.org", ObjectKind.COURSE, "C1") == []
    assert objects.complete(pg, "ada@example.org", ObjectKind.COURSE, "C1") is None
    changed, new = objects.assign_badge(pg, ObjectKind.COURSE, "C1", badge_id)
    assert changed and len(new) == 1
    assert objects.assign_badge(pg, ObjectKind.COURSE, "C1", badge_id) == (False, [])


def test_counting_the_states_of_many_awards_stays_under_the_parameter_limit(pg, host, fake):
    """A large migration creates more awards than one statement may bind (65,535 on PostgreSQL)."""
    connections.add(pg, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(pg, host, "c1")
    learners.add(pg, "ada@example.org", "Ada", "Lovelace")
    award, _ = awards.grant(pg, catalog.list_badges(pg)[0].id, "ada@example.org")
    assert awards.count_states(pg, [award.id, *range(award.id + 1, award.id + 70_000)]) == {"queued": 1}


def test_a_claim_skips_an_award_another_transaction_holds_instead_of_waiting(pg, pg_url, host, fake):
    """SKIP LOCKED: while a transaction holds one award's row, a claim takes the others at once.
    Whether the claim waits is read from pg_locks (a lock request on the holder's transaction), not
    from a clock."""
    connections.add(pg, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(pg, host, "c1")
    badge_id = catalog.list_badges(pg)[0].id
    ids = []
    for i in range(3):
        learners.add(pg, f"l{i}@example.org", "L", f"{i}")
        ids.append(awards.grant(pg, badge_id, f"l{i}@example.org")[0].id)
    engine = create_engine(pg_url)
    holder, watcher = engine.connect(), engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    claimed: list[int] = []
    waited = False
    try:
        with holder.begin():
            holder.execute(text("SELECT id FROM awards WHERE id = :id FOR UPDATE"), {"id": ids[0]})
            xid = holder.execute(text("SELECT pg_current_xact_id()::text")).scalar_one()
            claim = threading.Thread(
                target=lambda: claimed.extend(c.award_id for c in AwardSender(pg, host).claim(10))
            )
            claim.start()
            for _ in range(2000):  # a bound on a hung claim; each round asks whether it waits
                claim.join(0.05)
                waited = bool(
                    watcher.execute(
                        text(
                            "SELECT count(*) FROM pg_locks WHERE NOT granted "
                            "AND locktype = 'transactionid' AND transactionid::text = :xid"
                        ),
                        {"xid": xid},
                    ).scalar_one()
                )
                if waited or not claim.is_alive():
                    break
        claim.join()
    finally:
        holder.close()
        watcher.close()
        engine.dispose()
    assert not waited, "the claim waited for the held row instead of skipping it"
    assert sorted(claimed) == ids[1:]
