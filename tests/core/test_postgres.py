"""The same services on PostgreSQL (127.0.0.1:5432, database ``test``), in a schema of their own.

Set BADGEBRIDGE_TEST_POSTGRES to another URL to point elsewhere; the tests are skipped, saying why,
only when no PostgreSQL server answers.
"""

from __future__ import annotations

import os
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from badgebridge.core.model import ObjectKind
from badgebridge.core.services import awards, catalog, connections, learners
from badgebridge.core.services import learning_objects as objects
from badgebridge.core.services.sender import AwardSender
from badgebridge.core.storage import open_database
from tests.pg import unreachable

pytestmark = pytest.mark.postgres

URL = os.environ.get("BADGEBRIDGE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg():
    schema = f"bb_{uuid.uuid4().hex[:10]}"
    admin = create_engine(URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # no server: say so
        admin.dispose()
        unreachable(exc)
    database = open_database(f"{URL}?options=-csearch_path%3D{schema}")
    yield database
    database.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


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
        while batch := sender.claim(7):
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
