"""The same migration on PostgreSQL, in a schema of its own (fixtures: ``tests.postgres``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from badgebridge.core.migration import run_migration
from badgebridge.core.services import awards
from badgebridge.core.storage.schema import badges
from tests.migration.alm import add_learners, complete_folder, connect

pytestmark = pytest.mark.postgres


def test_a_complete_folder_migrates_on_postgresql(pg, host, tmp_path):
    record = connect(pg, host)
    add_learners(pg)
    folder = complete_folder(tmp_path / "alm")

    assert run_migration(pg, host, folder, dry_run=True).failed == 0
    assert awards.list_awards(pg) == []

    report = run_migration(pg, host, folder)
    assert report.failed == 0 and len(report.award_ids) == 3
    with pg.begin() as conn:
        assert (
            conn.execute(select(badges.c.connection_id).where(badges.c.id == "B2")).scalar_one() == record.id
        )

    again = run_migration(pg, host, folder)
    assert all(f.imported == 0 and f.unchanged == f.rows for f in again.files)
    assert again.award_ids == [] and len(awards.list_awards(pg)) == 3
