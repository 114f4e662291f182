"""A throwaway PostgreSQL schema per test (127.0.0.1:5432, database ``test``).

Set BADGEBRIDGE_TEST_POSTGRES to another URL to point elsewhere; tests using it are skipped, saying
why, only when no PostgreSQL server answers, and fail instead when BADGEBRIDGE_REQUIRE_POSTGRES is
set (``.ci/run`` sets it).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

URL = os.environ.get("BADGEBRIDGE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def unreachable(exc: Exception) -> None:
    """Skip (or, when PostgreSQL is required, fail) a test whose server does not answer."""
    why = f"no PostgreSQL at {URL}: {type(exc).__name__}"
    if os.environ.get("BADGEBRIDGE_REQUIRE_POSTGRES"):
        pytest.fail(why + " (BADGEBRIDGE_REQUIRE_POSTGRES is set)")
    pytest.skip(why)


@contextmanager
def throwaway_schema() -> Iterator[str]:
    """Yields a database URL whose search path is a new, empty schema; drops it afterwards."""
    schema = f"bb_{uuid.uuid4().hex[:10]}"
    admin = create_engine(URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # no server: say so
        admin.dispose()
        unreachable(exc)
    try:
        yield f"{URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
