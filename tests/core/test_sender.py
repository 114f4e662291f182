"""The outbox: claims, fenced finalising, stored retries, lookups before a resend."""

from __future__ import annotations

import random
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


def test_transient_failure_is_stored_for_a_later_retry(db, sender, fake, award_id):
    fake.failures.append(ProviderUnavailable("Fake is down", status=503))
    (outcome,) = sender.send_awards([award_id])
    award = awards.get(db, award_id)
    assert (award.state, award.error, award.attempts) == ("queued", "Fake is down", 1)
    assert award.next_attempt_at > utcnow() - timedelta(seconds=1)
    assert outcome.retry_at == award.next_attempt_at


def test_rate_limit_waits_at_least_retry_after_and_uses_no_attempt(db, sender, fake, award_id):
    fake.failures.append(ProviderUnavailable("slow down", status=429, retry_after=30))
    before = utcnow()
    sender.send_awards([award_id])
    award = awards.get(db, award_id)
    assert award.attempts == 0
    assert award.next_attempt_at >= before + timedelta(seconds=30)


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
