"""A clock the test moves by hand, installed as the host's ``utcnow()`` (``badgebridge.core.clock``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from badgebridge.core import clock

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


class ManualClock:
    """Time stands still until ``advance()``; thread-safe enough for reads (one writer: the test)."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def manual_clock() -> Iterator[ManualClock]:
    """The host reads this clock for the whole test."""
    hand = ManualClock()
    with clock.controlled(hand):
        yield hand
