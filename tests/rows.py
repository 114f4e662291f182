"""Rows no command writes, put straight into the tables for a test."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from badgebridge.core.clock import utcnow
from badgebridge.core.model import ObjectKind
from badgebridge.core.storage import Database, open_database
from badgebridge.core.storage.schema import connections, object_instances


def add_instance(
    db: Database, kind: ObjectKind, object_id: str, instance_id: str, badge_id: str | None = None
) -> None:
    """An active instance of a learning object (only ALM's migration makes them)."""
    now = utcnow()
    with db.begin() as conn:
        conn.execute(
            object_instances.insert().values(
                kind=kind,
                object_id=object_id,
                id=instance_id,
                name=instance_id,
                state="Active",
                badge_id=badge_id,
                created_at=now,
                updated_at=now,
            )
        )


def age_tokens(db_url: str, days: int) -> None:
    """Pretend every connection's token was set ``days`` ago, in the database of a ``badgebridge``
    process (which runs on the real clock)."""
    db = open_database(db_url)
    try:
        with db.begin() as conn:
            conn.execute(update(connections).values(secrets_set_at=utcnow() - timedelta(days=days)))
    finally:
        db.dispose()
