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
"""

from __future__ import annotations

from dataclasses import dataclass

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

    def reserve(self, connection_id: int, limit: float | None, conn: Connection | None = None) -> Slot:
        """Reserve the connection's next request slot (in ``conn``'s transaction if given)."""
        if conn is not None:
            return self._reserve(conn, connection_id, limit)
        with self.db.begin() as conn:
            return self._reserve(conn, connection_id, limit)

    def _reserve(self, conn: Connection, connection_id: int, limit: float | None) -> Slot:
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
                "observed_rate": row.window_count / elapsed,
            }
        else:
            values["window_count"] = row.window_count + 1
        conn.execute(update(rate_limits).where(rate_limits.c.connection_id == connection_id).values(values))
        return Slot(start, start - now, now)

    def rate_limited(
        self, connection_id: int, limit: float | None, retry_after: float | None, slot: Slot
    ) -> float:
        """Record a 429 answering the request made at ``slot``: pause the connection and lower its
        rate. Returns the epoch second the pause ends."""
        with self.db.begin() as conn:
            row = self._locked_row(conn, connection_id)
            now = self.clock.time()
            paused_until = max(row.paused_until, now + (retry_after or DEFAULT_PAUSE_SECONDS))
            values = {"paused_until": paused_until, "tat": max(row.tat, paused_until)}
            if row.decreased_at is None or slot.reserved_at > row.decreased_at:
                in_force = current_rate(row, limit, now, self.policy) or row.observed_rate
                if in_force is None:  # unlimited and not observed yet: what this window saw so far
                    in_force = row.window_count / max(now - row.window_started, OBSERVATION_SECONDS)
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
