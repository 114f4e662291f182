"""The PostgreSQL server every PostgreSQL test uses, and the one rule for when they may skip.

- One variable: ``BADGEBRIDGE_TEST_POSTGRES`` (default
  ``postgresql+psycopg://postgres@127.0.0.1:5432/test``, trust auth).
- One marker: ``postgres``, put on every test that uses the ``pg`` or ``pg_url`` fixture.
- A test skips only when no server answers on the URL's port (the TCP connect is refused), and
  says so. Anything else (a wrong role, a missing database, a refused ``CREATE SCHEMA``) fails.
  Under ``CI=true`` nothing skips: no server is a failure too, with a message saying what to do.

Each test gets a throwaway schema (``search_path`` points there) dropped afterwards.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from badgebridge.core.storage import Database, open_database
from tests.availability import unavailable

ENV = "BADGEBRIDGE_TEST_POSTGRES"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FIXTURES = ("pg", "pg_url")


def postgres_url() -> str:
    return os.environ.get(ENV) or DEFAULT_URL


def no_server_reason(url: str) -> str | None:
    """Why no PostgreSQL server answers at ``url`` (its port refuses a TCP connect), or None."""
    parsed = make_url(url)
    host, port = parsed.host or "127.0.0.1", parsed.port or 5432
    try:
        socket.create_connection((host, port), timeout=10).close()
    except ConnectionRefusedError:
        return f"no PostgreSQL server answers on {host}:{port} (connection refused)"
    return None


def require_server(url: str) -> None:
    """Skip (or, under CI=true, fail) when nothing listens; return when a server answers."""
    reason = no_server_reason(url)
    if reason is not None:
        unavailable(reason, tests="PostgreSQL tests", remedy=f"start the server or point {ENV} at one")


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose ``search_path`` is a fresh schema on the test server, dropped afterwards."""
    url = postgres_url()
    require_server(url)
    schema = f"bb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except Exception as exc:  # a server answered but refused us: a wrong role or database fails
        admin.dispose()
        pytest.fail(f"PostgreSQL at {_shown(url)} refused the test setup: {exc}", pytrace=False)
    try:
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def pg(pg_url) -> Iterator[Database]:
    """The badgebridge database (tables created) in the test's own schema."""
    database = open_database(pg_url)
    try:
        yield database
    finally:
        database.dispose()


def pytest_collection_modifyitems(items) -> None:
    """Every test that needs the PostgreSQL server carries the ``postgres`` marker."""
    for item in items:
        if any(name in getattr(item, "fixturenames", ()) for name in FIXTURES):
            item.add_marker(pytest.mark.postgres)
