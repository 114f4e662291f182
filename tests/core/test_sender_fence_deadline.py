"""A claim's request goes out while its lease runs; one older than a third of the lease is renewed
(fenced) first. Either way the plugin's own check of the deadline (``fencing.check()``, as the Credly client
makes it right before it writes) passes. Checked in the database and the provider's calls."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from badgebridge import hookimpl
from badgebridge.core import fencing
from badgebridge.core.services import awards, catalog, connections, history, learners
from badgebridge.core.services.sender import AwardSender
from tests.fake_clock import FakeClock
from tests.fake_provider import FakeProvider

LEASE = timedelta(minutes=3)


class CheckingProvider(FakeProvider):
    """The fake provider checking the sender's fence right before it issues, as the contract says;
    with ``freezes``, the process freezes first on every issue: the clock jumps past the fence."""

    freezes: FakeClock | None = None

    @hookimpl
    def issue_badge(self, connection, request):
        if self.freezes is not None:
            self.freezes.advance(LEASE.total_seconds() / 3 + 1)
        fencing.check()
        return FakeProvider.issue_badge(self, connection, request)


@pytest.fixture
def fake() -> CheckingProvider:
    return CheckingProvider()


@pytest.fixture
def award_id(db, host) -> int:
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(db, host, "c1")
    learners.add(db, "ada@example.org", "Ada", "Lovelace")
    return awards.grant(db, catalog.list_badges(db)[0].id, "ada@example.org")[0].id


@pytest.mark.parametrize("age", [0, LEASE.total_seconds() / 3 + 10], ids=["fresh", "past-the-fence"])
def test_a_claim_within_its_lease_is_sent_fenced_again_if_older_than_a_third(db, host, fake, award_id, age):
    clock = FakeClock()
    sender = AwardSender(db, host, lease=LEASE, clock=clock, rng=random.Random(1))
    (claim,) = sender.claim(1)
    clock.advance(age)

    assert sender.send(claim).state == "issued"
    assert fake.issue_calls == 1
    assert [(a.action, a.outcome) for a in history.attempts(db, award_id)] == [("issue", "issued")]
    assert awards.get(db, award_id).state == "issued"


def test_a_sender_that_stalls_three_times_sends_nothing_and_retries_later(db, host, fake, award_id):
    clock = FakeClock()
    fake.freezes = clock
    sender = AwardSender(db, host, lease=LEASE, clock=clock, rng=random.Random(1))

    (outcome,) = sender.send_awards([award_id])
    assert fake.issue_calls == 0, "nothing was sent"
    award = awards.get(db, award_id)
    assert award.state == "queued" and outcome.retry_at == award.next_attempt_at
    assert award.error.endswith(" (3 times); will retry")
    assert [(a.action, a.outcome) for a in history.attempts(db, award_id)] == [("issue", "stalled")] * 3
