"""An award whose sender died mid-send (state ``sending``, its lease run out) from the command line:
the worker, or granting it again, takes it over, looks the badge up first (the dead sender may
have issued it), and releases the claim; one whose lease still runs is left to its sender.

In-process (click's runner), Credly's client routed to the mock app through a counting transport;
the dead sender is a row the test writes into the command's database.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, update

from badgebridge.core.storage.schema import awards
from tests.cli.conftest import connect_default_organization

EMAIL = "ada@example.org"


@pytest.fixture
def database(tmp_path):
    """The command's database (the ``bb`` fixture's), for the test's own reads and writes."""
    engine = create_engine(f"sqlite:///{tmp_path / 'bb.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def claimed(bb, counting_credly, database, manual_clock) -> dict:
    """An award a dead sender claimed: its lease ends a second from now."""
    connect_default_organization(bb)
    badge = json.loads(bb("badges", "list", "--json"))[0]
    bb("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    counting_credly.refuse_issues = True
    bb("awards", "grant", "--badge", badge["id"], "--learner", EMAIL, code=1)
    counting_credly.refuse_issues = False
    (award,) = json.loads(bb("awards", "list", "--json"))
    with database.begin() as conn:
        conn.execute(
            update(awards)
            .where(awards.c.id == award["id"])
            .values(
                state="sending",
                claimed_by="dead-host:1:sender",
                claim_token="dead-token",
                lease_expires_at=manual_clock.now + timedelta(seconds=1),
            )
        )
    counting_credly.issues = counting_credly.lookups = 0
    return {**award, "badge_id": badge["id"]}


def claim_columns(database, award_id: int) -> tuple:
    with database.begin() as conn:
        return conn.execute(
            select(awards.c.claimed_by, awards.c.claim_token, awards.c.lease_expires_at).where(
                awards.c.id == award_id
            )
        ).one()


def test_the_worker_leaves_an_award_whose_lease_still_runs(bb, counting_credly, claimed):
    assert "nothing was due" in bb("worker", "--once")
    assert json.loads(bb("awards", "list", "--json"))[0]["state"] == "sending"
    assert (counting_credly.issues, counting_credly.lookups) == (0, 0)


def test_the_worker_takes_over_a_dead_senders_award_after_a_lookup(
    bb, counting_credly, claimed, database, manual_clock
):
    manual_clock.advance(seconds=2)
    bb("worker", "--once")

    (award,) = json.loads(bb("awards", "list", "--json"))
    assert award["state"] == "issued"
    assert (counting_credly.lookups, counting_credly.issues) == (1, 1), (
        "looked up (nothing there), then issued once"
    )
    assert claim_columns(database, award["id"]) == (None, None, None), "the claim is released"


def test_granting_again_takes_over_a_dead_senders_award(bb, counting_credly, claimed, database, manual_clock):
    manual_clock.advance(seconds=2)
    bb("awards", "grant", "--badge", claimed["badge_id"], "--learner", EMAIL)

    (award,) = json.loads(bb("awards", "list", "--json"))
    assert award["state"] == "issued"
    assert (counting_credly.lookups, counting_credly.issues) == (1, 1)
    assert claim_columns(database, award["id"]) == (None, None, None)
