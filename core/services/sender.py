"""Delivering awards: claim under a lease, send fenced by the claim token, finalise fenced too.

The award row is the job (a transactional outbox). A sender claims due rows in one statement
(``state='sending'``, a fresh ``claim_token``, ``lease_expires_at``); a row whose lease ran out is
due again and is marked ``maybe_sent``, so the next attempt looks the badge up on the provider
before it sends.

The claim token fences the side effect, not only the row: every provider request starts within
``FENCE_SHARE`` of the lease after a write that confirmed the claim (the claim itself, a heartbeat's
renewal, or a fence: a write that renews the lease and matches the token, made before the request
when the last confirmation is older), and a sender whose claim was taken over stops at the fence
and sends nothing. The plugin checks the deadline again right before it writes the request
(``badgebridge.core.fencing``). While claims are held a heartbeat renews all their leases in one
statement, so a slow provider never loses a live sender its claim; only a sender that stalls (a
frozen process) does. Every finalising update matches the token as well; the finalising writes of
concurrent sends are committed together (``group_commit``), each checked award by award.

Requests are paced per connection (``badgebridge.core.services.pacing``). A 429 pauses the
connection and is retried without spending an attempt, and so is a lookup that failed; only a send
that may have failed spends one. A lookup that finds nothing clears "may have been sent". Each
provider request is recorded in ``award_attempts``. Retries are stored (``next_attempt_at``),
never slept on. Lease, backoff and pacing read an injectable ``Clock``.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, and_, bindparam, case, insert, or_, select, update

from badgebridge.core import failpoints, fencing
from badgebridge.core.clock import SYSTEM_CLOCK, Clock
from badgebridge.core.errors import AlreadyIssued, BadgeBridgeError, ProviderError, ProviderUnavailable
from badgebridge.core.model import AwardState, IssuedBadge, IssueRequest, Recipient
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services.connections import ConnectionRecord, connection_record, provider_connection
from badgebridge.core.services.group_commit import GroupCommit
from badgebridge.core.services.pacing import Pacer, Slot
from badgebridge.core.storage import Database
from badgebridge.core.storage.chunks import chunks
from badgebridge.core.storage.schema import award_attempts, awards, badges, connections, learners

CLAIMS_PER_SENDER = 8
DEFAULT_LEASE = timedelta(minutes=3)
MAX_INLINE_WAIT_SECONDS = 10.0
"""A rate-limit wait longer than this releases the claim (retried when the pause ends, no attempt
spent) instead of holding it."""

FENCE_SHARE = 1 / 3
"""A request must start within this share of the lease after the last write that confirmed its
claim (the claim, a renewal, a fence), or it is fenced again."""
LAPSED_CHECK_SECONDS = 1.0
"""``claim()`` looks for lapsed leases (first) at most this often; queued awards every time."""
MAX_STALLS = 3
FAILING_WEIGHT = 0.1
"""The weight of the newest request in a connection's moving failing share."""

T = TypeVar("T")

