"""The ALM migration engine: ALM's migration CSVs (and learner lists) into the database.

Each file is streamed, every row is validated against the file's JSON Schema
(``schemas/<file>.schema.json``) and checked against the database and the providers, good rows are
imported in batches, bad rows go to ``<file>.errors.csv`` with the row, column and reason.

- ``run_migration(db, host, path, *, dry_run=False, connection=None, errors_dir=None)``
- ``import_learners(db, path, *, dry_run=False, errors_dir=None)``
"""

from badgebridge.core.migration.learners import import_learners
from badgebridge.core.migration.report import FileReport, MigrationReport
from badgebridge.core.migration.runner import run_migration

__all__ = ["FileReport", "MigrationReport", "import_learners", "run_migration"]
