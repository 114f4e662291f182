"""The mock's clock: every timestamp, token expiry, rate-limit refill and latency goes through one.

`SystemClock` (the default) follows real time plus an offset that `advance()` moves forward, so a test
can age tokens by 181 days (`POST /_mock/clock {"advance_seconds": ...}`) against a server running
in another thread. `ManualClock` stands still until told to move, for unit tests that must not depend
on how fast the machine is: its `sleep()` advances it instead of waiting.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    """Base class: `now()` is strictly increasing, so sorting by time never ties."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = datetime.min.replace(tzinfo=UTC)

    def now(self) -> datetime:
        """The current time in UTC, strictly later than the previous call's."""
        with self._lock:
            self._last = max(self._wall(), self._last + timedelta(microseconds=1))
            return self._last

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for the rate limit)."""
        raise NotImplementedError

    def sleep(self, seconds: float) -> None:
        raise NotImplementedError

    def advance(self, seconds: float) -> None:
        """Move the clock forward by `seconds` (real time keeps running on top of it)."""
        raise NotImplementedError

    def _wall(self) -> datetime:
        raise NotImplementedError


class SystemClock(Clock):
    """Real time, shifted forward by what `advance()` added."""

    def __init__(self) -> None:
        super().__init__()
        self._offset = 0.0

    def _wall(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self._offset)

    def monotonic(self) -> float:
        return time.monotonic() + self._offset

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


class ManualClock(Clock):
    """A clock that moves only when told: `advance(seconds)` or `sleep(seconds)`.

    `slept` lists every sleep asked of it, so a test can check a delay without waiting for it.
    """

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__()
        self._start = start or datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
        self._elapsed = 0.0
        self.slept: list[float] = []

    def _wall(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return self._elapsed

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._elapsed += seconds
