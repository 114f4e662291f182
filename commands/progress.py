"""A progress bar for long file work on a terminal: rows read, rows per second, time left.

Shown on stderr only when stdout and stderr are both terminals and the command is not ``--quiet``;
otherwise (a pipe, a log file, a CI job) nothing is drawn.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

import click

from badgebridge.core.migration.progress import FileProgress


def wanted(quiet: bool) -> bool:
    return not quiet and sys.stdout.isatty() and sys.stderr.isatty()


class FileBars:
    """A ``Progress`` that draws one ``click.progressbar`` per file (by bytes, so its time left
    holds), labelled with the file, the rows read and the rows per second."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._file: FileProgress | None = None  # the reading drawn (a file read again gets a new one)
        self._drawn = 0

    def __call__(self, progress: FileProgress) -> None:
        if progress is not self._file:
            self._close()
            self._file, self._drawn = progress, 0
            self._bar = click.progressbar(
                length=max(progress.size, 1),
                label=progress.name,
                show_eta=True,
                item_show_func=lambda shown: shown,
                file=sys.stderr,
            ).__enter__()
        shown = f"{progress.rows:,} rows, {progress.rows_per_second:,.0f} rows/s"
        self._bar.update(progress.position - self._drawn, shown)
        self._drawn = progress.position
        if progress.finished:
            self._close()

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = self._file = None

    def __enter__(self) -> FileBars:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close()
