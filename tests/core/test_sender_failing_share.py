"""How long a transient failure waits depends on how the connection is doing (README: about
``--retry-base`` while most requests succeed, exponential backoff when most fail): the sender's
failing share moves with every answer, successes down, failures up (checked in the database)."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import update

from badgebridge.core.errors import ProviderUnavailable
from badgebridge.core.services import awards, catalog, connections, learners
from badgebridge.core.services.sender import AwardSender, RetryPolicy
from badgebridge.core.storage.schema import awards as awards_table

SUCCESSES, FAILURES = 10, 5
PRIOR_ATTEMPTS = 8  # exponential backoff would wait up to base * 2**9 seconds by now


class HighJitter(random.Random):
    """Jitter at the top of its range: ``uniform(a, b)`` gives ``b``."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def award_ids(db, host) -> list[int]:
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(db, host, "c1")
    badge_id = catalog.list_badges(db)[0].id
    ids = []
    for n in range(SUCCESSES + FAILURES):
        learners.add(db, f"learner{n}@example.org", "Ada", "Lovelace")
        ids.append(awards.grant(db, badge_id, f"learner{n}@example.org")[0].id)
    return ids


def waits(db, award_ids, now) -> list[float]:
    return [(awards.get(db, award_id).next_attempt_at - now).total_seconds() for award_id in award_ids]


def test_failures_among_successes_retry_soon_and_failures_that_dominate_back_off(
    db, host, fake, award_ids, manual_clock
):
    succeeding, failing = award_ids[:SUCCESSES], award_ids[SUCCESSES:]
    with db.begin() as conn:
        conn.execute(
            update(awards_table).where(awards_table.c.id.in_(failing)).values(attempts=PRIOR_ATTEMPTS)
        )
    sender = AwardSender(db, host, policy=RetryPolicy(base_seconds=2), rng=HighJitter(0))

    assert {outcome.state for outcome in sender.send_awards(succeeding)} == {"issued"}
    for award_id in failing:
        fake.failures.append(ProviderUnavailable("Fake is down", status=503))
        sender.send_awards([award_id])

    first, *_, last = waits(db, failing, manual_clock.now)
    assert first == 3.0, "one failure after ten successes: about --retry-base (2 s, jitter up to 1.5x)"
    assert last == 2 * 2 ** (PRIOR_ATTEMPTS + 1), "five failures in a row: exponential backoff"
