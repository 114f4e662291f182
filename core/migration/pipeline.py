"""One file through the migration: stream, validate, check in batches, write, report.

Rows are read one at a time and gathered into batches of ``BATCH_SIZE``. A batch is checked as a
whole (one query per referenced table, not one per row), then written (one query for the stored
rows, then bulk inserts and updates). Nothing is kept in memory from one batch to the next, so
memory does not grow with the file; the keys given so far wait on disk (``SeenKeys``). A key that
an earlier row of the file gave fails the later row, naming the first, and a rerun fails it again:
the first row is the one imported.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection

from badgebridge.core.migration.error_files import ErrorFile, error_path
from badgebridge.core.migration.reader import Columns, CsvFile
from badgebridge.core.migration.report import FileReport
from badgebridge.core.migration.schemas import Problem, RowSchema, load
from badgebridge.core.migration.seen_keys import SeenKeys
from badgebridge.core.storage import Database

BATCH_SIZE = 2000


class BatchCheck(Protocol):
    """A batch check that keeps what it learned across files (``providers.ExternalBadges``)."""

    def check(self, entries: list[Entry]) -> None: ...


@dataclass
class Context:
    """What the checks and writers of one file share: its transaction, the time, what they found.

    ``externals`` checks external badges (it caches the providers' answers for the whole run);
    ``award_ids`` collects the awards the file created, handed on once its transaction commits.
    """

    conn: Connection
    now: datetime
    externals: BatchCheck | None = None
    award_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Entry:
    """A data row on its way: ``row`` is what the schema validated, ``key`` its identity (the spec's
    ``key`` of a valid row), ``found`` what the checks looked up for the writer (a learner id, a
    connection id); the writer sets ``changed``."""

    number: int
    cells: list[str]
    row: dict[str, Any]
    problems: list[Problem]
    key: Hashable = None
    found: dict[str, Any] = field(default_factory=dict)
    changed: bool = False


Check = Callable[[Context, list[Entry]], None]
"""Looks at a batch of valid entries and appends problems to those that fail."""


@dataclass(frozen=True)
class FileSpec:
    """How one file is read and written.

    :param name: the file name (``badge.csv``); its schema is ``schemas/<stem>.schema.json``.
    :param key: the identity of a row (what a repeated row would overwrite), or None.
    :param rules: checks of one row across its columns that a schema cannot express.
    :param checks: batch checks against the database and the providers (references).
    :param write: stores a batch of entries that passed every check, setting ``changed``.
    """

    name: str
    key: Callable[[dict[str, Any]], Hashable] | None
    write: Callable[[Context, list[Entry]], None]
    rules: tuple[Callable[[dict[str, Any]], Iterable[Problem]], ...] = ()
    checks: tuple[Check, ...] = ()

    @property
    def schema(self) -> str:
        return self.name.removesuffix(".csv")


@contextmanager
def transactions(db: Database, dry_run: bool) -> Iterator[Callable[[], AbstractContextManager[Connection]]]:
    """Yields what opens each file's transaction: its own, or (dry run) the one that is rolled back."""
    if not dry_run:
        yield db.begin
        return
    with db.engine.connect() as conn:
        outer = conn.begin()
        try:
            yield lambda: nullcontext(conn)
        finally:
            outer.rollback()


def process_file(ctx: Context, spec: FileSpec, path: Path, errors_dir: Path | None) -> FileReport:
    """Import one file in ``ctx``'s transaction; failed rows go to its error file."""
    schema = load(spec.schema)
    report = FileReport(path.name, path)
    with (
        CsvFile(path) as source,
        ErrorFile(error_path(path, errors_dir), source.header) as errors,
        SeenKeys() as seen,
    ):
        columns = Columns(source.header, schema)
        batch: list[Entry] = []
        keys: dict[Hashable, int] = {}  # the batch's keys, and the row that gave each

        def flush() -> None:
            earlier = seen.record(keys) if keys else {}
            for entry in batch:
                if entry.key in earlier and not entry.problems:
                    entry.problems.append(_repeated(entry.key, earlier[entry.key]))
            valid = [entry for entry in batch if not entry.problems]
            for check in spec.checks:
                check(ctx, valid)
                valid = [entry for entry in valid if not entry.problems]
            if valid:
                spec.write(ctx, valid)
            for entry in batch:
                if entry.problems:
                    errors.add(entry.number, entry.cells, entry.problems)
                    report.failed += 1
                elif entry.changed:
                    report.imported += 1
                else:
                    report.unchanged += 1
            batch.clear()
            keys.clear()

        for number, cells, unreadable in source.rows():
            report.rows += 1
            if unreadable is not None:
                entry = Entry(number, cells, {}, [unreadable])
            else:
                entry = _entry(spec, schema, columns, number, cells)
            if spec.key is not None and not entry.problems:
                entry.key = spec.key(entry.row)
                if entry.key in keys:
                    entry.problems.append(_repeated(entry.key, keys[entry.key]))
                else:
                    keys[entry.key] = number
            batch.append(entry)
            if len(batch) >= BATCH_SIZE:
                flush()
        flush()
    report.errors_path = errors.path
    return report


def _repeated(key: Hashable, first_row: int) -> Problem:
    shown_key = ", ".join(str(part) for part in key) if isinstance(key, tuple) else str(key)
    return Problem(None, f"repeats the key of row {first_row} ({shown_key}); a file gives each key once")


def _entry(spec: FileSpec, schema: RowSchema, columns: Columns, number: int, cells: list[str]) -> Entry:
    if columns.problems:
        return Entry(number, cells, {}, list(columns.problems))
    overflow = columns.overflow(cells)
    if overflow is not None:
        return Entry(number, cells, {}, [overflow])
    row = columns.row(cells)
    problems = schema.problems(row)
    if problems:
        return Entry(number, cells, row, columns.in_order(problems))
    for rule in spec.rules:
        problems.extend(rule(row))
    return Entry(number, cells, row, problems)
