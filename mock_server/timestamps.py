"""Timestamps: the API's output format and the lenient input formats clients send."""

from __future__ import annotations

from datetime import UTC, date, datetime

# Formats real clients send that `datetime.fromisoformat` does not read.
_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",  # 2014-04-01 09:41:00 -0500 (the documented example)
    "%Y-%m-%dT%H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S.%f %z",
    "%Y-%m-%d %I:%M:%S %p",  # Moodle's "Y-m-d h:i:s a"
    "%Y-%m-%d %I:%M %p",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
)


def format_timestamp(moment: datetime | None) -> str | None:
    """`2014-04-01T14:41:00.000Z`: ISO 8601 in UTC with milliseconds and a `Z`, as Credly writes it."""
    if moment is None:
        return None
    m = moment.astimezone(UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond // 1000:03d}Z"
    )


def format_date(moment: datetime | None) -> str | None:
    """`2014-04-01`: the UTC calendar date of a timestamp (the `*_date` fields)."""
    return None if moment is None else moment.astimezone(UTC).date().isoformat()


def parse_timestamp(text: str) -> datetime | None:
    """Read a timestamp in any format a known client sends; None when it is not one.

    A time without an offset is taken as UTC; a bare date is midnight UTC.
    """
    text = " ".join(text.split())
    if text.endswith((" Z", " UTC")):
        text = text.rsplit(" ", 1)[0] + "+00:00"
    moment = _parse_iso(text) or _parse_formats(text)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_day(text: str) -> date | None:
    """Read a `YYYY-MM-DD` filter value; None when it is not one."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _parse_formats(text: str) -> datetime | None:
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None
