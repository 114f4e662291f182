"""Delivering awards: claim under a lease, send, finalise fenced by the claim token.

The award row is the job (a transactional outbox). A sender claims due rows in one statement
(``state='sending'``, a fresh ``claim_token``, ``lease_expires_at``); a row whose lease ran out is
due again and is marked ``maybe_sent``, so the next attempt looks the badge up on the provider
before it sends. Every finalising update matches the claim token: a sender whose lease was taken
over changes nothing. Retries are stored (``next_attempt_at``), never slept on.
"""

from __future__ import annotations

import os
import random
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, or_, select, update

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import AlreadyIssued, BadgeBridgeError, ProviderError, ProviderUnavailable
from badgebridge.core.model import AwardState, IssuedBadge, IssueRequest, Recipient
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services.connections import ConnectionRecord, provider_connection
from badgebridge.core.storage import Database
from badgebridge.core.storage.chunks import chunks
from badgebridge.core.storage.schema import awards, badges, connections, learners

CLAIMS_PER_SENDER = 8


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter; a provider's ``Retry-After`` is honoured."""

    base_seconds: float = 2.0
    cap_seconds: float = 3600.0
    max_attempts: int = 12
    maybe_sent_seconds: float = 60.0  # after a timeout: let the request finish before looking it up

    def delay(self, attempt: int, error: ProviderUnavailable, rng: random.Random) -> float:
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


