"""Group commit: writes handed in by many threads, committed together in one transaction.

A thread calls ``run(work)`` and waits until its work is committed. While one thread (the
leader) runs a transaction, the work handed in meanwhile queues; when the transaction ends, the
leader wakes the thread of the first work queued, which takes the whole queue and runs it in the
next, then wakes each thread whose work it committed (one wake-up per work, none wasted on
threads whose work is still queued). So one thread alone pays one transaction per write, as
before, and many pay one per batch. A failing batch raises its error in the thread of every work
in it (none of them was committed).

Inside ``in_background()`` one writer thread commits instead: ``submit(work, then)`` queues the
work and returns at once, the writer commits everything queued since its last commit in one
transaction and then calls each work's ``then`` with its result (or error); ``run`` queues and
waits. So a thread whose outcome is being recorded goes on with its next request, without a
thread per outcome waiting for the commit. The writer lets a batch gather: it commits once
``GATHER_AT_LEAST`` works are queued, ``GATHER_SECONDS`` after the first, or at once for a
``run`` (someone waits) or the end of the block; so a lone sender's outcomes, too, are committed
a few at a time rather than one transaction each.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from badgebridge.core.storage import Database

log = logging.getLogger(__name__)

GATHER_AT_LEAST = 32
GATHER_SECONDS = 0.2

T = TypeVar("T")
Then = Callable[[Any, "BaseException | None"], None]
"""Called with a submitted work's result and error (None, or what made its batch fail)."""


class _Work(Generic[T]):
    def __init__(self, write: Callable[[Connection], T], then: Then | None = None) -> None:
        self.write = write
        self.then = then
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.woken = threading.Event()  # set when done, or when its thread is to lead the next batch


class GroupCommit:
    def __init__(
        self,
        db: Database,
        *,
        write_batch: Callable[[Connection, list[Any]], list[Any]] | None = None,
        before_commit: Callable[[list[Any]], None] | None = None,
    ) -> None:
        """:param write_batch: writes a batch's works at once, returning their results in order
            (default: each work is a function of the connection, called in turn).
        :param before_commit: called with the batch's results after its writes, before the commit."""
        self.db = db
        self._write_batch = write_batch or _each
        self._before_commit = before_commit
        self._lock = threading.Lock()
        self._queue: list[_Work] = []
        self._writing = False  # a leader is running a batch (or has been woken to)
        self._queued = threading.Condition(self._lock)  # the writer thread waits on it for work
        self._background = False  # a writer thread commits (``in_background``)
        self._stopping = False
        self._hurry = False  # a ``run`` waits: commit what is queued without gathering more

    @contextmanager
    def in_background(self) -> Iterator[None]:
        """Commit through one writer thread until the block ends (then every work queued is committed)."""
        with self._lock:
            if self._background or self._writing:
                raise RuntimeError("the group commit is in use already")
            self._background, self._stopping = True, False
        writer = threading.Thread(target=self._write_queued, name="badgebridge-writer", daemon=True)
        writer.start()
        try:
            yield
        finally:
            with self._lock:
                self._stopping = True
                self._queued.notify()
            writer.join()
            with self._lock:
                self._background = False

    def submit(self, write: Callable[[Connection], T], then: Then) -> None:
        """Queue ``write`` for the writer thread (``in_background``), which calls ``then(result,
        error)`` once its batch is committed or failed; without a writer, commit it now."""
        with self._lock:
            if self._background:
                self._queue.append(_Work(write, then))
                if len(self._queue) in (1, GATHER_AT_LEAST):  # the writer waits for work, or gathers
                    self._queued.notify()
                return
        try:
            result = self.run(write)
        except Exception as exc:
            then(None, exc)
        else:
            then(result, None)

    def run(self, write: Callable[[Connection], T]) -> T:
        """Run ``write(conn)`` in a transaction shared with others' writes; its result once committed."""
        work: _Work[T] = _Work(write)
        with self._lock:
            self._queue.append(work)
            if self._background:
                self._hurry = True
                self._queued.notify()
            leading = not self._writing and not self._background
            self._writing = self._writing or leading
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

    def _write_queued(self) -> None:
        """The writer thread: commit what is queued, batch after batch, until stopped and drained."""
        while True:
            with self._lock:
                while not self._queue and not self._stopping:
                    self._queued.wait()
                if not self._queue:
                    return
                until = time.monotonic() + GATHER_SECONDS
                while len(self._queue) < GATHER_AT_LEAST and not (self._hurry or self._stopping):
                    left = until - time.monotonic()
                    if left <= 0:
                        break
                    self._queued.wait(left)
                batch, self._queue, self._hurry = self._queue, [], False
            self._commit(batch)
            for work in batch:
                if work.then is None:  # a ``run`` waiting for it
                    work.woken.set()
                    continue
                try:
                    work.then(work.result, work.error)
                except Exception:  # a caller's bug must not stop the writer: the others still wait
                    log.exception("recording a committed write failed")

    def _commit(self, batch: list[_Work]) -> None:
        try:
            with self.db.begin() as conn:
                results = self._write_batch(conn, [work.write for work in batch])
                for work, result in zip(batch, results, strict=True):
                    work.result = result
                if self._before_commit is not None:
                    self._before_commit([work.result for work in batch])
        except BaseException as exc:  # nothing of the batch was committed: each of its threads learns why
            for work in batch:
                work.error = exc
        for work in batch:
            work.done = True


def _each(conn: Connection, writes: list[Callable[[Connection], Any]]) -> list[Any]:
    return [write(conn) for write in writes]
