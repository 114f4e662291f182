"""Scripted answers: "the next N calls of operation X answer status S" (`POST /_mock/script`)."""

from __future__ import annotations

import threading
from typing import Any

from .exceptions import ScriptedAnswer


class Script:
    """Scripted answers in the order they were given; each is used up after `times` calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []

    def add(self, operation: str, times: int, status: int, retry_after: int | None = None) -> dict[str, Any]:
        entry = {
            "operation": operation,
            "times": times,
            "status": status,
            "retry_after": retry_after,
            "remaining": times,
        }
        with self._lock:
            self._entries.append(entry)
            return dict(entry)

    def entries(self) -> list[dict[str, Any]]:
        """The entries with calls left."""
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def apply(self, operation: str) -> None:
        """Raise the scripted answer for this call of `operation`, if one is due."""
        with self._lock:
            for entry in self._entries:
                if entry["operation"] == operation:
                    entry["remaining"] -= 1
                    if not entry["remaining"]:
                        self._entries.remove(entry)
                    raise ScriptedAnswer(entry["status"], operation, entry["retry_after"])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
