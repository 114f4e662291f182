"""The sender paces a connection at its ``--rate-limit``, and an exception a plugin did not mean to
raise fails the award as an internal error, named with its type (checked in the database)."""

from __future__ import annotations

import itertools
import random

import pytest

from badgebridge.core.services import awards, catalog, connections, history, learners
from badgebridge.core.services.sender import AwardSender
from tests.fake_clock import FakeClock

LEARNERS = [f"learner{n}@example.org" for n in range(3)]


@pytest.fixture
def award_ids(db, host) -> list[int]:
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(db, host, "c1")
    badge_id = catalog.list_badges(db)[0].id
    ids = []
    for email in LEARNERS:
        learners.add(db, email, "Ada", "Lovelace")
        ids.append(awards.grant(db, badge_id, email)[0].id)
    return ids


def test_a_connections_rate_limit_spaces_its_requests(db, host, fake, award_ids):
    connections.set_rate_limit(db, "c1", 2.0)
    clock = FakeClock()
    sender = AwardSender(db, host, clock=clock, rng=random.Random(3))

    assert [outcome.state for outcome in sender.send_awards(award_ids)] == ["issued"] * 3
    issued_at = [
        attempt.at
        for award_id in award_ids
        for attempt in history.attempts(db, award_id)
        if attempt.action == "issue"
    ]
    assert [round((b - a).total_seconds(), 3) for a, b in itertools.pairwise(issued_at)] == [0.5, 0.5]
    assert sum(clock.slept) == pytest.approx(1.0)


def test_an_unexpected_plugin_exception_fails_the_award_as_an_internal_error(db, host, fake, award_ids):
    def broken() -> None:
        raise KeyError("template_id")

    fake.on_issue = broken
    sender = AwardSender(db, host, clock=FakeClock(), rng=random.Random(3))
    with pytest.raises(KeyError):
        sender.send_awards(award_ids[:1])
    award = awards.get(db, award_ids[0])
    assert (award.state, award.error) == ("failed", "internal error: KeyError: 'template_id'")
