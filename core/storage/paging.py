"""Keyset pages: a list read in bounded batches, in the order of a unique key, from a cursor.

A list command shows its rows in the order of a key whose last column is unique (``awards.id``, or
``badges.name, badges.id``); ``--after CURSOR`` starts after the row that cursor names, by value,
not by position, so rows inserted or deleted between two pages shift nothing: no row is shown twice
and none is skipped. Each batch is its own short transaction (on SQLite every transaction takes the
write lock, so one long read would hold workers off for the whole list), and no more than one batch
is held in memory, however many rows there are.

A cursor is the key of the last row shown: the value itself for a one-column key (an award id, a
learner's email), else the values as JSON in URL-safe base64. ``Listing.next_cursor`` is the
cursor of the next page once a page with a limit has been read and more rows follow.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Connection, Integer, RowMapping, Select, tuple_

from badgebridge.core.errors import InvalidInput
from badgebridge.core.storage import Database

T = TypeVar("T")
BATCH = 500  # rows per query and per transaction


@dataclass(frozen=True)
class PageRequest:
    """Which page: at most ``limit`` rows (None: all) after the row named by the cursor ``after``."""

    limit: int | None = None
    after: str | None = None


ALL = PageRequest()


class Keyset:
    """The columns a list is ordered by; the last one is unique among rows equal in the others."""

    def __init__(self, *columns) -> None:
        self.columns = columns

    def values_of(self, row: RowMapping) -> tuple:
        return tuple(row[column.key] for column in self.columns)

    def cursor_of(self, row: RowMapping) -> str:
        values = self.values_of(row)
        if len(values) == 1:
            return str(values[0])
        return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")

    def parse(self, cursor: str) -> tuple:
        """The key values a cursor names; a cursor of another list is a clear error."""
        if len(self.columns) == 1:
            if isinstance(self.columns[0].type, Integer):
                try:
                    return (int(cursor),)
                except ValueError:
                    raise InvalidInput(f"--after: {cursor!r} is not a cursor of this list (an id)") from None
            return (cursor,)
        try:
            values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (binascii.Error, ValueError):
            values = None
        if not isinstance(values, list) or len(values) != len(self.columns):
            raise InvalidInput(f"--after: {cursor!r} is not a cursor of this list (use the one it printed)")
        return tuple(values)

    def after(self, values: tuple):
        if len(values) == 1:
            return self.columns[0] > values[0]
        return tuple_(*self.columns) > tuple_(*values)


def per_row(record: Callable[[RowMapping], T]) -> Callable[[Connection, Sequence[RowMapping]], list[T]]:
    """A batch converter that turns each row into a record with ``record``."""
    return lambda _conn, rows: [record(row) for row in rows]


class Listing(Generic[T]):
    """The records of one page, read a batch at a time as they are iterated (once).

    ``convert(conn, rows)`` turns a batch of rows into records, in the batch's transaction (so it
    may read what the records need besides, such as a skill's levels).
    """

    def __init__(
        self,
        db: Database,
        query: Select,
        keyset: Keyset,
        page: PageRequest,
        convert: Callable[[Connection, Sequence[RowMapping]], list[T]],
        batch: int = BATCH,
    ) -> None:
        self.next_cursor: str | None = None
        start = keyset.parse(page.after) if page.after is not None else None
        self._records = self._read(
            db, query.order_by(*keyset.columns), keyset, start, page.limit, convert, batch
        )

    def __iter__(self) -> Iterator[T]:
        return self._records

    def _read(self, db, query, keyset, start, limit, convert, batch) -> Iterator[T]:
        remaining = limit
        while True:
            last_batch = remaining is not None and remaining <= batch
            size = remaining + 1 if last_batch else batch  # one more row tells whether more follow
            chosen = query if start is None else query.where(keyset.after(start))
            with db.begin() as conn:
                rows = conn.execute(chosen.limit(size)).mappings().all()
                more = last_batch and len(rows) > remaining
                if more:
                    rows = rows[:remaining]
                records = convert(conn, rows)
            yield from records
            if more:
                self.next_cursor = keyset.cursor_of(rows[-1])
            if last_batch or len(rows) < size:
                return
            start = keyset.values_of(rows[-1])
            if remaining is not None:
                remaining -= len(rows)
