"""The keys a file gave so far, and the row that gave each, kept on disk.

A private temporary SQLite database (``sqlite3.connect("")``, deleted when closed) holds them, so a
file of millions of rows finds its repeated keys without keeping every key in memory.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable, Mapping
from types import TracebackType

from badgebridge.core.storage.chunks import chunks


class SeenKeys:
    """``record(keys)`` records a batch's keys and says which of them an earlier batch gave."""

    def __enter__(self) -> SeenKeys:
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._db.close()

    def record(self, rows: Mapping[Hashable, int]) -> dict[Hashable, int]:
        """Record ``{key: row}`` of one batch; returns ``{key: the row that gave it first}`` for the
        keys an earlier batch gave (those keep their first row)."""
        by_text = {repr(key): key for key in rows}  # keys are tuples of str and numbers
        found: dict[Hashable, int] = {}
        for chunk in chunks(list(by_text), 500):
            marks = ", ".join("?" * len(chunk))
            for text, row in self._db.execute(f"SELECT key, row FROM seen WHERE key IN ({marks})", chunk):
                found[by_text[text]] = row
        self._db.executemany(
            "INSERT INTO seen VALUES (?, ?)",
            ((text, rows[key]) for text, key in by_text.items() if key not in found),
        )
        return found
