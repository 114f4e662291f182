"""Schema migrations (Alembic), shipped with the package: ``versions/`` holds one file per revision.

``0001`` is the schema of the last release without migrations; each later revision changes
``badgebridge.core.storage.schema`` and comes with a file here (``tests/core/test_migrations.py``
fails when the tables and the newest revision disagree).

``prepare`` runs when a database is opened. A new, empty database gets the tables of ``schema.py``
and is stamped with the newest revision. An older one is upgraded when ``upgrade`` is true (SQLite,
or ``badgebridge db upgrade``); otherwise (PostgreSQL, shared by many machines, upgraded on purpose)
it is refused with a message saying to run ``badgebridge db upgrade``. A database made before
migrations existed (tables but no ``alembic_version``) counts as revision ``0001``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from badgebridge.core.errors import ConfigurationError
from badgebridge.core.storage.schema import metadata

BASELINE = "0001"
"""The revision of a database made by a release that had no migrations."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    return config


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision this badgebridge knows."""
    return _scripts().get_current_head()


def current(conn: Connection) -> str | None:
    """The database's revision; ``BASELINE`` for tables made before migrations, None if empty."""
    revision = MigrationContext.configure(conn).get_current_revision()
    if revision is None and inspect(conn).has_table("awards"):
        return BASELINE
    return revision


def prepare(conn: Connection, *, upgrade: bool) -> str | None:
    """Create, stamp or upgrade the schema in the caller's transaction; returns the revision it was
    at before (None: it was empty). Refuses an older database when ``upgrade`` is false."""
    if conn.dialect.name == "postgresql":  # one creator or upgrader at a time
        conn.execute(text("SELECT pg_advisory_xact_lock(7262611)"))
    before = current(conn)
    newest = head()
    if before == newest:
        return before
    if before is None:
        metadata.create_all(conn)
        _run(conn, command.stamp, newest)
        return before
    known = {script.revision for script in _scripts().walk_revisions()}
    if before not in known:
        raise ConfigurationError(
            f"the database is at schema revision {before}, newer than this badgebridge knows "
            f"({newest}); upgrade badgebridge"
        )
    if not upgrade:
        raise ConfigurationError(
            f"the database is at schema revision {before}, this badgebridge needs {newest}: "
            "run `badgebridge db upgrade` (back the database up first)"
        )
    if MigrationContext.configure(conn).get_current_revision() is None:
        _run(conn, command.stamp, BASELINE)
    _run(conn, command.upgrade, newest)
    return before


def _run(conn: Connection, action, revision: str) -> None:
    config = _config()
    config.attributes["connection"] = conn
    action(config, revision)
