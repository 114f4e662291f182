"""The filter and sort keys each list understands, as functions over the mock's objects.

A key missing from these tables is ignored (see `query.apply_filter` and `query.apply_sort`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from .models import Badge, BadgeTemplate, Employee, Event
from .query import Clause
from .timestamps import parse_day


def _bools(values: Sequence[str]) -> set[bool]:
    return {value.lower() == "true" for value in values if value.lower() in ("true", "false")}


def _within_days(moment: datetime | None, clause: Clause, bound: str) -> bool:
    """`created_at_min::2024-01-31`: compare the UTC date; an unreadable date filters nothing.

    An empty moment (a badge that never expires) is past every maximum and before no minimum.
    """
    day = parse_day(clause.values[0])
    if day is None:
        return True
    if moment is None:
        return bound == "min"
    return moment.date() >= day if bound == "min" else moment.date() <= day


def _any_of(values: Sequence[str], actual: str | None) -> bool:
    return actual is not None and actual.casefold() in {value.casefold() for value in values}


def _date_filters(attribute: str, name: str | None = None) -> dict[str, Callable[[Any, Clause], bool]]:
    """`<name>_min` and `<name>_max` over the datetime `attribute` (`name` defaults to it)."""
    name = name or attribute
    return {
        f"{name}_min": lambda item, c: _within_days(getattr(item, attribute), c, "min"),
        f"{name}_max": lambda item, c: _within_days(getattr(item, attribute), c, "max"),
    }


def _name_matches(template: BadgeTemplate, clause: Clause) -> bool:
    name = template.name.casefold()
    if clause.exact:
        return name == clause.values[0].casefold()
    return any(value.casefold() in name for value in clause.values)


TEMPLATE_FILTERS: dict[str, Callable[[BadgeTemplate, Clause], bool]] = {
    "state": lambda t, c: _any_of(c.values, t.state),
    "name": _name_matches,
    "query": lambda t, c: any(v.casefold() in f"{t.name}\n{t.description}".casefold() for v in c.values),
    "public": lambda t, c: not _bools(c.values) or t.public in _bools(c.values),
    "owner_id": lambda t, c: _any_of(c.values, t.organization.id),
    **_date_filters("created_at"),
    **_date_filters("updated_at"),
}
TEMPLATE_SORTS: dict[str, Callable[[BadgeTemplate], Any]] = {
    "name": lambda t: t.name.casefold(),
    "state": lambda t: t.state,
    "created_at": lambda t: t.created_at,
    "updated_at": lambda t: t.updated_at,
}
BADGE_FILTERS: dict[str, Callable[[Badge, Clause], bool]] = {
    "recipient_email": lambda b, c: _any_of(c.values, b.recipient_email),
    "recipient_email_all": lambda b, c: _any_of(c.values, b.recipient_email),
    "badge_template_id": lambda b, c: _any_of(c.values, b.template.id),
    "issuer_earner_id": lambda b, c: _any_of(c.values, b.issuer_earner_id),
    "state": lambda b, c: _any_of(c.values, b.state),
    "public": lambda b, c: not _bools(c.values) or True in _bools(c.values),
    **_date_filters("created_at"),
    **_date_filters("updated_at"),
    **_date_filters("issued_at"),
    **_date_filters("issued_at", "issued_at_date"),
    **_date_filters("expires_at"),
    **_date_filters("expires_at", "expires_at_date"),
}
BADGE_SORTS: dict[str, Callable[[Badge], Any]] = {
    "created_at": lambda b: b.created_at,
    "updated_at": lambda b: b.updated_at,
    "issued_at": lambda b: b.issued_at,
    "state_updated_at": lambda b: b.state_updated_at,
    "recipient_email": lambda b: b.recipient_email.casefold(),
    "state": lambda b: b.state,
}
EVENT_FILTERS: dict[str, Callable[[Event, Clause], bool]] = {
    "event_type": lambda e, c: _any_of(c.values, e.event_type),
    **_date_filters("occurred_at"),
}
EVENT_SORTS: dict[str, Callable[[Event], Any]] = {
    "occurred_at": lambda e: e.occurred_at,
    "event_type": lambda e: e.event_type,
}
EMPLOYEE_FILTERS: dict[str, Callable[[Employee, Clause], bool]] = {
    "email": lambda e, c: _any_of(c.values, e.email),
    "external_id": lambda e, c: _any_of(c.values, e.external_id),
    "employee_state": lambda e, c: _any_of(c.values, e.employee_state),
    "department": lambda e, c: _any_of(c.values, e.department),
    **_date_filters("created_at"),
}
EMPLOYEE_SORTS: dict[str, Callable[[Employee], Any]] = {
    "email": lambda e: e.email.casefold(),
    "last_name": lambda e: (e.last_name or "").casefold(),
    "created_at": lambda e: e.created_at,
}
