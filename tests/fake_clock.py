"""A clock that moves only when told to (or when something sleeps on it)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from badgebridge.core.clock import Clock, utcnow


class FakeClock(Clock):
    """Starts at the real now (awards are stored due at real time); ``sleep`` advances it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or utcnow()
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def time(self) -> float:
        return self.now().timestamp()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.slept.append(seconds)
            self.advance(seconds)
