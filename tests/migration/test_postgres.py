"""The same migration on PostgreSQL (skipped when no server answers at PG_URL)."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError

from badgebridge.core.migration import run_migration
from badgebridge.core.services import awards
from badgebridge.core.storage import Database
from badgebridge.core.storage.schema import badges, metadata
from tests.migration.alm import add_learners, complete_folder, connect

PG_URL = os.environ.get("BADGEBRIDGE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_db():
    """A database whose tables live in a fresh schema, dropped afterwards."""
    admin = create_engine(PG_URL)
    try:
        with admin.connect():
            pass
    except OperationalError:
        admin.dispose()
        pytest.skip(f"no PostgreSQL at {PG_URL}")
    schema = f"bb_migration_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        metadata.create_all(engine)
        yield Database(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def test_a_complete_folder_migrates_on_postgresql(pg_db, host, tmp_path):
    record = connect(pg_db, host)
    add_learners(pg_db)
    folder = complete_folder(tmp_path / "alm")

    assert run_migration(pg_db, host, folder, dry_run=True).failed == 0
    assert awards.list_awards(pg_db) == []

    report = run_migration(pg_db, host, folder)
    assert report.failed == 0 and len(report.award_ids) == 3
    with pg_db.begin() as conn:
        assert (
            conn.execute(select(badges.c.connection_id).where(badges.c.id == "B2")).scalar_one() == record.id
        )

    again = run_migration(pg_db, host, folder)
    assert all(f.imported == 0 and f.unchanged == f.rows for f in again.files)
    assert again.award_ids == [] and len(awards.list_awards(pg_db)) == 3
