"""A pooled PostgreSQL connection the server dropped is replaced on checkout once it sat idle.

The server drops it for real: ``pg_terminate_backend`` on the pooled connection's backend, from
another connection, as a server restart or an idle timeout would.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from badgebridge.core.storage import database

pytestmark = pytest.mark.postgres


def _backend_pid(db) -> int:
    with db.begin() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(pg_url: str, pid: int) -> None:
    admin = create_engine(pg_url)
    try:
        with admin.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
            conn.execute(  # the backend is gone once it leaves pg_stat_activity
                text(
                    f"DO $$ BEGIN WHILE EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = {int(pid)}) LOOP "
                    "PERFORM pg_sleep(0.01); END LOOP; END $$"
                )
            )
    finally:
        admin.dispose()


def test_a_dropped_connection_idle_past_the_threshold_is_replaced(pg, pg_url, monkeypatch):
    dropped = _backend_pid(pg)
    _terminate(pg_url, dropped)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)  # every pooled connection counts as idle

    assert _backend_pid(pg) != dropped  # the ping failed, the pool opened a new connection


def test_a_connection_used_a_moment_ago_is_not_pinged(pg, pg_url, monkeypatch):
    """The other half: within the threshold no ping is made, so the dropped connection is used."""
    dropped = _backend_pid(pg)
    _terminate(pg_url, dropped)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 3600.0)

    with pytest.raises(OperationalError):
        _backend_pid(pg)
    assert _backend_pid(pg) != dropped  # the failure invalidated it: the next checkout connects anew
