"""What a migration (or a learners import) did, file by file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class FileReport:
    """One file: its data rows, and how many were imported (new or changed), unchanged or failed.

    ``errors_path`` is the error file holding the failed rows, None when no row failed;
    ``first_error`` is the first failed row's line of it (``row 3, column started: ...``).
    ``problem`` is the file's own problem (a required column missing from its header): then no
    row was read, and the counts are 0.
    """

    name: str
    path: Path
    rows: int = 0
    imported: int = 0
    unchanged: int = 0
    failed: int = 0
    errors_path: Path | None = None
    first_error: str | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path),
            "rows": self.rows,
            "imported": self.imported,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "errors_path": str(self.errors_path) if self.errors_path else None,
            "first_error": self.first_error,
            "problem": self.problem,
        }


@dataclass
class MigrationReport:
    """A whole run: the files in processing order and the awards it created.

    ``award_ids`` are the awards the run's completions and backfills created (committed, so ready
    to send; empty for a dry run). ``skipped`` names the CSV files of the folder that migrate does
    not read.
    """

    dry_run: bool
    files: list[FileReport] = field(default_factory=list)
    award_ids: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(report.failed for report in self.files)

    @property
    def problems(self) -> list[str]:
        """The files' own problems (files that were not read)."""
        return [report.problem for report in self.files if report.problem]

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "files": [report.as_dict() for report in self.files],
            "failed": self.failed,
            "problems": self.problems,
            "award_ids": list(self.award_ids),
            "skipped": list(self.skipped),
        }
