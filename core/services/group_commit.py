"""Group commit: writes handed in by many threads, committed together in one transaction.

A thread calls ``run(work)`` and waits until its work is committed. While one thread (the
leader) runs a transaction, the work handed in meanwhile queues; when the transaction ends, the
leader wakes the thread of the first work queued, which takes the whole queue and runs it in the
next, then wakes each thread whose work it committed (one wake-up per work, none wasted on
threads whose work is still queued). So one thread alone pays one transaction per write, as
before, and many pay one per batch. A failing batch raises its error in the thread of every work
in it (none of them was committed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from badgebridge.core.storage import Database

T = TypeVar("T")


class _Work(Generic[T]):
    def __init__(self, write: Callable[[Connection], T]) -> None:
        self.write = write
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.woken = threading.Event()  # set when done, or when its thread is to lead the next batch


class GroupCommit:
    def __init__(self, db: Database, *, before_commit: Callable[[list[Any]], None] | None = None) -> None:
        """:param before_commit: called with the batch's results after its writes, before the commit."""
        self.db = db
        self._before_commit = before_commit
        self._lock = threading.Lock()
        self._queue: list[_Work] = []
        self._writing = False  # a leader is running a batch (or has been woken to)

    def run(self, write: Callable[[Connection], T]) -> T:
        """Run ``write(conn)`` in a transaction shared with others' writes; its result once committed."""
        work: _Work[T] = _Work(write)
        with self._lock:
            self._queue.append(work)
            leading = not self._writing
            self._writing = True
        if not leading:
            work.woken.wait()
        if not work.done:  # this thread leads the next batch
            with self._lock:
                batch, self._queue = self._queue, []
            try:
                self._commit(batch)
            finally:
                with self._lock:
                    if self._queue:
                        self._queue[0].woken.set()
                    else:
                        self._writing = False
                for other in batch:
                    other.woken.set()
        if work.error is not None:
            raise work.error
        return work.result

    def _commit(self, batch: list[_Work]) -> None:
        try:
            with self.db.begin() as conn:
                for work in batch:
                    work.result = work.write(conn)
                if self._before_commit is not None:
                    self._before_commit([work.result for work in batch])
        except BaseException as exc:  # nothing of the batch was committed: each of its threads learns why
            for work in batch:
                work.error = exc
        for work in batch:
            work.done = True
