"""The claim fences the provider request itself; lookups and 429s spend no attempt; history."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from badgebridge.core.clock import as_utc
from badgebridge.core.errors import ProviderUnavailable
from badgebridge.core.services import awards, catalog, connections, history, learners
from badgebridge.core.services.sender import AwardSender, RetryPolicy
from badgebridge.core.storage.schema import awards as awards_table
from tests.fake_clock import FakeClock

LEASE = timedelta(seconds=30)


@pytest.fixture
def award_id(db, host):
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(db, host, "c1")
    learners.add(db, "ada@example.org", "Ada", "Lovelace")
    return awards.grant(db, catalog.list_badges(db)[0].id, "ada@example.org")[0].id


@pytest.fixture
def clock(award_id):
    return FakeClock()  # after the award was stored, so it is due


def sender_at(db, host, clock, **kwargs):
    return AwardSender(db, host, lease=LEASE, clock=clock, rng=random.Random(5), **kwargs)


def test_a_sender_frozen_past_its_lease_sends_nothing_once_another_took_over(db, host, fake, clock, award_id):
    zombie, other = sender_at(db, host, clock), sender_at(db, host, clock)
    (stale,) = zombie.claim(1)
    clock.advance(LEASE.total_seconds() + 1)  # the zombie is frozen past its lease
    (fresh,) = other.claim(1)
    assert fresh.maybe_sent, "the takeover looks the badge up first"
    assert other.send(fresh).state == "issued"
    assert zombie.send(stale).state == "superseded"
    assert fake.issue_calls == 1, "the zombie's request was never made"
    outcomes = [(a.action, a.outcome) for a in history.attempts(db, award_id)]
    assert outcomes == [("lookup", "not_found"), ("issue", "issued"), ("send", "superseded")]


def test_a_lapsed_lease_nobody_took_over_is_not_used_to_send(db, host, fake, clock, award_id):
    sender = sender_at(db, host, clock)
    (claim,) = sender.claim(1)
    clock.advance(LEASE.total_seconds() + 1)
    assert sender.send(claim).state == "superseded"
    assert fake.issue_calls == 0
    (again,) = sender.claim(1)
    assert again.maybe_sent and sender.send(again).state == "issued"


def test_the_heartbeat_keeps_a_slow_send_its_claim(db, host, fake, clock, award_id):
    sender, other = sender_at(db, host, clock), sender_at(db, host, clock)
    (claim,) = sender.claim(1)

    def slow_provider():  # the request takes two leases; the heartbeat beats meanwhile
        for _ in range(6):
            clock.advance(LEASE.total_seconds() / 3)
            assert sender.renew_leases() == 1
            assert other.claim(1) == [], "a live sender's claim is never taken over"

    fake.on_issue = slow_provider
    assert sender.send(claim).state == "issued"


def test_renewal_that_finds_the_claim_taken_over_stops_the_sender_before_its_next_request(
    db, host, fake, clock, award_id
):
    zombie, other = sender_at(db, host, clock), sender_at(db, host, clock)
    with db.begin() as conn:  # a send that may have gone through: the next one looks up first
        conn.execute(update(awards_table).values(maybe_sent=True))
    (stale,) = zombie.claim(1)
    zombie._held[stale.award_id] = stale
    clock.advance(LEASE.total_seconds() + 1)
    (fresh,) = other.claim(1)
    assert zombie.renew_leases() == 0
    assert zombie.send(stale).state == "superseded"
    assert (fake.lookups, fake.issue_calls) == (0, 0)
    assert other.send(fresh).state == "issued"


def test_a_failed_lookup_spends_no_attempt_and_keeps_may_have_been_sent(db, host, fake, clock, award_id):
    sender = sender_at(db, host, clock)
    fake.create_despite_failure = True
    fake.failures.append(ProviderUnavailable("Fake failed", status=503, maybe_sent=True))
    sender.send_awards([award_id])
    award = awards.get(db, award_id)
    assert (award.state, award.attempts) == ("queued", 1)
    fake.create_despite_failure = False
    fake.lookup_failures.append(ProviderUnavailable("Fake failed", status=503))
    clock.advance(3600)
    (claim,) = sender.claim(1)
    assert sender.send(claim).state == "queued"
    assert awards.get(db, award_id).attempts == 1, "the lookup's failure cost no attempt"
    clock.advance(3600)
    (claim,) = sender.claim(1)
    assert claim.maybe_sent
    assert sender.send(claim).state == "issued"
    assert fake.issue_calls == 1 and awards.get(db, award_id).linked


def test_a_lookup_that_finds_nothing_then_a_definite_answer_clears_may_have_been_sent(
    db, host, fake, clock, award_id
):
    sender = sender_at(db, host, clock)
    fake.failures.append(ProviderUnavailable("Fake failed", status=503, maybe_sent=True))
    sender.send_awards([award_id])
    assert awards.get(db, award_id).state == "queued"
    with db.begin() as conn:
        maybe = conn.execute(awards_table.select()).mappings().one()["maybe_sent"]
    assert maybe is True
    fake.failures.append(ProviderUnavailable("busy", status=503, maybe_sent=False))  # definitely not created
    clock.advance(3600)
    (claim,) = sender.claim(1)
    assert sender.send(claim).state == "queued"
    with db.begin() as conn:
        row = conn.execute(awards_table.select()).mappings().one()
    assert row["maybe_sent"] is False, "the lookup found nothing and the send was definitely refused"
    clock.advance(3600)
    lookups = fake.lookups
    (claim,) = sender.claim(1)
    assert sender.send(claim).state == "issued"
    assert fake.lookups == lookups, "no lookup before a send that cannot duplicate"


def test_a_short_429_is_waited_out_on_the_injected_clock_and_spends_no_attempt(
    db, host, fake, clock, award_id
):
    sender = sender_at(db, host, clock)
    fake.failures.append(ProviderUnavailable("slow down", status=429, retry_after=2))
    (outcome,) = sender.send_awards([award_id])
    assert outcome.state == "issued"
    assert 2.0 in clock.slept, "waited Retry-After on the clock"
    assert awards.get(db, award_id).attempts == 1
    assert sender.requests == {"rate_limited": 1, "answered": 1}
    outcomes = [(a.action, a.outcome, a.status) for a in history.attempts(db, award_id)]
    assert outcomes == [("issue", "rate_limited", 429), ("issue", "issued", None)]


def test_retries_of_a_mostly_answering_provider_stay_short_and_grow_when_it_is_down(
    db, host, fake, clock, award_id
):
    policy = RetryPolicy(base_seconds=2)
    rng = random.Random(3)
    error = ProviderUnavailable("down", status=503)
    assert max(policy.delay(10, error, rng, failing=0.3) for _ in range(50)) <= 3.0
    assert max(policy.delay(10, error, rng, failing=0.9) for _ in range(50)) > 60


def _lease_expiry(db) -> datetime:
    with db.begin() as conn:
        return as_utc(conn.execute(select(awards_table.c.lease_expires_at)).scalar_one())


def test_the_heartbeat_renews_held_claims_on_its_own_while_its_block_runs(db, host, clock, award_id):
    lease = timedelta(seconds=0.3)  # so the heartbeat beats every 0.1 s of real time
    sender = AwardSender(db, host, lease=lease, clock=clock, rng=random.Random(5))
    (claim,) = sender.claim(1)
    sender.hold([claim])
    clock.advance(0.2)  # on the sender's clock, which stands still: the lease has 0.1 s left
    renewed_until = clock.now() + lease
    with sender.heartbeat():
        waited_until = time.monotonic() + 60  # how long a beat may take is not the question
        while _lease_expiry(db) != renewed_until and time.monotonic() < waited_until:
            time.sleep(0.02)
    assert _lease_expiry(db) == renewed_until, "the heartbeat never renewed the held claim"
