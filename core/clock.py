"""Time, always timezone-aware UTC, read through one function that tests can steer.

Everything in the host that needs "now" calls ``utcnow()``. ``controlled(source)`` makes it read
``source`` instead of the system clock for a while (a test moves a clock by hand), so retry times
and leases can be checked exactly, however fast or slow the machine is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime


def _system_now() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system_now


def utcnow() -> datetime:
    return _source()


@contextmanager
def controlled(source: Callable[[], datetime]) -> Iterator[None]:
    """Within the block, ``utcnow()`` returns ``source()``; the system clock comes back after it."""
    global _source
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous


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
        return self.now().timestamp()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


SYSTEM_CLOCK = Clock()
