"""``import_learners``: a CSV of learners (``email``, ``firstName``, ``lastName``, or ALM's ``name``).

Validated and reported like a migration file: bad rows go to ``<file>.errors.csv``, a header
that lacks a column is the file's error (``InvalidInput``: no row is read); a learner
whose email exists already is updated when the names differ, unchanged otherwise. Emails are
stored lower-cased; a new learner gets a new id.
"""

from __future__ import annotations

from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import Any

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import InvalidInput, NotFound
from badgebridge.core.migration.pipeline import Context, Entry, FileSpec, process_file, transactions
from badgebridge.core.migration.report import FileReport
from badgebridge.core.migration.schemas import Problem, shown
from badgebridge.core.migration.writers import Upsert, upsert
from badgebridge.core.services.learners import new_learner_id
from badgebridge.core.storage import Database
from badgebridge.core.storage.retry import retry_conflicts
from badgebridge.core.storage.schema import learners


def import_learners(
    db: Database,
    path: str | PathLike[str],
    *,
    dry_run: bool = False,
    errors_dir: str | PathLike[str] | None = None,
) -> FileReport:
    """Add or update the learners of the CSV file at ``path``, in one transaction.

    ``InvalidInput`` if its header lacks a column (then no row is read)."""
    source = Path(path)
    if not source.exists():
        raise NotFound(f"{source}: no such file")
    if not source.is_file():
        raise InvalidInput(f"{source}: not a file")
    folder = Path(errors_dir) if errors_dir is not None else None

    def import_file() -> FileReport:
        with transactions(db, dry_run) as transaction, transaction() as conn:
            return process_file(Context(conn, utcnow()), LEARNERS, source, folder)

    report = retry_conflicts(import_file)
    if report.problem:
        raise InvalidInput(report.problem)
    return report


def _email(row: dict[str, Any]) -> tuple:
    return (row["email"].lower(),)


def _names(row: dict[str, Any]) -> tuple[str, str] | None:
    """First and last name: the two columns, or ``name`` split at its last space."""
    if "firstName" in row and "lastName" in row:
        return row["firstName"], row["lastName"]
    parts = row["name"].rsplit(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else None


def _one_word(row: dict[str, Any]) -> Iterator[Problem]:
    """A single name has a first and a last name (it is split at its last space)."""
    if "name" in row and _names(row) is None:
        yield Problem("name", f"{shown(row['name'])} is one word; a learner needs a first and a last name")


def _values(entry: Entry) -> dict[str, Any]:
    first_name, last_name = _names(entry.row)  # type: ignore[misc]  # _one_word refused the others
    return {"first_name": first_name, "last_name": last_name}


LEARNERS = FileSpec(
    "learners.csv",  # whatever the file is called, its rows follow schemas/learners.schema.json
    key=_email,
    rules=(_one_word,),
    write=upsert(Upsert(learners, ("email",), created=lambda: {"id": new_learner_id()}), _values),
)