# Statements run per award, built once (SQLAlchemy then reuses their compiled form).
_RENEW = (
    update(awards)
    .where(
        awards.c.id == bindparam("b_id"),
        awards.c.claim_token == bindparam("b_token"),
        awards.c.state == AwardState.SENDING,
        awards.c.lease_expires_at >= bindparam("b_now"),
    )
    .values(lease_expires_at=bindparam("b_until"), updated_at=bindparam("b_now"))
)
_RENEW_MANY = (
    update(awards)
    .where(
        awards.c.id.in_(bindparam("b_ids", expanding=True)),
        awards.c.claim_token.in_(bindparam("b_tokens", expanding=True)),
        awards.c.state == AwardState.SENDING,
        awards.c.lease_expires_at >= bindparam("b_now"),
    )
    .values(lease_expires_at=bindparam("b_until"), updated_at=bindparam("b_now"))
    .returning(awards.c.id, awards.c.claim_token)
)
_FINALISE = update(awards).where(
    awards.c.id == bindparam("b_id"),
    awards.c.claim_token == bindparam("b_token"),
    awards.c.state == AwardState.SENDING,
)
"""Sets the columns its parameters name, besides matching the claim."""
_RELEASED = {"claimed_by": None, "claim_token": None, "lease_expires_at": None}
_OURS = (
    select(awards.c.id, awards.c.claim_token)
    .where(awards.c.id.in_(bindparam("b_ids", expanding=True)), awards.c.state == AwardState.SENDING)
    .order_by(awards.c.id)
)
"""The awards of a batch of records still being sent, with their claim tokens."""
_OURS_LOCKED = _OURS.with_for_update(key_share=True)
_DETAILS = (
    select(
        awards.c.id,
        awards.c.earned_at,
        awards.c.connection_id,
        learners.c.id.label("learner_id"),
        learners.c.email,
        learners.c.first_name,
        learners.c.last_name,
        badges.c.external_badge_id,
    )
    .join(learners, awards.c.learner_id == learners.c.id)
    .join(badges, awards.c.badge_id == badges.c.id)
    .where(awards.c.id.in_(bindparam("b_ids", expanding=True)))
    .order_by(awards.c.id)
)
"""What sending each claimed award needs, besides its connection."""
_CONNECTIONS = select(connections).where(connections.c.id.in_(bindparam("b_ids", expanding=True)))
"""The connections of a claim's awards, each read (its secrets unsealed) once per claim."""
_HISTORY = insert(award_attempts)


@dataclass(frozen=True)
class RetryPolicy:
    """When to retry a transient failure; a provider's ``Retry-After`` is honoured.

    While most of the connection's requests succeed (its failing share, as this sender saw it, is
    below ``healthy_below``) a failure is that request's bad luck: it is retried after about
    ``base_seconds`` (jittered), so a flaky provider leaves no long tail. When most fail, the
    provider looks down: exponential backoff with full jitter, up to ``cap_seconds``.
    """

    base_seconds: float = 2.0
    cap_seconds: float = 3600.0
    max_attempts: int = 12
    maybe_sent_seconds: float = 60.0  # after a timeout: let the request finish before looking it up
    healthy_below: float = 0.5

    def delay(
        self, attempt: int, error: ProviderUnavailable, rng: random.Random, failing: float = 1.0
    ) -> float:
        """Seconds to wait before attempt ``attempt + 1``; ``failing`` is the connection's failing share."""
        if failing < self.healthy_below:
            backoff = self.base_seconds * rng.uniform(0.5, 1.5)
        else:
            backoff = rng.uniform(0, min(self.cap_seconds, self.base_seconds * 2**attempt))
        if error.retry_after is not None:
            return max(error.retry_after, backoff) * (1 + rng.uniform(0, 0.2))
        if error.maybe_sent and error.status is None:  # no answer: the request may still be in flight
            return max(self.maybe_sent_seconds, backoff)
        return backoff


@dataclass(frozen=True)
class Claim:
    """A claimed award with what sending it needs."""

    award_id: int
    token: str
    attempts: int
    maybe_sent: bool
    lease_expires_at: datetime
    request: IssueRequest
    connection: ConnectionRecord
    confirmed_at: float = 0.0
    """The epoch second the claim was written (it was ours then, and stays ours for a lease)."""


@dataclass(frozen=True)
class Outcome:
    """What one send did to one award."""

    award_id: int
    state: str  # the award's state afterwards, or "superseded" if another sender took it over
    message: str
    provider_badge_id: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True)
class Record:
    """What a send's outcome writes: ``values`` set on the award (and the claim released) if the
    claim is still ours (None: only the history), and the ``outcome`` then; a claim found taken
    over is noted "superseded" instead. ``error``: a plugin bug, raised once it is recorded."""

    claim: Claim
    values: dict[str, Any] | None
    outcome: Outcome | None
    error: Exception | None = None


SUPERSEDED = "another sender took this award over"


class Superseded(Exception):
    """The claim was taken over: the sender must not make its request."""


