"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.types import TypeDecorator

from badgebridge.core.storage.encryption import seal, unseal


class UTCDateTime(TypeDecorator):
    """Stores timezone-aware datetimes as naive UTC, returns them aware (UTC).

    SQLite keeps no zone; PostgreSQL's ``timestamp without time zone`` is used on both so the two
    behave the same.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)

    def bind_processor(self, dialect):
        """``process_bind_param`` and the dialect's own conversion, remembering the last value: a
        batch of rows gives each of them the same moment (``created_at``, ``updated_at``), which
        is then converted once per column, not once per row."""
        convert = self._conversion(dialect)
        last: list[tuple[datetime | None, Any]] = [(None, None)]  # replaced whole: safe across threads

        def process(value: datetime | None) -> Any:
            given, converted = last[0]
            if value is given:
                return converted
            converted = convert(value)
            last[0] = (value, converted)
            return converted

        return process

    def _conversion(self, dialect):
        """The full conversion of a bind value. On SQLite, SQLAlchemy stores the naive UTC time as
        text (``2021-06-01 09:30:00.000000``), which ``isoformat`` writes in half the time; that
        shortcut is taken only if it writes exactly what SQLAlchemy's own conversion does."""
        standard = super().bind_processor(dialect)
        assert standard is not None  # a TypeDecorator with process_bind_param always has one
        if dialect.name != "sqlite":
            return standard

        def as_text(value: datetime | None) -> str | None:
            naive = self.process_bind_param(value, dialect)
            return None if naive is None else naive.isoformat(" ", "microseconds")

        return as_text if all(as_text(probe) == standard(probe) for probe in _PROBES) else standard


_PROBES = (
    None,
    datetime(2021, 6, 1, 9, 30, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2038, 1, 19, 3, 14, 7, 120, tzinfo=timezone(timedelta(hours=5, minutes=30))),
)
"""Values on which SQLite's shortcut must agree with SQLAlchemy: none, whole seconds,
microseconds, another zone."""


class SealedJSON(TypeDecorator):
    """A JSON object, encrypted when ``BADGEBRIDGE_SECRET_KEY`` is set (see ``encryption``).

    Every reader and writer of the column gets plain dicts; only the stored value differs.
    """

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect) -> dict[str, Any] | None:
        return None if value is None else seal(value)

    def process_result_value(self, value: dict[str, Any] | None, dialect) -> dict[str, Any] | None:
        return None if value is None else unseal(value)
