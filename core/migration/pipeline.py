"""One file through the migration: stream, validate, check in batches, write, report.

Rows are read one at a time and gathered into batches of ``BATCH_SIZE``. A batch is checked as a
whole (one query per referenced table, not one per row; rows that failed the schema are checked
too, on their other columns, so a row's every problem is told at once), then its good rows are
written (one query for the stored rows, then bulk inserts and updates). Nothing is kept in memory
from one batch to the next, so memory does not grow with the file; the keys given so far wait on
disk (``SeenKeys``). A key that an earlier row of the file gave fails the later row, naming the
first, and a rerun fails it again: the first row is the one imported.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection

from badgebridge.core.migration.error_files import ErrorFile, describe, error_path
from badgebridge.core.migration.progress import FileProgress, Progress
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
    """A data row on its way: ``row`` its cells that passed the schema (all of them, for a valid
    row), ``key`` its identity (the spec's ``key`` of a valid row), ``found`` what the checks looked
    up for the writer (a learner id, a connection id); the writer sets ``changed``."""

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
    rules: tuple[Callable[[dict[str, Any]], list[Problem]], ...] = ()
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


def process_file(
    ctx: Context, spec: FileSpec, path: Path, errors_dir: Path | None, progress: Progress | None = None
) -> FileReport:
    """Import one file in ``ctx``'s transaction; failed rows go to its error file.

    A header that lacks a required column (or names one twice) is the file's problem
    (``report.problem``): no row is read. ``progress`` hears how far the reading got, batch by batch.
    """
    schema = load(spec.schema)
    report = FileReport(path.name, path)
    with (
        CsvFile(path) as source,
        ErrorFile(error_path(path, errors_dir), source.header) as errors,
        SeenKeys() as seen,
    ):
        columns = Columns(source.header, schema)
        if columns.problems:
            report.problem = _header_problem(path, columns, sum(1 for _ in source.rows()))
            return report
        reading = FileProgress(path.name, source.size)
        batch: list[Entry] = []
        keys: dict[Hashable, int] = {}  # the batch's keys, and the row that gave each

        def flush() -> None:
            earlier = seen.record(keys) if keys else {}
            for entry in batch:
                if entry.key in earlier and not entry.problems:
                    entry.problems.append(_repeated(entry.key, earlier[entry.key]))
            readable = [entry for entry in batch if entry.row]
            for check in spec.checks:
                check(ctx, readable)
            valid = [entry for entry in batch if not entry.problems]
            if valid:
                spec.write(ctx, valid)
            for entry in batch:
                if entry.problems:
                    problems = columns.in_order(entry.problems)
                    errors.add(entry.number, entry.cells, problems)
                    report.failed += 1
                    if report.first_error is None:
                        report.first_error = describe(entry.number, problems)
                elif entry.changed:
                    report.imported += 1
                else:
                    report.unchanged += 1
            batch.clear()
            keys.clear()
            if progress is not None:
                progress(reading.advance(report.rows, source.position))

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
        if progress is not None:
            progress(reading.finish(report.rows))
    report.errors_path = errors.path
    return report


def _header_problem(path: Path, columns: Columns, rows: int) -> str:
    """``learning_program.csv: column dateAdded: required column missing from the header; ...``"""
    said = "; ".join(f"column {column}: {text}" if column else text for column, text in columns.problems)
    return f"{path.name}: {said}; none of its {rows} row(s) was read"


def _repeated(key: Hashable, first_row: int) -> Problem:
    shown_key = ", ".join(str(part) for part in key) if isinstance(key, tuple) else str(key)
    return Problem(None, f"repeats the key of row {first_row} ({shown_key}); a file gives each key once")


def _entry(spec: FileSpec, schema: RowSchema, columns: Columns, number: int, cells: list[str]) -> Entry:
    """A row with every problem it has: the schema's, and the rules' on the columns the schema passed.

    ``row`` keeps only the columns without a problem, so the rules and the batch checks look at
    what they can check and a problem is reported once."""
    overflow = columns.overflow(cells)
    if overflow is not None:
        return Entry(number, cells, {}, [overflow])
    row = columns.row(cells)
    problems = schema.problems(row)
    failed = {problem.column for problem in problems}
    if failed:
        row = {column: value for column, value in row.items() if column not in failed}
    for rule in spec.rules:
        if found := rule(row):
            problems.extend(problem for problem in found if problem.column not in failed)
    return Entry(number, cells, row, problems)
