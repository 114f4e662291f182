"""Pacing: one request rate per connection, shared by every sender through the database.

Each connection has a row in ``rate_limits`` holding a GCRA schedule: ``tat`` (theoretical arrival
time) is when the request after the last reserved one may start, ``1/rate`` seconds later. A sender
reserves a slot in one short transaction (the row is locked: ``FOR UPDATE`` on PostgreSQL, the
write lock on SQLite), then sleeps until the slot; so threads, processes and machines using one
database queue behind each other in order, and nothing spins.

The rate is the connection's ``--rate-limit`` (None: unlimited), lowered and recovered by AIMD: a
429 pauses the whole connection until its ``Retry-After`` and multiplies the rate in force (the
observed one when unlimited) by ``decrease``; the rate then grows by ``increase`` requests/s every
second without a 429, back to the configured limit (or, when unlimited, to twice the lowered rate,
after which the pacing lifts). A burst of 429s answering requests reserved before the last decrease
lowers the rate once.

An unlimited connection that is neither paused nor lowered needs no reservation: ``next_slot``
then reads the row at most once every ``OBSERVATION_SECONDS`` (adding the requests counted since
to its observation window) and lets requests start at once in between; when the reading is due,
one sender reads while the others go on as last read (no queue of senders on the row's lock). So
a 429 met by one sender pauses the senders of the same process at once (they share what was read,
per database) and those of other processes within ``OBSERVATION_SECONDS`` (and one reading's
time); once paused or lowered, or with a rate limit, every request reserves its slot.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, select, update

from badgebridge.core.clock import SYSTEM_CLOCK, Clock
from badgebridge.core.storage import Database
from badgebridge.core.storage.schema import rate_limits
from badgebridge.core.storage.upsert import insert_ignoring_conflicts

OBSERVATION_SECONDS = 1.0
DEFAULT_PAUSE_SECONDS = 1.0  # a 429 that does not say how long to wait


@dataclass(frozen=True)
class PacingPolicy:
    decrease: float = 0.8
    increase: float = 0.5  # requests/s gained per second without a 429
    lowest: float = 0.2  # requests/s


@dataclass(frozen=True)
class Slot:
    """A reserved request time: ``start`` in epoch seconds, ``wait`` seconds from ``reserved_at``."""

    start: float
    wait: float
    reserved_at: float


@dataclass
class _Seen:
    """A connection read free (unlimited, neither paused nor lowered) at ``read_at``: requests may
    start at once until ``read_at + OBSERVATION_SECONDS``; ``uncounted`` started since."""

    read_at: float
    uncounted: int = 0
    reading: bool = False  # a sender is reading the row again: the others go on meanwhile


@dataclass
class _Shared:
    """What the pacers of one database in this process have read, per connection."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: dict[int, _Seen] = field(default_factory=dict)


_SHARED: WeakKeyDictionary[Database, _Shared] = WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


def _shared(db: Database) -> _Shared:
    with _SHARED_LOCK:
        return _SHARED.setdefault(db, _Shared())


def current_rate(row, limit: float | None, now: float, policy: PacingPolicy) -> float | None:
    """The rate in force at ``now``: the configured ``limit`` unless a 429 lowered it recently."""
    if row.rate is None:
        return limit
    rate = row.rate + policy.increase * max(0.0, now - (row.decreased_at or now))
    ceiling = limit if limit is not None else 2 * row.rate
    return rate if rate < ceiling else limit