class Paused(Exception):
    """The connection is paused for longer than a claim should be held."""

    def __init__(self, until: float) -> None:
        self.until = until


def queued_due(due_by: datetime, limit: int) -> Select:
    """The first ``limit`` queued awards due by ``due_by``, oldest due first: an in-order range of
    the ``awards_due`` index (state, next_attempt_at, id), however many are due."""
    return (
        select(awards.c.id)
        .where(awards.c.state == AwardState.QUEUED, awards.c.next_attempt_at <= due_by)
        .order_by(awards.c.next_attempt_at, awards.c.id)
        .limit(limit)
    )


def lease_lapsed(now: datetime, limit: int) -> Select:
    """The first ``limit`` awards being sent whose lease ran out by ``now``: an in-order range of the
    ``awards_leased`` index (state, lease_expires_at, id)."""
    return (
        select(awards.c.id)
        .where(awards.c.state == AwardState.SENDING, awards.c.lease_expires_at < now)
        .order_by(awards.c.lease_expires_at, awards.c.id)
        .limit(limit)
    )


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class AwardSender:
    def __init__(
        self,
        db: Database,
        host: PluginHost,
        *,
        lease: timedelta = DEFAULT_LEASE,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        clock: Clock = SYSTEM_CLOCK,
        pacer: Pacer | None = None,
    ) -> None:
        self.db = db
        self.host = host
        self.lease = lease
        self.policy = policy or RetryPolicy()
        self.identity = worker_identity()
        self.clock = clock
        self.pacer = pacer or Pacer(db, clock)
        self.requests: Counter = Counter()  # provider requests by outcome: sent, rate_limited
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._held: dict[int, Claim] = {}  # claims held: the heartbeat renews their leases
        self._lost: set[tuple[int, str]] = set()  # (award, token) whose renewal found it taken over
        self._confirmed: dict[tuple[int, str], float] = {}  # (award, token): last confirming write
        self._pending: dict[int, list[dict]] = {}  # per award: history not written yet
        self._failing: dict[int, float] = {}  # per connection: moving share of requests that failed
        self._writes = GroupCommit(db, write_batch=self._write_records, before_commit=_before_commit)
        self._lapsed_checked = float("-inf")  # when claim() last looked for lapsed leases

    # -- claiming ---------------------------------------------------------------------------

    def claim(
        self,
        limit: int,
        *,
        award_ids: list[int] | None = None,
        due_by: datetime | None = None,
    ) -> list[Claim]:
        """Claim up to ``limit`` awards that are due (or these ``award_ids`` if they are queued):
        those whose lease lapsed (looked for at most every ``LAPSED_CHECK_SECONDS``), then queued
        ones, oldest due first.

        :param due_by: claim queued awards due by this moment (default: now); an expired lease is
            always due.
        """
        if limit <= 0:
            return []
        now = self.clock.now()
        if award_ids is not None:
            lease_over = and_(awards.c.state == AwardState.SENDING, awards.c.lease_expires_at < now)
            chosen = and_(awards.c.id.in_(award_ids), or_(awards.c.state == AwardState.QUEUED, lease_over))
            queries = [select(awards.c.id).where(chosen).order_by(awards.c.id).limit(limit)]
        else:
            queries = [queued_due(due_by or now, limit)]
            if now.timestamp() - self._lapsed_checked >= LAPSED_CHECK_SECONDS:
                self._lapsed_checked = now.timestamp()
                queries.insert(0, lease_lapsed(now, limit))
        token = uuid.uuid4().hex
        values = {
            "state": AwardState.SENDING,
            "attempts": awards.c.attempts + 1,
            "claimed_by": self.identity,
            "claim_token": token,
            "lease_expires_at": now + self.lease,
            "maybe_sent": case((awards.c.state == AwardState.SENDING, True), else_=awards.c.maybe_sent),
            "updated_at": now,
        }
        with self.db.begin() as conn:
            claimed: dict[int, Any] = {}
            for candidates in queries:
                if len(claimed) >= limit:
                    break
                candidates = candidates.limit(limit - len(claimed))
                if conn.dialect.name == "postgresql":
                    locked = candidates.with_for_update(skip_locked=True, key_share=True).cte("candidate")
                    statement = update(awards).where(awards.c.id == locked.c.id)
                else:  # SQLite: the transaction already holds the write lock (BEGIN IMMEDIATE)
                    statement = update(awards).where(awards.c.id.in_(candidates.scalar_subquery()))
                returned = statement.values(**values).returning(
                    awards.c.id, awards.c.attempts, awards.c.maybe_sent, awards.c.lease_expires_at
                )
                claimed |= {row.id: row for row in conn.execute(returned)}
            if not claimed:
                return []
            details = conn.execute(_DETAILS, {"b_ids": sorted(claimed)}).mappings().all()
            used = conn.execute(_CONNECTIONS, {"b_ids": sorted({row["connection_id"] for row in details})})
            records = {row["id"]: connection_record(row) for row in used.mappings()}
            claims = [
                self._claim(row, claimed[row["id"]], token, now.timestamp(), records[row["connection_id"]])
                for row in details
            ]
        failpoints.reached("after-claim")
        return claims

    def hold(self, claims: list[Claim]) -> None:
        """Keep renewing these claims' leases (the heartbeat) while they wait to be sent."""
        with self._lock:
            self._held |= {claim.award_id: claim for claim in claims}

    def release(self, claims: list[Claim]) -> None:
        """Give back claims that will not be sent (queued again, no attempt spent)."""
        for claim in claims:
            self._finalise(claim, state=AwardState.QUEUED, attempts=claim.attempts - 1)
            with self._lock:
                self._forget(claim)

    @staticmethod
    def _claim(row: Any, claimed: Any, token: str, at: float, connection: ConnectionRecord) -> Claim:
        request = IssueRequest(
            award_id=str(row["id"]),
            external_badge_id=row["external_badge_id"],
            recipient=Recipient(row["email"], row["first_name"], row["last_name"], row["learner_id"]),
            issued_at=row["earned_at"],
        )
        return Claim(
            row["id"],
            token,
            claimed.attempts,
            claimed.maybe_sent,
            claimed.lease_expires_at,
            request,
            connection,
            at,
        )

    # -- sending ----------------------------------------------------------------------------

    def send(self, claim: Claim) -> Outcome:
        """Deliver one claimed award and record the outcome. Plugin bugs are recorded, then raised."""
        return self.finish(claim, self.deliver(claim))

    def deliver(self, claim: Claim) -> Callable[[], Record]:
        """The provider's part of a send: its requests. Returns what records the outcome, for
        ``finish`` (the claim stays held, its lease renewed, until then)."""
        with self._lock:
            self._held[claim.award_id] = claim
        sent = False  # whether a request that may create the badge was made (it spends an attempt)
        maybe_sent = claim.maybe_sent
        try:
            provider, connection = provider_connection(self.host, claim.connection)
            can_find = provider.supports("find_badge")
            if maybe_sent and can_find:
                found = self._request(
                    claim, "lookup", lambda: provider.find_badge(connection, claim.request, after_send=True)
                )
                if found is not None:
                    return partial(self._issued, claim, found, provider.title, linked=True)
                maybe_sent = False  # nothing there: the earlier attempt created nothing
            try:
                sent = True
                issued = self._request(
                    claim, "issue", lambda: provider.issue_badge(connection, claim.request)
                )
            except AlreadyIssued as exc:
                found = None
                if can_find:
                    found = self._request(
                        claim, "lookup", lambda: provider.find_badge(connection, claim.request)
                    )
                if found is None:
                    return partial(self._failed, claim, exc)
                return partial(self._issued, claim, found, provider.title, linked=True)
            failpoints.reached("after-accept")
            return partial(self._issued, claim, issued, provider.title, linked=False)
        except Superseded:
            return partial(self._superseded, claim)
        except Paused as pause:
            return partial(self._paused, claim, pause, maybe_sent=maybe_sent)
        except ProviderUnavailable as exc:
            spent = sent and exc.status != 429
            return partial(
                self._retry_later, claim, exc, spent=spent, maybe_sent=maybe_sent or (sent and exc.maybe_sent)
            )
        except BadgeBridgeError as exc:
            return partial(self._failed, claim, exc)
        except Exception as exc:
            return partial(self._internal_error, claim, exc)

    def finish(self, claim: Claim, record: Callable[[], Record]) -> Outcome:
        """Record what ``deliver`` returned (committed with other sends' outcomes) and let the claim go."""
        try:
            written = record()
            return self._recorded(written, self._writes.run(written))
        finally:
            with self._lock:
                self._forget(claim)

    def finish_later(
        self, claim: Claim, record: Callable[[], Record], then: Callable[[Outcome | Exception], None]
    ) -> None:
        """``finish`` without waiting: inside ``writing_in_background()`` the outcome is committed by
        the writer thread, which then lets the claim go and calls ``then`` with the outcome (or the
        error: a plugin bug, or the failed commit)."""
        written = record()

        def recorded(done: bool | None, error: BaseException | None) -> None:
            with self._lock:
                self._forget(claim)
            if error is not None:
                then(error if isinstance(error, Exception) else RuntimeError(str(error)))
                return
            try:
                then(self._recorded(written, bool(done)))
            except Exception as exc:
                then(exc)

        self._writes.submit(written, recorded)

    @contextmanager
    def writing_in_background(self) -> Iterator[None]:
        """Outcomes handed to ``finish_later`` are committed by one writer thread until the block ends."""
        with self._writes.in_background():
            yield

    def _internal_error(self, claim: Claim, error: Exception) -> Record:
        failed = self._failed(claim, BadgeBridgeError(f"internal error: {type(error).__name__}: {error}"))
        return Record(failed.claim, failed.values, failed.outcome, error=error)

    def _forget(self, claim: Claim) -> None:
        """Drop what this sender keeps about a claim it is done with (under ``_lock``)."""
        if self._held.get(claim.award_id) is claim:
            del self._held[claim.award_id]
        key = (claim.award_id, claim.token)
        self._lost.discard(key)
        self._confirmed.pop(key, None)
        self._pending.pop(claim.award_id, None)

    def _request(self, claim: Claim, action: str, call: Callable[[], T]) -> T:
        """One provider request: wait for the connection's slot, fence if needed, call, record.

        The plugin checks the fence's deadline again right before it writes the request
        (``badgebridge.core.fencing``); a sender that stalled in between fences again.

        A 429 pauses the connection and the request waits for its next slot (no attempt spent).
        """
        limit = claim.connection.rate_limit
        stalls = 0
        while True:
            slot = self.pacer.next_slot(claim.connection.id, limit)
            if slot.wait > MAX_INLINE_WAIT_SECONDS:
                raise Paused(slot.start)
            if slot.wait > 0:
                self.clock.sleep(slot.wait)
            deadline = self._fenced(claim)
            try:
                with fencing.fenced_until(deadline, self.clock.time):
                    result = call()
            except fencing.FenceExpired as exc:
                stalls += 1
                self._record(claim, action, "stalled", None, str(exc))
                if stalls >= MAX_STALLS:
                    raise ProviderUnavailable(f"{exc} ({stalls} times); will retry") from None
                continue
            except ProviderError as exc:
                rate_limited = isinstance(exc, ProviderUnavailable) and exc.status == 429
                self._count("rate_limited" if rate_limited else "failed")
                if not rate_limited:
                    self._observe(claim.connection.id, failed=isinstance(exc, ProviderUnavailable))
                self._record(
                    claim, action, "rate_limited" if rate_limited else _failure(exc), exc.status, str(exc)
                )
                if not rate_limited:
                    raise
                self._rate_limited(claim, exc, slot)
                continue
            self._count("answered")
            self._observe(claim.connection.id, failed=False)
            outcome = "not_found" if result is None else ("found" if action == "lookup" else "issued")
            self._record(claim, action, outcome, None, None)
            return result

    def _rate_limited(self, claim: Claim, error: ProviderUnavailable, slot: Slot) -> None:
        until = self.pacer.rate_limited(
            claim.connection.id, claim.connection.rate_limit, error.retry_after, slot
        )
        if until - self.clock.time() > MAX_INLINE_WAIT_SECONDS:
            raise Paused(until)

    def _observe(self, connection_id: int, *, failed: bool) -> None:
        """Move the connection's failing share; one this sender has not seen yet counts as failing,
        so failures met from the start (a fresh ``worker --once`` each time) back off."""
        with self._lock:
            share = self._failing.get(connection_id, 1.0)
            self._failing[connection_id] = share + FAILING_WEIGHT * (failed - share)

    def _count(self, what: str) -> None:
        with self._lock:
            self.requests[what] += 1

    def send_awards(self, award_ids: list[int], *, concurrency: int = 1) -> list[Outcome]:
        """Claim these awards (those still queued) and send them, ``concurrency`` at a time.

        Claims are taken a few per sender at a time, so no claim waits out its lease in a queue.
        """
        outcomes: list[Outcome] = []
        # Two nested blocks, not one parenthesized ``with``: mutmut 2's parser rejects that form.
        with self.heartbeat():  # noqa: SIM117 (see above)
            with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="badgebridge-send") as pool:
                for chunk in chunks(award_ids, CLAIMS_PER_SENDER * concurrency):
                    claims = self.claim(len(chunk), award_ids=chunk)
                    self.hold(claims)
                    outcomes += pool.map(self.send, claims)
        return outcomes

    # -- the lease: fence and heartbeat -----------------------------------------------------

    def _fenced(self, claim: Claim) -> float:
        """The epoch second until which a request for ``claim`` may start: ``FENCE_SHARE`` of the
        lease after the last write that confirmed the claim, fencing first if that has passed.

        A sender that stalled past its lease finds its claim taken over here, and sends nothing.
        """
        key = (claim.award_id, claim.token)
        with self._lock:
            lost = key in self._lost
            confirmed = self._confirmed.get(key, claim.confirmed_at)
        if lost:
            raise Superseded()
        share = self.lease.total_seconds() * FENCE_SHARE
        if self.clock.time() < confirmed + share:
            return confirmed + share
        with self.db.begin() as conn:
            self._fence(claim, conn)
        with self._lock:
            return self._confirmed[key] + share

    def _fence(self, claim: Claim, conn: Connection) -> None:
        """Renew the lease if the claim is still ours (and write the history recorded since the
        last write, in the same transaction); raises ``Superseded`` if it is not."""
        if not self._renew(claim, conn):
            raise Superseded()
        self._flush(claim, conn)

    def _renew(self, claim: Claim, conn: Connection | None = None) -> bool:
        if conn is None:
            with self.db.begin() as conn:
                return self._renew(claim, conn)
        now = self.clock.now()
        values = {"b_id": claim.award_id, "b_token": claim.token, "b_now": now, "b_until": now + self.lease}
        renewed = conn.execute(_RENEW, values).rowcount == 1
        if renewed:
            with self._lock:
                self._confirmed[(claim.award_id, claim.token)] = now.timestamp()
        return renewed

    def renew_leases(self) -> int:
        """Renew the lease of every claim held, in one statement; returns how many were renewed. A
        claim found taken over is marked, so its sender stops before its next request."""
        with self._lock:
            held = list(self._held.values())
        if not held:
            return 0
        now = self.clock.now()
        values = {
            "b_ids": [claim.award_id for claim in held],
            "b_tokens": sorted({claim.token for claim in held}),
            "b_now": now,
            "b_until": now + self.lease,
        }
        with self.db.begin() as conn:
            renewed = {(row.id, row.claim_token) for row in conn.execute(_RENEW_MANY, values)}
        with self._lock:
            for claim in held:
                key = (claim.award_id, claim.token)
                if self._held.get(claim.award_id) is not claim:
                    continue  # finished meanwhile
                if key in renewed:
                    self._confirmed[key] = now.timestamp()
                else:
                    self._lost.add(key)
        return len(renewed & {(claim.award_id, claim.token) for claim in held})

    @contextmanager
    def heartbeat(self, interval: float | None = None) -> Iterator[None]:
        """Renew in-flight leases every ``interval`` seconds (a third of the lease) until the block ends."""
        stop = threading.Event()
        every = interval if interval is not None else self.lease.total_seconds() / 3

        def beat() -> None:
            while not stop.wait(every):
                self.renew_leases()

        thread = threading.Thread(target=beat, name="badgebridge-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    # -- finalising (fenced by the claim token) ---------------------------------------------

    def _finalise(self, claim: Claim, **values: Any) -> bool:
        """Apply ``values`` and release the claim, if the claim is still ours; write the history.

        Committed with the finalising writes of the other sends finishing meanwhile."""
        return self._writes.run(Record(claim, values, None))

    def _write_records(self, conn: Connection, records: list[Record]) -> list[bool]:
        """Write a batch of records in a few statements, whatever its size; returns, per record,
        whether its values were set.

        The awards still claimed by the records' tokens are read first (locked on PostgreSQL, under
        the write lock on SQLite, so they stay so until the commit); those get their values (a
        claim from its first record only; one ``executemany`` per set of columns), the others a
        "superseded" note; then every record's history, in one ``executemany``."""
        now = self.clock.now()
        first: dict[tuple[int, str], Record] = {}
        for record in records:
            if record.values is not None:
                first.setdefault((record.claim.award_id, record.claim.token), record)
        finalised = _finalise_ours(
            conn,
            {
                key: {"b_id": key[0], "b_token": key[1], "updated_at": now} | _RELEASED | record.values
                for key, record in first.items()
            },
        )
        done: list[bool] = []
        for record in records:
            key = (record.claim.award_id, record.claim.token)
            ours = first.get(key) is record and key in finalised
            if not ours and record.outcome is not None:
                self._record(record.claim, "send", "superseded", None, SUPERSEDED)
            done.append(ours)
        history: list[dict[str, Any]] = []
        with self._lock:
            for record in records:
                mine = {"award_id": record.claim.award_id, "worker": self.identity}
                history += [row | mine for row in self._pending.pop(record.claim.award_id, [])]
        if history:
            conn.execute(_HISTORY, history)
        return done

    def _recorded(self, record: Record, done: bool) -> Outcome:
        """The outcome of a committed record (raising a plugin bug's error once it is recorded)."""
        if record.error is not None:
            raise record.error
        if done:
            assert record.outcome is not None
            return record.outcome
        return Outcome(record.claim.award_id, "superseded", f"{SUPERSEDED}; left to it")

    def _record(
        self, claim: Claim, action: str, outcome: str, status: int | None, message: str | None
    ) -> None:
        """Note a request in the award's history; written with the sender's next write for it."""
        row = {"action": action, "outcome": outcome, "status": status, "message": message}
        with self._lock:
            self._pending.setdefault(claim.award_id, []).append(row | {"at": self.clock.now()})

    def _flush(self, claim: Claim, conn: Connection) -> None:
        with self._lock:
            rows = self._pending.pop(claim.award_id, [])
        if rows:
            mine = {"award_id": claim.award_id, "worker": self.identity}
            conn.execute(_HISTORY, [row | mine for row in rows])

    def _superseded(self, claim: Claim) -> Record:
        return Record(claim, None, Outcome(claim.award_id, "superseded", f"{SUPERSEDED}; left to it"))

    def _issued(self, claim: Claim, badge: IssuedBadge, title: str, *, linked: bool) -> Record:
        how = "already held on" if linked else "issued on"
        values = {
            "state": AwardState.ISSUED,
            "provider_badge_id": badge.provider_badge_id,
            "provider_state": badge.state,
            "provider_url": badge.url,
            "linked": linked,
            "maybe_sent": False,
            "next_attempt_at": None,
            "last_error": None,
            "last_status": None,
            "sent_at": self.clock.now(),
        }
        message = f"{how} {title} as {badge.provider_badge_id} ({badge.state})"
        return Record(
            claim, values, Outcome(claim.award_id, AwardState.ISSUED, message, badge.provider_badge_id)
        )

    def _failed(self, claim: Claim, error: BadgeBridgeError) -> Record:
        status = error.status if isinstance(error, ProviderError) else None
        values = {
            "state": AwardState.FAILED,
            "last_error": str(error),
            "last_status": status,
            "next_attempt_at": None,
        }
        return Record(claim, values, Outcome(claim.award_id, AwardState.FAILED, str(error)))

    def _paused(self, claim: Claim, pause: Paused, *, maybe_sent: bool) -> Record:
        """Release the claim until the pause ends; no attempt is spent (no send went through)."""
        retry_at = datetime.fromtimestamp(pause.until, self.clock.now().tzinfo)
        values = {
            "state": AwardState.QUEUED,
            "attempts": claim.attempts - 1,
            "next_attempt_at": retry_at,
            "maybe_sent": maybe_sent,
        }
        outcome = Outcome(
            claim.award_id, AwardState.QUEUED, "the connection is paused; will retry", retry_at=retry_at
        )
        return Record(claim, values, outcome)

    def _retry_later(
        self, claim: Claim, error: ProviderUnavailable, *, spent: bool, maybe_sent: bool
    ) -> Record:
        attempts = claim.attempts if spent else claim.attempts - 1  # lookups and 429s use no attempt
        if attempts >= self.policy.max_attempts:
            message = f"{error} (gave up after {attempts} attempts)"
            values = {
                "state": AwardState.FAILED,
                "last_error": message,
                "last_status": error.status,
                "next_attempt_at": None,
                "maybe_sent": maybe_sent,
            }
            return Record(claim, values, Outcome(claim.award_id, AwardState.FAILED, message))
        with self._lock:
            failing = self._failing.get(claim.connection.id, 1.0)
        delay = self.policy.delay(attempts, error, self._rng, failing)
        retry_at = self.clock.now() + timedelta(seconds=delay)
        values = {
            "state": AwardState.QUEUED,
            "attempts": attempts,
            "next_attempt_at": retry_at,
            "maybe_sent": maybe_sent,
            "last_error": str(error),
            "last_status": error.status,
        }
        outcome = Outcome(claim.award_id, AwardState.QUEUED, f"{error}; will retry", retry_at=retry_at)
        return Record(claim, values, outcome)


Finalising = dict[tuple[int, str], dict[str, Any]]
"""Per claim (award, token): the values to set if it is still ours, ``b_id`` and ``b_token`` included."""


def _finalise_ours(conn: Connection, finalising: Finalising) -> set[tuple[int, str]]:
    """Read which claims are still ours (locked on PostgreSQL, under the write lock on SQLite, so
    they stay so until the commit), update those; returns them."""
    if not finalising:
        return set()
    query = _OURS_LOCKED if conn.dialect.name == "postgresql" else _OURS
    ids = sorted({award_id for award_id, _ in finalising})
    ours = {(row.id, row.claim_token) for row in conn.execute(query, {"b_ids": ids})} & set(finalising)
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for key in sorted(ours):
        updates.setdefault(tuple(finalising[key]), []).append(finalising[key])
    for rows in updates.values():
        changed = conn.execute(_FINALISE, rows).rowcount
        if changed != len(rows):  # cannot happen while the rows read stay locked
            raise BadgeBridgeError(f"{changed} of {len(rows)} awards finalised; the batch is rolled back")
    return ours


def _before_commit(done: list[bool]) -> None:
    if any(done):
        failpoints.reached("before-commit")


def _failure(error: ProviderError) -> str:
    if isinstance(error, ProviderUnavailable):
        return "unavailable"
    if isinstance(error, AlreadyIssued):
        return "duplicate"
    return "refused"
