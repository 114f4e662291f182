"""How far the reading of a migration file got, for a progress display.

``process_file`` calls its ``progress`` with a ``FileProgress`` after each batch and once at the
end (``finished``); the position is in bytes of the file, so a display's time left holds whatever
the rows' lengths.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class FileProgress:
    """One file's reading: ``rows`` read so far, ``position`` bytes of ``size``."""

    name: str
    size: int
    rows: int = 0
    position: int = 0
    finished: bool = False
    started: float = field(default_factory=time.monotonic)

    def advance(self, rows: int, position: int) -> FileProgress:
        self.rows, self.position = rows, min(position, self.size)
        return self

    def finish(self, rows: int) -> FileProgress:
        self.rows, self.position, self.finished = rows, self.size, True
        return self

    @property
    def rows_per_second(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.rows / elapsed if elapsed > 0 else 0.0


Progress = Callable[[FileProgress], None]
