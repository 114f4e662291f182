"""A badge assigned while a completion of its object is still being recorded reaches that learner.

The one interleaving the lock protocol (``badgebridge.core.storage.locks``) exists for, made to
happen on PostgreSQL rather than hoped for: a completion's transaction has locked the object and
read that nothing is carried yet, but not committed; meanwhile the badge goes on one of the
object's instances (a row the completion never locks). The assignment must wait for the
completion to commit, so that its backfill sees it. The assignment locks the object exclusively
twice (before changing the instance, and again in the backfill), so either lock alone keeps the
learner's award; were both in share mode, the assignment would commit first, its backfill blind
to the uncommitted completion, and the learner would never get the badge. (SQLite serialises
writers, so there it cannot happen.)
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from badgebridge.core.model import ObjectKind
from badgebridge.core.services import awards, completions, learners
from badgebridge.core.services import learning_objects as objects
from badgebridge.core.storage import open_database
from badgebridge.core.storage.schema import badges
from tests.pg import throwaway_schema
from tests.rows import add_instance

pytestmark = pytest.mark.postgres

COURSE = ObjectKind.COURSE
WAIT_SECONDS = 60  # for the assignment to block or finish: how long it takes is not the question


def _state_of(monitor, name: str) -> str | None:
    """``waiting`` while the connection named ``name`` waits for a lock, else None."""
    row = monitor.execute(
        text("SELECT wait_event_type FROM pg_stat_activity WHERE application_name = :name"), {"name": name}
    ).first()
    return "waiting" if row is not None and row[0] == "Lock" else None


def test_a_badge_assigned_during_an_uncommitted_completion_is_awarded_to_its_learner():
    with throwaway_schema() as url:
        db = open_database(url, upgrade=True)
        name = f"assigner-{uuid.uuid4().hex[:8]}"
        assigner_db = open_database(f"{url}&application_name={name}")
        try:
            now = datetime.now(UTC)
            with db.begin() as conn:
                conn.execute(
                    badges.insert().values(id="b1", name="B1", state="Active", created_at=now, updated_at=now)
                )
            objects.add(db, COURSE, "C1", "Intro")
            add_instance(db, COURSE, "C1", "I1")
            learner = learners.add(db, "ada@example.org", "Ada", "Lovelace")[0]

            outcome: dict = {}

            def assign() -> None:
                try:
                    outcome["result"] = objects.assign_badge(
                        assigner_db, COURSE, "C1", "b1", instance_id="I1"
                    )
                except Exception as exc:  # reported below, in the test's thread
                    outcome["error"] = exc

            assigner = threading.Thread(target=assign)
            with db.engine.connect() as monitor, db.begin() as completing:
                monitor.execution_options(isolation_level="AUTOCOMMIT")
                earned = completions.record(completing, learner.id, COURSE, "C1", now)
                assert earned == [], "nothing is carried yet, as this transaction sees it"
                assigner.start()
                give_up = time.monotonic() + WAIT_SECONDS
                while assigner.is_alive() and _state_of(monitor, name) != "waiting":
                    assert time.monotonic() < give_up, "the assignment neither waited nor finished"
                    time.sleep(0.01)
                waited = assigner.is_alive()
            # the completion is committed here; a waiting assignment goes on and sees it
            assigner.join(WAIT_SECONDS)
            assert not assigner.is_alive() and "error" not in outcome, outcome
            held = [(a.learner_email, a.badge_id) for a in awards.list_awards(db)]
            assert waited, "the assignment did not wait for the completion in flight"
            assert held == [("ada@example.org", "b1")]
        finally:
            assigner_db.dispose()
            db.dispose()
