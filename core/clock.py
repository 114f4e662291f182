"""Time, always timezone-aware UTC."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso_z(moment: datetime | None) -> str | None:
    """ISO-8601 with milliseconds and ``Z`` (ALM's and Credly's form), or None."""
    if moment is None:
        return None
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.") + f"{as_utc(moment).microsecond // 1000:03d}Z"


class Clock:
    """Real time, as the sender's lease, backoff and pacing read it; tests pass a fake one.

    ``now()`` is aware UTC for the database; ``time()`` is the same moment in epoch seconds (the
    pacing rows); ``sleep()`` waits.
    """

    def now(self) -> datetime:
        return utcnow()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


SYSTEM_CLOCK = Clock()
