"""The custom JSON Schema formats of ALM's migration files, and the parsers that go with them.

Both validators register the same checks: the compiled one (``fastjsonschema``) on the fast path,
``jsonschema``'s ``FormatChecker`` on the slow path, which also asks ``problem`` why a value fails.

- ``alm-date-time``: ISO-8601 with milliseconds and ``Z`` (``2016-08-17T08:56:21.000Z``), a real
  calendar date and time, in the years 1981–2038 (ALM refuses dates outside them).
- ``alm-boolean``: ``TRUE`` or ``FALSE``, in any case.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from jsonschema import FormatChecker

EXAMPLE_DATE_TIME = "2016-08-17T08:56:21.000Z"
FIRST_YEAR, LAST_YEAR = 1981, 2038
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
_BOOLEANS = {"true": True, "false": False}


def parse_date_time(value: str) -> datetime:
    """An ``alm-date-time`` value (already validated) as an aware UTC datetime."""
    return datetime.fromisoformat(value)


def parse_boolean(value: str | None) -> bool:
    """An ``alm-boolean`` value (already validated); an absent value is FALSE."""
    return value is not None and _BOOLEANS[value.lower()]


def date_time_problem(value: str) -> str | None:
    """Why ``value`` is not an ALM date-time, or None if it is one."""
    if not _DATE_TIME.fullmatch(value):
        return f"{value!r} is not an ISO-8601 date-time like {EXAMPLE_DATE_TIME}"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a real date and time"
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        return f"{value!r} is outside the years {FIRST_YEAR}–{LAST_YEAR}"
    return None


def boolean_problem(value: str) -> str | None:
    return None if value.lower() in _BOOLEANS else f"{value!r} is not TRUE or FALSE"


@dataclass(frozen=True)
class Format:
    """A custom format: ``problem(value)`` says why a value fails it, None when it holds."""

    problem: Callable[[str], str | None]

    def check(self, value: str) -> bool:
        return self.problem(value) is None


FORMATS: dict[str, Format] = {
    "alm-date-time": Format(date_time_problem),
    "alm-boolean": Format(boolean_problem),
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
