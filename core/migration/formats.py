"""The custom JSON Schema formats of ALM's migration files, and the parsers that go with them.

Both validators register the same checks: the compiled one (``fastjsonschema``) on the fast path,
``jsonschema``'s ``FormatChecker`` on the slow path, which also asks ``problem`` why a value fails.

- ``alm-date-time``: ISO-8601 with milliseconds and ``Z`` (``2016-08-17T08:56:21.000Z``), a real
  calendar date and time, in the years 1981–2038 (ALM refuses dates outside them). ALM's file
  specifications require the milliseconds and the ``Z``; an ISO-8601 value without them is refused
  with what it lacks and how it would be written (``'2024-05-01T10:00:00Z' needs milliseconds:
  2024-05-01T10:00:00.000Z``).
- ``alm-boolean``: ``TRUE`` or ``FALSE``, in any case.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from jsonschema import FormatChecker

EXAMPLE_DATE_TIME = "2016-08-17T08:56:21.000Z"
FIRST_YEAR, LAST_YEAR = 1981, 2038
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
_ISO_LIKE = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:(?P<separator>[T ])\d{2}:\d{2}(?P<seconds>:\d{2})?(?P<fraction>\.\d+)?)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?"
)
_BOOLEANS = {"true": True, "false": False}


def parse_date_time(value: str) -> datetime:
    """An ``alm-date-time`` value (already validated) as an aware UTC datetime."""
    return datetime.fromisoformat(value)


def parse_boolean(value: str | None) -> bool:
    """An ``alm-boolean`` value (already validated); an absent value is FALSE."""
    return value is not None and _BOOLEANS[value.lower()]


def date_time_problem(value: str) -> str | None:
    """Why ``value`` is not an ALM date-time, or None if it is one."""
    written = _DATE_TIME.fullmatch(value)
    parts = None if written else _ISO_LIKE.fullmatch(value)
    if not written and parts is None:
        return f"{value!r} is not an ISO-8601 date-time like {EXAMPLE_DATE_TIME}"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a real date and time"
    in_years = FIRST_YEAR <= moment.year <= LAST_YEAR
    if parts is None and in_years:
        return None
    outside = f"outside the years {FIRST_YEAR}–{LAST_YEAR}"
    if parts is None:
        return f"{value!r} is {outside}"
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    fixed = utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    said = f"{value!r} needs {_lacks(parts)}: {fixed}"
    return said if in_years else f"{said}, and is {outside}"


def _lacks(parts: re.Match[str]) -> str:
    """What an ISO-8601 value lacks of ALM's form, in words (``milliseconds and Z (UTC)``); it
    lacks something, or it would be in that form."""
    lacks = []
    if parts["separator"] is None:
        lacks.append("a time")
    elif parts["separator"] != "T":
        lacks.append("a T between the date and the time")
    elif parts["seconds"] is None:
        lacks.append("seconds")
    if parts["separator"] is not None and len(parts["fraction"] or "") != len(".000"):
        lacks.append("milliseconds" if not parts["fraction"] else "3 digits of milliseconds")
    zone = parts["zone"]
    if zone is None:
        lacks.append("Z (UTC)")
    elif zone != "Z":
        utc = zone.lstrip("+-").replace(":", "") == "0000"
        lacks.append("Z for UTC" if utc else "the time in UTC, with Z")
    return ", ".join(lacks[:-1]) + " and " + lacks[-1] if len(lacks) > 1 else "".join(lacks)


def is_date_time(value: str) -> bool:
    """``date_time_problem(value) is None``, without composing the words (the check of every row)."""
    if _DATE_TIME.fullmatch(value) is None:
        return False
    try:
        return FIRST_YEAR <= datetime.fromisoformat(value).year <= LAST_YEAR
    except ValueError:
        return False


def boolean_problem(value: str) -> str | None:
    return None if is_boolean(value) else f"{value!r} is not TRUE or FALSE"


def is_boolean(value: str) -> bool:
    return value.lower() in _BOOLEANS


@dataclass(frozen=True)
class Format:
    """A custom format: ``check(value)`` whether a value holds, ``problem(value)`` why it fails
    (None when it holds)."""

    check: Callable[[str], bool]
    problem: Callable[[str], str | None]


FORMATS: dict[str, Format] = {
    "alm-date-time": Format(is_date_time, date_time_problem),
    "alm-boolean": Format(is_boolean, boolean_problem),
}


def compiled_formats() -> dict[str, Callable[[str], bool]]:
    """The formats as ``fastjsonschema.compile(..., formats=...)`` takes them."""
    return {name: fmt.check for name, fmt in FORMATS.items()}


def format_checker() -> FormatChecker:
    """A ``FormatChecker`` that knows only the ALM formats."""
    checker = FormatChecker(formats=())
    for name, fmt in FORMATS.items():
        checker.checks(name)(fmt.check)
    return checker