class Pacer:
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, policy: PacingPolicy | None = None) -> None:
        self.db = db
        self.clock = clock
        self.policy = policy or PacingPolicy()
        self._shared = _shared(db)

    def next_slot(self, connection_id: int, limit: float | None) -> Slot:
        """The connection's next request slot: at once, without a database write, while it is
        unlimited and was neither paused nor lowered when last read (at most
        ``OBSERVATION_SECONDS`` ago); otherwise reserved (``reserve``)."""
        now = self.clock.time()
        shared = self._shared
        with shared.lock:
            seen = shared.seen.get(connection_id)
            if (
                limit is None
                and seen is not None
                and (seen.reading or now - seen.read_at < OBSERVATION_SECONDS)
            ):
                seen.uncounted += 1
                return Slot(now, 0.0, now)
            uncounted = seen.uncounted if seen is not None else 0
            if seen is not None and limit is None:  # this sender reads; the others go on meanwhile
                seen.reading, seen.uncounted = True, 0
            else:
                shared.seen.pop(connection_id, None)
        try:
            with self.db.begin() as conn:
                slot, free = self._reserve(conn, connection_id, limit, uncounted)
        except BaseException:
            with shared.lock:
                if seen is not None and shared.seen.get(connection_id) is seen:
                    del shared.seen[connection_id]  # the next sender reads again
            raise
        with shared.lock:
            current = shared.seen.get(connection_id)
            if seen is not None and current is seen:  # still ours: what was read replaces it
                del shared.seen[connection_id]
                if free:
                    shared.seen[connection_id] = _Seen(slot.reserved_at, seen.uncounted)
            elif seen is None and current is None and free:
                shared.seen[connection_id] = _Seen(slot.reserved_at)
            # otherwise a 429 removed it meanwhile (left removed), or another sender read it first
        return slot

    def reserve(self, connection_id: int, limit: float | None) -> Slot:
        """Reserve the connection's next request slot."""
        with self.db.begin() as conn:
            return self._reserve(conn, connection_id, limit)[0]

    def _reserve(
        self, conn: Connection, connection_id: int, limit: float | None, uncounted: int = 0
    ) -> tuple[Slot, bool]:
        """Reserve a slot, counting ``uncounted`` requests started without one; returns the slot
        and whether the connection is free (unlimited, neither paused nor lowered)."""
        row = self._locked_row(conn, connection_id)
        now = self.clock.time()
        rate = current_rate(row, limit, now, self.policy)
        start = max(now, row.paused_until)
        if rate is not None:
            start = max(start, row.tat)
        values = {"tat": start + (1 / rate if rate else 0)}
        if rate == limit and row.rate is not None:  # recovered
            values |= {"rate": None, "decreased_at": None}
        elapsed = now - row.window_started
        if elapsed >= OBSERVATION_SECONDS:
            values |= {
                "window_started": now,
                "window_count": 1,
                "observed_rate": (row.window_count + uncounted) / elapsed,
            }
        else:
            values["window_count"] = row.window_count + uncounted + 1
        conn.execute(update(rate_limits).where(rate_limits.c.connection_id == connection_id).values(values))
        free = rate is None and limit is None and row.paused_until <= now
        return Slot(start, start - now, now), free

    def rate_limited(
        self, connection_id: int, limit: float | None, retry_after: float | None, slot: Slot
    ) -> float:
        """Record a 429 answering the request made at ``slot``: pause the connection and lower its
        rate. Returns the epoch second the pause ends. The senders of this process see the pause at
        once; those of others, when they next read the row."""
        with self._shared.lock:
            seen = self._shared.seen.pop(connection_id, None)
        uncounted = seen.uncounted if seen is not None else 0
        with self.db.begin() as conn:
            row = self._locked_row(conn, connection_id)
            now = self.clock.time()
            paused_until = max(row.paused_until, now + (retry_after or DEFAULT_PAUSE_SECONDS))
            values = {
                "paused_until": paused_until,
                "tat": max(row.tat, paused_until),
                "window_count": row.window_count + uncounted,
            }
            if row.decreased_at is None or slot.reserved_at > row.decreased_at:
                in_force = current_rate(row, limit, now, self.policy) or row.observed_rate
                if in_force is None:  # unlimited and not observed yet: what this window saw so far
                    counted = row.window_count + uncounted
                    in_force = counted / max(now - row.window_started, OBSERVATION_SECONDS)
                values |= {
                    "rate": max(self.policy.lowest, in_force * self.policy.decrease),
                    "decreased_at": now,
                }
            conn.execute(
                update(rate_limits).where(rate_limits.c.connection_id == connection_id).values(values)
            )
        return paused_until

    def state(self, connection_id: int, limit: float | None) -> tuple[float | None, float]:
        """(the rate in force, the epoch second any pause ends) for a connection."""
        with self.db.begin() as conn:
            row = conn.execute(
                select(rate_limits).where(rate_limits.c.connection_id == connection_id)
            ).first()
        if row is None:
            return limit, 0.0
        return current_rate(row, limit, self.clock.time(), self.policy), row.paused_until

    def _locked_row(self, conn: Connection, connection_id: int):
        query = select(rate_limits).where(rate_limits.c.connection_id == connection_id).with_for_update()
        row = conn.execute(query).first()
        if row is None:
            now = self.clock.time()
            conn.execute(
                insert_ignoring_conflicts(conn, rate_limits).values(
                    connection_id=connection_id, tat=now, paused_until=0.0, window_started=now, window_count=0
                )
            )
            row = conn.execute(query).one()
        return row
