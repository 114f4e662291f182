"""Fault injection for `/v1` requests: latency, random 503s and a rate limit with `Retry-After`.

Set through `PUT /_mock/faults`; cleared by `POST /_mock/reset`. The control API is never affected.
"""

from __future__ import annotations

import math
import random
import threading
from typing import Any

from .clock import Clock, SystemClock
from .exceptions import InjectedFault, RateLimited


class Faults:
    """The fault settings in force, applied to each `/v1` request by `apply()`.

    The rate limit is a token bucket holding up to `max(1, rate)` requests and refilling at `rate` per
    second, so a fractional rate (0.5: one request every two seconds) works. The 503 dice are a
    `random.Random(seed)`: with a seed, the same sequence of requests meets the same failures. The
    bucket and the latency run on `clock` (a `ManualClock` in tests: no real waiting, no real time).
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Turn every fault off and zero the counters."""
        with self._lock:
            self._settings: dict[str, Any] = {
                "latency_ms": 0,
                "error_rate": 0.0,
                "rate_limit_per_second": None,
                "seed": None,
            }
            self._random = random.Random()
            self._tokens = 0.0
            self._refilled_at = self._clock.monotonic()
            self._injected_errors = 0
            self._rate_limited = 0

    def settings(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._settings)

    def counters(self) -> dict[str, int]:
        """How many requests the faults turned away since the last reset."""
        with self._lock:
            return {"injected_errors": self._injected_errors, "rate_limited": self._rate_limited}

    def update(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change the given settings (validated by the caller); returns all settings now in force.

        Giving `seed` restarts the dice from that seed; changing the rate limit refills the bucket.
        """
        with self._lock:
            self._settings.update(changes)
            if not self._settings["rate_limit_per_second"]:
                self._settings["rate_limit_per_second"] = None
            if "seed" in changes:
                self._random = random.Random(changes["seed"])
            if "rate_limit_per_second" in changes:
                self._tokens = self._capacity()
                self._refilled_at = self._clock.monotonic()
            return dict(self._settings)

    def apply(self) -> None:
        """Delay (holding no lock), then raise RateLimited or InjectedFault if the settings say so."""
        delay = self.settings()["latency_ms"] / 1000
        if delay:
            self._clock.sleep(delay)
        with self._lock:
            retry_after = self._take_token()
            if retry_after is not None:
                self._rate_limited += 1
                raise RateLimited(retry_after)
            if self._settings["error_rate"] and self._random.random() < self._settings["error_rate"]:
                self._injected_errors += 1
                raise InjectedFault()

    def _capacity(self) -> float:
        return max(1.0, float(self._settings["rate_limit_per_second"] or 0))

    def _take_token(self) -> int | None:
        """Spend one token; when there is none, the whole seconds until there is one."""
        rate = self._settings["rate_limit_per_second"]
        if not rate:
            return None
        moment = self._clock.monotonic()
        self._tokens = min(self._capacity(), self._tokens + (moment - self._refilled_at) * rate)
        self._refilled_at = moment
        if self._tokens >= 1:
            self._tokens -= 1
            return None
        return max(1, math.ceil((1 - self._tokens) / rate))
