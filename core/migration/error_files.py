"""``<file>.errors.csv``: the rows that failed, as given, with one last column saying why.

The file is created at the first failed row; one left by an earlier run is removed first, so no
stale error file remains when a file now has no errors. If the run fails part-way, the partial
error file is removed too.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from badgebridge.core.errors import InvalidInput
from badgebridge.core.migration.schemas import Problem

ERROR_COLUMN = "error"
ERRORS_SUFFIX = ".errors.csv"


def error_path(source: Path, errors_dir: Path | None) -> Path:
    """Where the errors of ``source`` go: ``<stem>.errors.csv`` in ``errors_dir`` or next to it."""
    return (errors_dir or source.parent) / f"{source.stem}{ERRORS_SUFFIX}"


def describe(number: int, problems: Sequence[Problem]) -> str:
    """``row 4, column state: ...; row 4, column imageUrl: ...`` (``row 4: ...`` for the whole row)."""
    return "; ".join(
        f"row {number}, column {column}: {text}" if column else f"row {number}: {text}"
        for column, text in problems
    )


class ErrorFile:
    """Collects a file's failed rows; ``path`` is set once one was written."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self._target = path
        self._header = header
        self._file: Any = None
        self._writer: Any = None
        self.path: Path | None = None

    def __enter__(self) -> ErrorFile:
        try:
            self._target.unlink(missing_ok=True)
        except OSError as exc:
            raise InvalidInput(f"cannot remove the old error file {self._target}: {exc.strerror}") from None
        return self

    def add(self, number: int, cells: list[str], problems: Sequence[Problem]) -> None:
        if self._writer is None:
            self._open()
        padded = cells + [""] * (len(self._header) - len(cells))  # a row the reader could not split
        self._writer.writerow([*padded, describe(number, problems)])

    def _open(self) -> None:
        try:
            self._target.parent.mkdir(parents=True, exist_ok=True)
            # surrogateescape writes a row's undecodable bytes back as they were in the file
            self._file = open(  # noqa: SIM115 (closed in __exit__)
                self._target, "w", encoding="utf-8", errors="surrogateescape", newline=""
            )
        except OSError as exc:
            raise InvalidInput(f"cannot write the error file {self._target}: {exc.strerror}") from None
        self._writer = csv.writer(self._file)
        self._writer.writerow([*self._header, ERROR_COLUMN])
        self.path = self._target

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._file is not None:
            self._file.close()
        if exc_type is not None and self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None
