"""``run_migration``: a folder of ALM migration CSVs (or one of them) into the database.

Files are imported in ALM's dependency order, each in its own transaction, so an interrupted run
leaves no file half-imported (a file's transaction that PostgreSQL aborted to end a deadlock with a
concurrent writer is imported again from its first row). A dry run checks everything the same
way (providers and references included, seeing what earlier files would have created) in one
transaction that is rolled back.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import InvalidInput, NotFound
from badgebridge.core.migration.error_files import ERRORS_SUFFIX
from badgebridge.core.migration.files import FILE_NAMES, FILES
from badgebridge.core.migration.pipeline import Context, FileSpec, process_file, transactions
from badgebridge.core.migration.progress import Progress
from badgebridge.core.migration.providers import ExternalBadges
from badgebridge.core.migration.report import FileReport, MigrationReport
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services.connections import all_connections
from badgebridge.core.storage import Database
from badgebridge.core.storage.retry import retry_conflicts


def run_migration(
    db: Database,
    host: PluginHost,
    path: str | PathLike[str],
    *,
    dry_run: bool = False,
    connection: str | None = None,
    errors_dir: str | PathLike[str] | None = None,
    progress: Progress | None = None,
) -> MigrationReport:
    """Import the migration files at ``path`` (a folder, or one file named as ALM names them).

    Good rows are imported, bad ones go to ``<file>.errors.csv`` (in ``errors_dir``, or next to
    the file). ``connection`` names the connection to use for a provider that has several.
    ``progress`` hears how far the reading of each file got (``FileProgress``).
    Raises ``NotFound`` / ``InvalidInput`` for problems that are not about a row or a file.
    """
    inputs, skipped = _inputs(Path(path))
    records = all_connections(db)
    if connection is not None and connection not in {record.name for record in records}:
        raise NotFound(f"no connection named {connection!r} (connections list shows them)")
    externals = ExternalBadges(host, records, connection)
    folder = Path(errors_dir) if errors_dir is not None else None
    report = MigrationReport(dry_run=dry_run, skipped=skipped)
    with transactions(db, dry_run) as transaction:
        for spec, source in inputs:

            def import_file(spec=spec, source=source) -> tuple[Context, FileReport]:
                with transaction() as conn:
                    ctx = Context(conn, utcnow(), externals)
                    return ctx, process_file(ctx, spec, source, folder, progress)

            # A file's own transaction is run again if PostgreSQL aborted it to end a deadlock;
            # a dry run's single transaction is not (nothing it did is kept anyway).
            ctx, file_report = import_file() if dry_run else retry_conflicts(import_file)
            report.files.append(file_report)
            if not dry_run:
                report.award_ids += ctx.award_ids
    return report


def _inputs(path: Path) -> tuple[list[tuple[FileSpec, Path]], list[str]]:
    """The files to import, in order, and the folder's other CSV files (not read)."""
    if path.is_file():
        spec = next((spec for spec in FILES if spec.name == path.name), None)
        if spec is None:
            raise InvalidInput(f"{path}: not a migration file badgebridge reads ({', '.join(FILE_NAMES)})")
        return [(spec, path)], []
    if not path.is_dir():
        raise NotFound(f"{path}: no such file or folder")
    try:
        names = {child.name for child in path.iterdir() if child.is_file()}
    except OSError as exc:
        raise InvalidInput(f"cannot read the folder {path}: {exc.strerror}") from None
    inputs = [(spec, path / spec.name) for spec in FILES if spec.name in names]
    if not inputs:
        raise InvalidInput(f"{path}: no migration file in the folder (expected {', '.join(FILE_NAMES)})")
    skipped = sorted(
        name
        for name in names
        if name.lower().endswith(".csv") and name not in FILE_NAMES and not name.endswith(ERRORS_SUFFIX)
    )
    return inputs, skipped
