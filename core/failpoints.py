"""Test-only crash points: ``BADGEBRIDGE_TEST_KILL_AT=NAME[:N]`` SIGKILLs the process the Nth time
(default: the first) it reaches the point ``NAME``. Unset (always, outside the crash tests), it
does nothing.

Points: ``after-claim`` (claims committed), ``after-accept`` (the provider created the badge, not
yet recorded), ``before-commit`` (the award's update is written, its transaction not committed).
"""

from __future__ import annotations

import os
import signal
import threading

_lock = threading.Lock()
_seen: dict[str, int] = {}


def reached(name: str) -> None:
    spec = os.environ.get("BADGEBRIDGE_TEST_KILL_AT")
    if not spec:
        return
    point, _, nth = spec.partition(":")
    if point != name:
        return
    with _lock:
        _seen[name] = _seen.get(name, 0) + 1
        if _seen[name] >= int(nth or 1):
            os.kill(os.getpid(), signal.SIGKILL)
