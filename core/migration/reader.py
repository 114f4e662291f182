"""Reading a CSV file row by row, and matching its header to a row schema.

Row numbers are those a spreadsheet shows: the header is row 1, the first data row is row 2 (a
blank line keeps its number and is skipped). Files are UTF-8, with or without a byte-order mark.

A bad row is that row's problem, never the file's: bytes that are not UTF-8 (kept as they were,
through ``surrogateescape``, so the error file shows them unchanged), a NUL character (which
PostgreSQL cannot store) or a field longer than the CSV reader takes (``csv.field_size_limit``)
fail their row, and reading goes on with the next one.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, TextIO

from badgebridge.core.errors import InvalidInput
from badgebridge.core.migration.schemas import Problem, RowSchema

MISSING = "required column missing from the header"
NOT_UTF8 = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of an undecodable byte
ENCODING_ERRORS = "surrogateescape"

Row = tuple[int, list[str], Problem | None]
"""A data row: its number, its cells, and what makes it unreadable (None: nothing)."""


class CsvFile:
    """An open CSV file: ``header`` is its first row, ``rows()`` streams the others; ``size`` is its
    length in bytes, ``position`` how many of them were read so far (to a buffer's length)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.header: list[str] = []
        self.size = 0
        self._bytes: BinaryIO | None = None
        self._file: TextIO | None = None
        self._reader: Any = None
        self._number = 0

    def __enter__(self) -> CsvFile:
        try:
            self._bytes = open(self.path, "rb")
            self.size = os.fstat(self._bytes.fileno()).st_size
        except OSError as exc:
            raise InvalidInput(f"cannot read {self.path}: {exc.strerror}") from None
        self._file = io.TextIOWrapper(self._bytes, encoding="utf-8-sig", errors=ENCODING_ERRORS, newline="")
        self._reader = csv.reader(self._file)
        try:
            row = self._next()
        except StopIteration:
            row = None
        if row is None or not any(cell.strip() for cell in row[1]):
            self.__exit__(None, None, None)
            raise InvalidInput(f"{self.path}: no header; the first row must name the columns")
        if row[2] is not None:
            self.__exit__(None, None, None)
            raise InvalidInput(f"{self.path}: the header row is not readable: {row[2].text}")
        self.header = row[1]
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._file is not None:
            self._file.close()  # closes the bytes under it too
            self._file = self._bytes = None

    @property
    def position(self) -> int:
        return self._bytes.tell() if self._bytes is not None else self.size

    def rows(self) -> Iterator[Row]:
        """``(row number, cells, problem)`` of each data row that is not blank."""
        while True:
            try:
                number, cells, problem = self._next()
            except StopIteration:
                return
            if problem is not None or (cells and any(cells)):
                yield number, cells, problem

    def _next(self) -> Row:
        try:
            cells = next(self._reader)
        except csv.Error as exc:
            self._number += 1
            return self._number, [], Problem(None, f"not readable as CSV: {exc}")
        self._number += 1
        return self._number, cells, self._unreadable(cells)

    def _unreadable(self, cells: list[str]) -> Problem | None:
        joined = "".join(cells)
        if "\x00" not in joined and NOT_UTF8.search(joined) is None:
            return None
        for index, cell in enumerate(cells):
            column = self.header[index].strip() if index < len(self.header) else None
            if (found := NOT_UTF8.search(cell)) is not None:
                byte = ord(found.group()) - 0xDC00
                return Problem(column, f"not UTF-8 text (byte 0x{byte:02x}); save the file as CSV UTF-8")
            if "\x00" in cell:
                return Problem(column, "holds a NUL character (0x00), which is not text")
        return None


class Columns:
    """A file's header matched to a row schema (column names case-insensitively).

    ``problems`` are the header's own: a required column missing, a column named twice. Columns the
    schema does not know are ignored.
    """

    def __init__(self, header: list[str], schema: RowSchema) -> None:
        self.width = len(header)
        known = {column.casefold(): column for column in schema.columns}
        self._picks: list[tuple[int, str, Callable[[str], Any] | None]] = []
        self.problems: list[Problem] = []
        seen: set[str] = set()
        self._position: dict[str | None, int] = {None: -1}
        for index, title in enumerate(header):
            column = known.get(title.strip().casefold())
            if column is None:
                continue
            if column in seen:
                self.problems.append(Problem(column, "named twice in the header"))
                continue
            seen.add(column)
            self._position[column] = index
            self._picks.append((index, column, schema.converters.get(column)))
        self.problems += [Problem(column, MISSING) for column in schema.required if column not in seen]
        for alternatives in schema.alternatives:
            problem = alternatives.missing(seen.__contains__, MISSING)
            if problem is not None:
                self.problems.append(problem)

    def row(self, cells: list[str]) -> dict[str, Any]:
        """The row as its schema takes it: non-empty cells, stripped, converted, by column name."""
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        row: dict[str, Any] = {}
        for index, column, convert in self._picks:
            value = cells[index].strip()
            if value:
                row[column] = convert(value) if convert else value
        return row

    def in_order(self, problems: list[Problem]) -> list[Problem]:
        """Problems in the order of their columns in the file (the row's own first)."""
        return sorted(problems, key=lambda problem: self._position.get(problem.column, self.width))

    def overflow(self, cells: list[str]) -> Problem | None:
        """A row with more values than the header has columns (a comma that should have been quoted)."""
        if len(cells) > self.width and any(cell.strip() for cell in cells[self.width :]):
            return Problem(None, f"{len(cells)} values, but the header has {self.width} columns")
        return None
