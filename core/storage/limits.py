"""Values checked against their column's length before they are written.

PostgreSQL refuses a value longer than its ``VARCHAR(n)`` and SQLite stores it anyway; checking
first gives both the same one-line error that names the field and the limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Table

from badgebridge.core.errors import InvalidInput


def too_long(table: Table, values: Mapping[str, Any]) -> tuple[str, int, int] | None:
    """The first ``(column, length, limit)`` whose text does not fit its column, or None."""
    limits = _limits(table)
    for name, value in values.items():
        limit = limits.get(name)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            return name, len(value), limit
    return None


@cache
def _limits(table: Table) -> dict[str, int]:
    """The length of each column of ``table`` that has one."""
    return {column.name: column.type.length for column in table.c if getattr(column.type, "length", None)}


def require_fit(table: Table, what: str, **values: Any) -> None:
    """``InvalidInput`` naming the field (``connection name``) when a value is longer than its column."""
    found = too_long(table, values)
    if found is not None:
        column, length, limit = found
        raise InvalidInput(
            f"{what} {column.replace('_', ' ')} is {length} characters long; at most {limit} fit"
        )
