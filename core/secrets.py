"""Secrets (provider tokens) that never print in full.

``Secret`` wraps the value so that ``str()``, ``repr()`` and f-strings show it masked to its last
four characters; only ``reveal()`` gives the value, and only a provider's HTTP client should call it.
"""

from __future__ import annotations

VISIBLE = 4


def mask(value: str) -> str:
    """All but the last four characters replaced by ``*`` (short values are masked entirely)."""
    if len(value) <= VISIBLE * 2:
        return "*" * len(value)
    return "*" * (len(value) - VISIBLE) + value[-VISIBLE:]


class Secret:
    """A string that is masked wherever it is shown."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself: pass it to the wire, never to output, logs or exceptions."""
        return self._value

    @property
    def masked(self) -> str:
        return mask(self._value)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
