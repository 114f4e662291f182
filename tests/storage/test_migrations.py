"""Alembic migrations: the previous release's databases upgrade, and the revisions match schema.py."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, select, text

from badgebridge.core.errors import ConfigurationError
from badgebridge.core.storage import migrations, open_database
from badgebridge.core.storage.schema import awards, metadata
from tests.pg import throwaway_schema
from tests.storage import release_0c30418_schema as release

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _release_database(url: str) -> None:
    """A database as the previous release left it: its tables and one queued award."""
    engine = create_engine(url)
    release.metadata.create_all(engine)
    stamp = {"created_at": NOW, "updated_at": NOW}
    with engine.begin() as conn:
        conn.execute(
            insert(release.connections).values(
                id=1, name="c1", provider="credly", settings={}, secrets={"token": "t" * 12}, **stamp
            )
        )
        conn.execute(
            insert(release.learners).values(id="L1", email="a@x.org", first_name="A", last_name="B", **stamp)
        )
        conn.execute(
            insert(release.badges).values(id="B1", name="Badge", state="Active", connection_id=1, **stamp)
        )
        conn.execute(
            insert(release.awards).values(
                id=7,
                learner_id="L1",
                badge_id="B1",
                reason_kind="manual",
                reason_id="",
                connection_id=1,
                earned_at=NOW,
                state="queued",
                linked=False,
                attempts=0,
                maybe_sent=False,
                **stamp,
            )
        )
    engine.dispose()


def _differences(conn) -> list:
    return compare_metadata(MigrationContext.configure(conn), metadata)


def _migrate_from_empty(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        config = migrations._config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return engine


def test_a_database_of_the_previous_release_is_upgraded_on_open_and_keeps_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _release_database(url)
    db = open_database(url)
    assert db.upgraded_from == migrations.BASELINE
    with db.begin() as conn:
        assert migrations.current(conn) == migrations.head()
        row = conn.execute(select(awards).where(awards.c.id == 7)).mappings().one()
        assert (row["state"], row["learner_id"], row["cancelled_at"]) == ("queued", "L1", None)
        conn.execute(awards.update().where(awards.c.id == 7).values(state="cancelled"))  # the new state
        assert _differences(conn) == []
    db.dispose()
    assert open_database(url).upgraded_from == migrations.head(), "a second open changes nothing"


def test_the_award_state_check_still_refuses_unknown_states_after_the_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _release_database(url)
    db = open_database(url)
    with pytest.raises(Exception, match="CHECK constraint failed"), db.begin() as conn:
        conn.execute(awards.update().where(awards.c.id == 7).values(state="lost"))


def test_the_newest_revision_builds_exactly_the_tables_of_schema_py(tmp_path):
    """Fails when someone edits schema.py without a revision (or a revision without schema.py)."""
    engine = _migrate_from_empty(f"sqlite:///{tmp_path / 'fresh.db'}")
    with engine.connect() as conn:
        assert _differences(conn) == []
    engine.dispose()


def test_a_new_database_gets_the_tables_and_the_newest_revision(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    assert db.upgraded_from is None
    with db.begin() as conn:
        assert migrations.current(conn) == migrations.head()
        assert _differences(conn) == []


def test_the_newest_revision_read_from_the_file_names_is_alembics_head():
    assert migrations.head() == migrations._scripts().get_current_head()


def test_opening_a_database_that_is_up_to_date_does_not_load_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'current.db'}"
    open_database(url).dispose()
    probe = (
        "import sys\n"
        "from badgebridge.core.storage import open_database\n"
        f"open_database({url!r}).dispose()\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'alembic', 'mako'}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_database_newer_than_this_badgebridge_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'future.db'}"
    open_database(url).dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(ConfigurationError, match="revision 9999, newer than this badgebridge knows"):
        open_database(url)


@pytest.mark.postgres
def test_postgresql_asks_for_db_upgrade_then_upgrades_with_it():
    with throwaway_schema() as url:
        _release_database(url)
        with pytest.raises(ConfigurationError, match="run `badgebridge db upgrade`"):
            open_database(url)
        db = open_database(url, upgrade=True)
        assert db.upgraded_from == migrations.BASELINE
        with db.begin() as conn:
            assert _differences(conn) == []
            assert inspect(conn).has_table("award_attempts")
            assert conn.execute(select(awards.c.state).where(awards.c.id == 7)).scalar_one() == "queued"
        db.dispose()
        open_database(url).dispose()  # up to date: opens without asking


@pytest.mark.postgres
def test_the_newest_revision_builds_exactly_the_tables_of_schema_py_on_postgresql():
    with throwaway_schema() as url:
        engine = _migrate_from_empty(url)
        with engine.connect() as conn:
            assert _differences(conn) == []
        engine.dispose()
