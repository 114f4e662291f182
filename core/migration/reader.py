"""Reading a CSV file row by row, and matching its header to a row schema.

Row numbers are those a spreadsheet shows: the header is row 1, the first data row is row 2 (a
blank line keeps its number and is skipped). Files are UTF-8, with or without a byte-order mark.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from badgebridge.core.errors import InvalidInput
from badgebridge.core.migration.schemas import Problem, RowSchema

MISSING = "required column missing from the header"


class CsvFile:
    """An open CSV file: ``header`` is its first row, ``rows()`` streams the others."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.header: list[str] = []
        self._file: TextIO | None = None
        self._reader: Any = None
        self._number = 0

    def __enter__(self) -> CsvFile:
        try:
            self._file = open(self.path, encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise InvalidInput(f"cannot read {self.path}: {exc.strerror}") from None
        self._reader = csv.reader(self._file)
        header = self._next()
        if header is None or not any(cell.strip() for cell in header):
            self.__exit__(None, None, None)
            raise InvalidInput(f"{self.path}: no header; the first row must name the columns")
        self.header = header
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """``(row number, cells)`` of each data row that is not blank."""
        while (cells := self._next()) is not None:
            if cells and any(cells):
                yield self._number, cells

    def _next(self) -> list[str] | None:
        try:
            cells = next(self._reader)
        except StopIteration:
            return None
        except UnicodeDecodeError as exc:
            line = _first_line_not_utf8(self.path)
            raise InvalidInput(
                f"{self.path}: line {line} is not UTF-8 text ({exc.reason}); save the file as CSV UTF-8"
            ) from None
        except csv.Error as exc:
            raise InvalidInput(f"{self.path}: row {self._number + 1}: not readable as CSV: {exc}") from None
        self._number += 1
        return cells


def _first_line_not_utf8(path: Path) -> int:
    """The number of the first line that does not decode (text is decoded in blocks, not lines)."""
    with open(path, "rb") as raw:
        for number, line in enumerate(raw, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


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
