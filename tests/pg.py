"""A throwaway PostgreSQL schema for tests that open their own databases (subprocesses, Alembic).

It follows the one rule of ``tests.postgres``: skip only when no server answers, fail otherwise,
and never skip under ``CI=true``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from tests.postgres import postgres_url, require_server

URL = postgres_url()


@contextmanager
def throwaway_schema() -> Iterator[str]:
    """Yields a database URL whose search path is a new, empty schema; drops it afterwards."""
    require_server(URL)
    schema = f"bb_{uuid.uuid4().hex[:10]}"
    admin = create_engine(URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
