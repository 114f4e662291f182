"""Opening the database.

The default is an SQLite file in the user's application directory, readable by its owner only;
``--db URL`` or ``BADGEBRIDGE_DB`` chooses another (any SQLAlchemy URL; ``postgresql://`` uses
psycopg 3). Opening applies the schema (``badgebridge.core.storage.migrations``): a new database
gets the tables, an older SQLite one is upgraded, an older PostgreSQL one asks for ``badgebridge db
upgrade``. SQLite runs in WAL mode, and every transaction takes the write lock when it begins
(``BEGIN IMMEDIATE``). Within a process, transactions on SQLite queue on one lock (``Database.begin``)
and are handed the database in turn; only writers in other processes wait on the busy timeout.

The connection pool keeps up to ``POOL_SIZE`` connections open (a worker's senders, its heartbeat
and its writer each may hold one), so a busy worker does not open and close connections. On
PostgreSQL a connection that sat in the pool longer than ``PING_AFTER_IDLE_SECONDS`` is pinged
when it is checked out, and replaced if the server dropped it (a restart, an idle timeout); one
used a moment ago is not, which spares a busy worker a round trip per transaction (the pool
lends the connection returned last, so a busy worker's connections stay warm).

An SQLite file named by ``--db`` must be in a folder that exists (a mistyped path is an error,
not a new empty database); only the default file's folder is created. Engines hide statement
parameters from their errors (``hide_parameters``), so no value, a token least of all, reaches
an error message.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, OperationalError

from badgebridge.core.errors import ConfigurationError
from badgebridge.core.storage import migrations
from badgebridge.core.storage.encryption import keys

APP_NAME = "badgebridge"
BUSY_TIMEOUT_SECONDS = 30
POOL_SIZE = 20
POOL_OVERFLOW = 50
PING_AFTER_IDLE_SECONDS = 1.0


def default_database_url() -> str:
    """``sqlite:///`` + the database file in the user's application directory."""
    return f"sqlite:///{Path(click.get_app_dir(APP_NAME)) / 'badgebridge.db'}"


class Database:
    """An engine whose schema exists; ``begin()`` is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite has one writer at a time, and every transaction here writes: in-process
        # transactions take turns on a lock rather than polling the busy timeout (re-entrant, so a
        # thread that nests transactions fails as SQLite makes it fail, not in a deadlock here).
        self._writer = threading.RLock() if engine.dialect.name == "sqlite" else None
        self.upgraded_from: str | None = None  # the schema revision found when it was opened

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        if self._writer is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._writer, self.engine.begin() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None, *, upgrade: bool | None = None) -> Database:
    """Open (and create if needed) the database at ``url``, or the default one.

    :param upgrade: upgrade an older schema (default: on SQLite only); False refuses it.
    """
    keys()  # a malformed BADGEBRIDGE_SECRET_KEY fails here, before any statement
    given = url is not None
    url = url or default_database_url()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(f"not a database URL: {url!r}") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed, create_folder=not given)
    else:
        try:
            engine = create_engine(
                parsed,
                hide_parameters=True,
                pool_size=POOL_SIZE,
                max_overflow=POOL_OVERFLOW,
                pool_use_lifo=True,  # the connection used last is lent next; the others idle (and get pinged)
            )
        except ModuleNotFoundError as exc:
            raise ConfigurationError(
                f"the database driver {exc.name!r} is not installed (pip install 'badgebridge[postgres]')"
            ) from None
        _ping_after_idle(engine)
    database = Database(engine)
    try:
        with engine.begin() as conn:
            database.upgraded_from = migrations.prepare(
                conn, upgrade=database.is_sqlite if upgrade is None else upgrade
            )
    except OperationalError as exc:
        engine.dispose()
        raise ConfigurationError(
            f"cannot open the database {parsed.render_as_string()}: {' '.join(str(exc.orig).split())}"
        ) from None
    except ConfigurationError:
        engine.dispose()
        raise
    return database


def _ping_after_idle(engine: Engine) -> None:
    """Ping a pooled connection on checkout if it sat idle longer than ``PING_AFTER_IDLE_SECONDS``
    (SQLAlchemy's ``pool_pre_ping`` pings on every checkout); a connection found dead is replaced."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since <= PING_AFTER_IDLE_SECONDS:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"the pooled connection was dropped: {exc}") from exc


def _sqlite_engine(url, *, create_folder: bool) -> Engine:
    if url.database and url.database != ":memory:":
        _create_private_file(Path(url.database), create_folder=create_folder)
    in_memory = url.database in (None, "", ":memory:")  # one connection per thread, pooled already
    options = {} if in_memory else {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
    engine = create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS}, hide_parameters=True, **options
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see "begin").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _create_private_file(path: Path, *, create_folder: bool) -> None:
    """Create the database file readable by its owner only, if it is new (and, for the default
    database, its folder); a file in a folder that does not exist is an error."""
    if not create_folder and not path.parent.is_dir():
        raise ConfigurationError(f"cannot open the database {path}: the folder {path.parent} does not exist")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise ConfigurationError(f"cannot create the database file {path}: {exc.strerror}") from None
    os.close(fd)
