"""The keys a file gave so far, and the row that gave each, kept on disk.

A private temporary SQLite database (``sqlite3.connect("")``, deleted when closed) holds them, so a
file of millions of rows finds its repeated keys without keeping every key in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Hashable, Sequence
from types import TracebackType

from badgebridge.core.storage.chunks import chunks


class SeenKeys:
    """``first_rows(keys)`` says which keys an earlier batch gave; ``add`` records a batch's keys."""

    def __enter__(self) -> SeenKeys:
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._db.close()

    def first_rows(self, keys: Sequence[Hashable]) -> dict[Hashable, int]:
        """``{key: the row that gave it first}`` for those of ``keys`` recorded already."""
        by_text = {_text(key): key for key in keys}
        found: dict[Hashable, int] = {}
        for chunk in chunks(list(by_text), 500):
            marks = ", ".join("?" * len(chunk))
            for text, row in self._db.execute(f"SELECT key, row FROM seen WHERE key IN ({marks})", chunk):
                found[by_text[text]] = row
        return found

    def add(self, rows: dict[Hashable, int]) -> None:
        self._db.executemany("INSERT INTO seen VALUES (?, ?)", ((_text(k), row) for k, row in rows.items()))


def _text(key: Hashable) -> str:
    return json.dumps(key, default=str)