@dataclass(frozen=True)
class Outcome:
    """What one send did to one award."""

    award_id: int
    state: str  # the award's state afterwards, or "superseded" if another sender took it over
    message: str
    provider_badge_id: str | None = None
    retry_at: datetime | None = None


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class AwardSender:
    def __init__(
        self,
        db: Database,
        host: PluginHost,
        *,
        lease: timedelta = timedelta(minutes=3),
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.host = host
        self.lease = lease
        self.policy = policy or RetryPolicy()
        self.identity = worker_identity()
        self._rng = rng or random.Random()

    # -- claiming ---------------------------------------------------------------------------

    def claim(
        self, limit: int, *, award_ids: list[int] | None = None, due_by: datetime | None = None
    ) -> list[Claim]:
        """Claim up to ``limit`` awards that are due (or these ``award_ids`` if they are queued).

        :param due_by: claim queued awards due by this moment (default: now); an expired lease is
            always due.
        """
        if limit <= 0:
            return []
        now = utcnow()
        lease_over = and_(awards.c.state == AwardState.SENDING, awards.c.lease_expires_at < now)
        if award_ids is not None:
            due = and_(awards.c.id.in_(award_ids), or_(awards.c.state == AwardState.QUEUED, lease_over))
        else:
            queued_due = and_(
                awards.c.state == AwardState.QUEUED, awards.c.next_attempt_at <= (due_by or now)
            )
            due = or_(queued_due, lease_over)
        candidates = (
            select(awards.c.id).where(due).order_by(awards.c.next_attempt_at, awards.c.id).limit(limit)
        )
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
            if conn.dialect.name == "postgresql":
                locked = candidates.with_for_update(skip_locked=True, key_share=True).cte("candidate")
                statement = update(awards).where(awards.c.id == locked.c.id)
            else:  # SQLite: the transaction already holds the write lock (BEGIN IMMEDIATE)
                statement = update(awards).where(awards.c.id.in_(candidates.scalar_subquery()))
            claimed = {
                row.id: row
                for row in conn.execute(
                    statement.values(**values).returning(
                        awards.c.id, awards.c.attempts, awards.c.maybe_sent, awards.c.lease_expires_at
                    )
                )
            }
            if not claimed:
                return []
            details = conn.execute(
                select(
                    awards.c.id,
                    awards.c.earned_at,
                    learners.c.id.label("learner_id"),
                    learners.c.email,
                    learners.c.first_name,
                    learners.c.last_name,
                    badges.c.external_badge_id,
                    connections.c.id.label("connection_id"),
                    connections.c.name.label("connection_name"),
                    connections.c.provider,
                    connections.c.settings,
                    connections.c.secrets,
                    connections.c.account_name,
                    connections.c.verified_at,
                )
                .join(learners, awards.c.learner_id == learners.c.id)
                .join(badges, awards.c.badge_id == badges.c.id)
                .join(connections, awards.c.connection_id == connections.c.id)
                .where(awards.c.id.in_(list(claimed)))
                .order_by(awards.c.id)
            ).mappings()
            return [self._claim(row, claimed[row["id"]], token) for row in details]

    @staticmethod
    def _claim(row: Any, claimed: Any, token: str) -> Claim:
        request = IssueRequest(
            award_id=str(row["id"]),
            external_badge_id=row["external_badge_id"],
            recipient=Recipient(row["email"], row["first_name"], row["last_name"], row["learner_id"]),
            issued_at=row["earned_at"],
        )
        connection = ConnectionRecord(
            id=row["connection_id"],
            name=row["connection_name"],
            provider=row["provider"],
            settings=dict(row["settings"]),
            secrets=dict(row["secrets"]),
            account_name=row["account_name"],
            verified_at=row["verified_at"],
        )
        return Claim(
            row["id"],
            token,
            claimed.attempts,
            claimed.maybe_sent,
            claimed.lease_expires_at,
            request,
            connection,
        )

    # -- sending ----------------------------------------------------------------------------

    def send(self, claim: Claim) -> Outcome:
        """Deliver one claimed award and record the outcome. Plugin bugs are recorded, then raised."""
        if not self._lease_holds(claim):
            return self._superseded(claim)
        try:
            provider, connection = provider_connection(self.host, claim.connection)
            if claim.maybe_sent and provider.supports("find_badge"):
                found = provider.find_badge(connection, claim.request)
                if found is not None:
                    return self._issued(claim, found, provider.title, linked=True)
            try:
                issued = provider.issue_badge(connection, claim.request)
            except AlreadyIssued as exc:
                found = (
                    provider.find_badge(connection, claim.request)
                    if provider.supports("find_badge")
                    else None
                )
                if found is None:
                    return self._failed(claim, exc)
                return self._issued(claim, found, provider.title, linked=True)
            return self._issued(claim, issued, provider.title, linked=False)
        except ProviderUnavailable as exc:
            return self._retry_later(claim, exc)
        except BadgeBridgeError as exc:
            return self._failed(claim, exc)
        except Exception as exc:
            self._failed(claim, BadgeBridgeError(f"internal error: {type(exc).__name__}: {exc}"))
            raise

    def send_awards(self, award_ids: list[int], *, concurrency: int = 1) -> list[Outcome]:
        """Claim these awards (those still queued) and send them, ``concurrency`` at a time.

        Claims are taken a few per sender at a time, so no claim waits out its lease in a queue.
        """
        outcomes: list[Outcome] = []
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="badgebridge-send") as pool:
            for chunk in chunks(award_ids, CLAIMS_PER_SENDER * concurrency):
                outcomes += pool.map(self.send, self.claim(len(chunk), award_ids=chunk))
        return outcomes

    # -- finalising (fenced by the claim token) ---------------------------------------------

    def _lease_holds(self, claim: Claim) -> bool:
        """True if the claim is still ours with time left to send; renews a lease that runs short.

        A sender that stalled past its lease finds its claim taken over here, and sends nothing.
        """
        if claim.lease_expires_at - utcnow() > self.lease / 2:
            return True
        return self._finalise(claim, state=AwardState.SENDING, keep_claim=True)

    def _finalise(self, claim: Claim, *, keep_claim: bool = False, **values: Any) -> bool:
        """Apply ``values`` if the claim is still ours; release it unless ``keep_claim`` (renew it)."""
        now = utcnow()
        if keep_claim:
            claim_values = {"lease_expires_at": now + self.lease}
        else:
            claim_values = {"claimed_by": None, "claim_token": None, "lease_expires_at": None}
        with self.db.begin() as conn:
            result = conn.execute(
                update(awards)
                .where(
                    awards.c.id == claim.award_id,
                    awards.c.claim_token == claim.token,
                    awards.c.state == AwardState.SENDING,
                )
                .values(updated_at=now, **claim_values, **values)
            )
        return result.rowcount == 1

    def _superseded(self, claim: Claim) -> Outcome:
        return Outcome(claim.award_id, "superseded", "another sender took this award over; left to it")

    def _issued(self, claim: Claim, badge: IssuedBadge, title: str, *, linked: bool) -> Outcome:
        done = self._finalise(
            claim,
            state=AwardState.ISSUED,
            provider_badge_id=badge.provider_badge_id,
            provider_state=badge.state,
            provider_url=badge.url,
            linked=linked,
            maybe_sent=False,
            next_attempt_at=None,
            last_error=None,
            last_status=None,
            sent_at=utcnow(),
        )
        if not done:
            return self._superseded(claim)
        how = "already held on" if linked else "issued on"
        return Outcome(
            claim.award_id,
            AwardState.ISSUED,
            f"{how} {title} as {badge.provider_badge_id} ({badge.state})",
            badge.provider_badge_id,
        )

    def _failed(self, claim: Claim, error: BadgeBridgeError) -> Outcome:
        status = error.status if isinstance(error, ProviderError) else None
        done = self._finalise(
            claim, state=AwardState.FAILED, last_error=str(error), last_status=status, next_attempt_at=None
        )
        return Outcome(claim.award_id, AwardState.FAILED, str(error)) if done else self._superseded(claim)

    def _retry_later(self, claim: Claim, error: ProviderUnavailable) -> Outcome:
        rate_limited = error.retry_after is not None
        attempts = claim.attempts - 1 if rate_limited else claim.attempts  # a rate limit uses no attempt
        if attempts >= self.policy.max_attempts:
            message = f"{error} (gave up after {attempts} attempts)"
            done = self._finalise(
                claim,
                state=AwardState.FAILED,
                last_error=message,
                last_status=error.status,
                next_attempt_at=None,
            )
            return Outcome(claim.award_id, AwardState.FAILED, message) if done else self._superseded(claim)
        retry_at = utcnow() + timedelta(seconds=self.policy.delay(attempts, error, self._rng))
        done = self._finalise(
            claim,
            state=AwardState.QUEUED,
            attempts=attempts,
            next_attempt_at=retry_at,
            maybe_sent=claim.maybe_sent or error.maybe_sent,
            last_error=str(error),
            last_status=error.status,
        )
        if not done:
            return self._superseded(claim)
        return Outcome(claim.award_id, AwardState.QUEUED, f"{error}; will retry", retry_at=retry_at)
