"""Schema migrations (Alembic), shipped with the package: ``versions/`` holds one file per revision.

``0001`` is the schema of the last release without migrations; each later revision changes
``badgebridge.core.storage.schema`` and comes with a file here (``tests/storage/test_migrations.py``
fails when the tables and the newest revision disagree).

``prepare`` runs when a database is opened. A new, empty database gets the tables of ``schema.py``
and is stamped with the newest revision. An older one is upgraded when ``upgrade`` is true (SQLite,
or ``badgebridge db upgrade``); otherwise (PostgreSQL, shared by many machines, upgraded on purpose)
it is refused with a message saying to run ``badgebridge db upgrade``. A database made before
migrations existed (tables but no ``alembic_version``) counts as revision ``0001``. A database at
the newest revision is recognised by reading its version table, without importing Alembic (about
a tenth of a second of every command's start).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from badgebridge.core.errors import ConfigurationError
from badgebridge.core.storage.schema import metadata

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

BASELINE = "0001"
"""The revision of a database made by a release that had no migrations."""

_VERSIONS = Path(__file__).parent / "versions"
_NUMBERED = re.compile(r"(\d{4})_\w+\.py")


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    return config


@cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


@cache
def head() -> str:
    """The newest revision this badgebridge knows: the highest number among ``versions/`` files
    (``0007_claim_order.py`` is revision ``0007``; ``tests/storage/test_migrations.py`` checks this
    against Alembic's head). Read from the file names, so that opening a database that is up to
    date does not import Alembic."""
    return max(found[1] for path in _VERSIONS.iterdir() if (found := _NUMBERED.fullmatch(path.name)))


def current(conn: Connection) -> str | None:
    """The database's revision; ``BASELINE`` for tables made before migrations, None if empty."""
    revision = _stamped(conn)
    if revision is None and inspect(conn).has_table("awards"):
        return BASELINE
    return revision


def _stamped(conn: Connection) -> str | None:
    """The revision in Alembic's version table (as Alembic reads it), None if there is none."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


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
        _run(conn, "stamp", newest)
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
    if _stamped(conn) is None:
        _run(conn, "stamp", BASELINE)
    _run(conn, "upgrade", newest)
    return before


def _run(conn: Connection, action: str, revision: str) -> None:
    """Alembic's ``stamp`` or ``upgrade`` to ``revision``, on ``conn``."""
    from alembic import command

    config = _config()
    config.attributes["connection"] = conn
    getattr(command, action)(config, revision)
