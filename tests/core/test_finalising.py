"""One batch of outcomes of every kind, finalised in one transaction, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from badgebridge.core.errors import ProviderRefused, ProviderUnavailable
from badgebridge.core.model import IssuedBadge
from badgebridge.core.services import awards, catalog, connections, history, learners
from badgebridge.core.services.sender import AwardSender
from tests.fake_clock import FakeClock


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request):
    return request.getfixturevalue("db" if request.param == "sqlite" else "pg")


def _queued(database, host, count: int) -> None:
    connections.add(database, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(database, host, "c1")
    badge_id = catalog.list_badges(database)[0].id
    for i in range(count):
        learners.add(database, f"l{i}@example.org", "L", str(i))
        awards.grant(database, badge_id, f"l{i}@example.org")


def _row(database, award_id: int):
    with database.begin() as conn:
        return conn.execute(text("SELECT * FROM awards WHERE id = :id"), {"id": award_id}).one()


def test_a_batch_of_every_outcome_sets_each_award_and_leaves_a_taken_over_one_alone(database, host):
    _queued(database, host, 5)
    sender = AwardSender(database, host, lease=timedelta(minutes=3), clock=FakeClock())
    issued, refused, retried, taken, twice = sender.claim(5)
    with database.begin() as conn:  # another sender took one over (its token changed)
        conn.execute(text("UPDATE awards SET claim_token = 'other' WHERE id = :id"), {"id": taken.award_id})
    records = [
        sender._issued(issued, IssuedBadge("cb-1", "accepted", "https://c/1"), "Credly", linked=False),
        sender._failed(refused, ProviderRefused("no such template", status=422)),
        sender._retry_later(retried, ProviderUnavailable("busy", status=None), spent=True, maybe_sent=True),
        sender._issued(taken, IssuedBadge("cb-4", "accepted", None), "Credly", linked=False),
        sender._issued(twice, IssuedBadge("cb-5", "accepted", None), "Credly", linked=True),
        sender._failed(twice, ProviderRefused("a second record of the same claim", status=400)),
    ]
    with database.begin() as conn:
        done = sender._write_records(conn, records)

    assert done == [True, True, True, False, True, False], "a claim is finalised once, by its first record"
    first = _row(database, issued.award_id)
    assert (first.state, first.provider_badge_id, first.provider_url) == ("issued", "cb-1", "https://c/1")
    second = _row(database, refused.award_id)
    assert (second.state, second.last_status, second.last_error) == ("failed", 422, "no such template")
    third = _row(database, retried.award_id)
    assert (third.state, third.last_status, third.maybe_sent) == ("queued", None, True)
    assert third.next_attempt_at is not None
    assert _row(database, taken.award_id).state == "sending", "the other sender's claim is untouched"
    fifth = _row(database, twice.award_id)
    assert (fifth.state, fifth.provider_badge_id, fifth.linked) == ("issued", "cb-5", True)
    with database.begin() as conn:
        released = conn.execute(
            text("SELECT count(*) FROM awards WHERE claim_token IS NULL AND lease_expires_at IS NULL")
        ).scalar_one()
    assert released == 4
    assert [a.outcome for a in history.attempts(database, taken.award_id)] == ["superseded"]
