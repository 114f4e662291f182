"""Each award's history: one ``award_attempts`` row per provider request or recovery action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from badgebridge.core.clock import iso_z, utcnow
from badgebridge.core.storage import Database
from badgebridge.core.storage.schema import award_attempts

COMMAND_LINE = "command line"
"""The ``worker`` of an action taken by a command rather than a sender."""


@dataclass(frozen=True)
class Attempt:
    at: datetime
    action: str  # issue, lookup, sync, revoke, retry, cancel, reissue, send
    outcome: str  # issued, found, not_found, rate_limited, unavailable, refused, superseded, ...
    status: int | None
    message: str | None
    worker: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": iso_z(self.at),
            "action": self.action,
            "outcome": self.outcome,
            "status": self.status,
            "message": self.message,
            "worker": self.worker,
        }


def record(
    conn: Connection,
    award_id: int,
    action: str,
    outcome: str,
    *,
    status: int | None = None,
    message: str | None = None,
    worker: str = COMMAND_LINE,
    at: datetime | None = None,
) -> None:
    """Add a row to the award's history, in the caller's transaction."""
    conn.execute(
        insert(award_attempts).values(
            award_id=award_id,
            at=at or utcnow(),
            action=action,
            outcome=outcome,
            status=status,
            message=message,
            worker=worker,
        )
    )


def attempts(db: Database, award_id: int) -> list[Attempt]:
    """The award's history, oldest first."""
    query = select(award_attempts).where(award_attempts.c.award_id == award_id).order_by(award_attempts.c.id)
    with db.begin() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        Attempt(row["at"], row["action"], row["outcome"], row["status"], row["message"], row["worker"])
        for row in rows
    ]
