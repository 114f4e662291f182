"""The UTC datetime column writes what SQLAlchemy's own DateTime writes, converted to UTC."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime
from sqlalchemy.dialects import postgresql, sqlite

from badgebridge.core.storage.types import UTCDateTime


def _moments(count: int) -> list[datetime]:
    chance = random.Random(7)
    start = datetime(1970, 1, 1, tzinfo=UTC)
    moments = [
        (
            start
            + timedelta(seconds=chance.randrange(3_000_000_000), microseconds=chance.randrange(1_000_000))
        ).astimezone(timezone(timedelta(minutes=chance.randrange(-720, 840, 15))))
        for _ in range(count)
    ]
    return moments + [m.replace(microsecond=0) for m in moments[:50]]


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_bind_values_are_sqlalchemys_of_the_utc_time(dialect):
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    plain = DateTime().dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)
    for moment in _moments(500):
        assert ours(moment) == plain(moment.astimezone(UTC).replace(tzinfo=None)), moment
        assert ours(moment) == ours(moment)  # the remembered value is the same
    assert ours(None) is None


def test_a_naive_datetime_is_refused():
    dialect = sqlite.dialect()
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().dialect_impl(dialect).bind_processor(dialect)(datetime(2026, 1, 1))
