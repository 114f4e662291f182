"""Provider events in: webhook deliveries stored as rows, then processed from that queue.

A delivery is never trusted. ``receive`` stores its body and answers at once; ``EventProcessor``
claims due rows (under a lease, like the award sender), reads the event id from the body, fetches
the event from the provider (``fetch_event``) and acts on what the provider says:

- ``badge.state.changed``: the award's provider state becomes the badge's (accepted, rejected,
  revoked; a revoked badge revokes the award);
- ``badge.deleted``: the award's provider state becomes ``deleted`` and the award ``failed``, so
  ``awards retry`` issues it again;
- ``badge_template.changed`` / ``.deleted``: the catalog badge is updated or retired (never deleted).

A delivery is ignored (and recorded as such) when its body names no event, when it claims another
organization, when the provider does not know the event, when the event belongs to another account,
or when the event was handled already. The handling delivery's row carries ``handled_event_id``
under a unique constraint, written in the same transaction as the effects, so two deliveries of one
event handled at the same moment cannot both act.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from badgebridge.core.clock import iso_z, utcnow
from badgebridge.core.errors import (
    BadgeBridgeError,
    InvalidInput,
    NotFound,
    ProviderError,
    ProviderRefused,
    ProviderUnavailable,
)
from badgebridge.core.model import AwardState, BadgeState, EventState, EventType, ProviderEvent
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services import connections as connection_service
from badgebridge.core.services.connections import with_context
from badgebridge.core.services.sender import RetryPolicy
from badgebridge.core.storage import Database
from badgebridge.core.storage.paging import ALL, Keyset, Listing, PageRequest, per_row
from badgebridge.core.storage.schema import awards, badges, connections, provider_events

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
"""A webhook body larger than this is refused (Credly's carry four short fields)."""
LEASE = timedelta(minutes=1)
"""How long a processor holds a claimed delivery; after that another may take it over."""
BADGE_STATES = ("pending", "accepted", "rejected", "revoked")
"""The provider states a ``badge.state.changed`` event can set."""
DELETED = "deleted"


@dataclass(frozen=True)
class EventRecord:
    """A stored delivery, as ``events list`` shows it."""

    id: int
    connection: str
    received_at: datetime
    event_id: str | None
    event_type: str | None
    state: str
    outcome: str | None
    attempts: int
    processed_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "connection": self.connection,
            "received_at": iso_z(self.received_at),
            "event_id": self.event_id,
            "event_type": self.event_type,
            "state": self.state,
            "outcome": self.outcome,
            "attempts": self.attempts,
            "processed_at": iso_z(self.processed_at),
        }


@dataclass(frozen=True)
class _Claim:
    row_id: int
    token: str
    attempts: int
    body: str
    connection_name: str


class _Ignore(Exception):
    """Processing stops here: the delivery is recorded as ignored, for this reason."""


class _LeaseLost(Exception):
    """Another processor took the delivery over; this one changes nothing."""


# -- receiving ----------------------------------------------------------------------------------


def receive(db: Database, connection_name: str, body: bytes) -> int:
    """Store one delivery for the named connection; returns its row id. Nothing is parsed here."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInput(f"an event body is at most {MAX_BODY_BYTES} bytes")
    now = utcnow()
    with db.begin() as conn:
        connection_id = conn.execute(
            select(connections.c.id).where(connections.c.name == connection_name)
        ).scalar()
        if connection_id is None:
            raise NotFound(f"no connection named {connection_name!r}")
        return conn.execute(
            provider_events.insert()
            .values(
                connection_id=connection_id,
                received_at=now,
                body=body.decode("utf-8", errors="replace"),
                event_id=_event_id_in(_parse(body)),
                state=EventState.RECEIVED,
                attempts=0,
                next_attempt_at=now,
                updated_at=now,
            )
            .returning(provider_events.c.id)
        ).scalar_one()


def _parse(body: bytes | str) -> Any:
    """The body as JSON, or None if it is not JSON."""
    try:
        return json.loads(body)
    except ValueError:
        return None


def _event_id_in(parsed: Any) -> str | None:
    """The event id a parsed body names; None if it names none we can use."""
    event_id = parsed.get("id") if isinstance(parsed, dict) else None
    if isinstance(event_id, str) and 0 < len(event_id.strip()) <= 200:
        return event_id.strip()
    return None


# -- subscribing --------------------------------------------------------------------------------


def subscribe(db: Database, host: PluginHost, connection_name: str, url: str) -> str:
    """Make the connection's provider deliver events to ``url``; returns the address it now holds."""
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"not an http(s) URL: {url!r}")
    record, provider, connection = connection_service.load(db, host, connection_name)
    if not provider.supports("subscribe_events"):
        raise InvalidInput(f"the {provider.title} plugin cannot subscribe to events")
    try:
        return provider.subscribe_events(connection, url)
    except ProviderError as exc:
        raise with_context(exc, f"connection {record.name!r} ({provider.title})") from None


# -- listing ------------------------------------------------------------------------------------


def list_events(
    db: Database, connection: str | None = None, state: str | None = None, ids: list[int] | None = None
) -> list[EventRecord]:
    return list(page_events(db, connection, state, ids))


def page_events(
    db: Database,
    connection: str | None = None,
    state: str | None = None,
    ids: list[int] | None = None,
    page: PageRequest = ALL,
) -> Listing[EventRecord]:
    """The events received (through this connection, in this state), oldest first, a batch at a time."""
    query = select(provider_events, connections.c.name.label("connection")).join(
        connections, provider_events.c.connection_id == connections.c.id
    )
    if connection:
        query = query.where(connections.c.name == connection)
    if state:
        query = query.where(provider_events.c.state == EventState(state))
    if ids is not None:
        query = query.where(provider_events.c.id.in_(ids))
    return Listing(db, query, Keyset(provider_events.c.id), page, per_row(_event_record))


def _event_record(row) -> EventRecord:
    return EventRecord(
        id=row["id"],
        connection=row["connection"],
        received_at=row["received_at"],
        event_id=row["event_id"],
        event_type=row["event_type"],
        state=row["state"],
        outcome=row["outcome"],
        attempts=row["attempts"],
        processed_at=row["processed_at"],
    )


# -- processing ---------------------------------------------------------------------------------


class EventProcessor:
    """Claims due deliveries and handles them; any number may run against one database."""

    def __init__(
        self, db: Database, host: PluginHost, *, policy: RetryPolicy | None = None, lease: timedelta = LEASE
    ) -> None:
        self.db = db
        self.host = host
        self.policy = policy or RetryPolicy()
        self.lease = lease
        self._rng = random.Random()

    def process_due(self, limit: int = 100) -> list[EventRecord]:
        """Handle the deliveries due now, one at a time, up to ``limit``; returns them as stored after."""
        done: list[int] = []
        while len(done) < limit:
            claim = self._claim()
            if claim is None:
                break
            self._process(claim)
            done.append(claim.row_id)
        by_id = {record.id: record for record in list_events(self.db, ids=done)} if done else {}
        return [by_id[row_id] for row_id in done]

    def run(self, stop: threading.Event, wake: threading.Event, poll_seconds: float = 1.0) -> None:
        """Process until ``stop`` is set; ``wake`` (set by the receiver) starts a pass at once."""
        self.host.providers  # noqa: B018 -- load plugin declarations before serving
        while not stop.is_set():
            wake.clear()
            try:
                self.process_due()
            except Exception:  # a plugin or database failure must not end the receiver
                log.exception("processing events failed")
            wake.wait(poll_seconds)

    # -- claiming -------------------------------------------------------------------------------

    def _claim(self) -> _Claim | None:
        now = utcnow()
        due = or_(
            and_(provider_events.c.state == EventState.RECEIVED, provider_events.c.next_attempt_at <= now),
            and_(provider_events.c.state == EventState.PROCESSING, provider_events.c.lease_expires_at < now),
        )
        candidate = (
            select(provider_events.c.id)
            .where(due)
            .order_by(provider_events.c.next_attempt_at, provider_events.c.id)
            .limit(1)
        )
        token = uuid.uuid4().hex
        values = {
            "state": EventState.PROCESSING,
            "claim_token": token,
            "lease_expires_at": now + self.lease,
            "attempts": provider_events.c.attempts + 1,
            "updated_at": now,
        }
        with self.db.begin() as conn:
            if conn.dialect.name == "postgresql":
                locked = candidate.with_for_update(skip_locked=True).cte("candidate")
                statement = update(provider_events).where(provider_events.c.id == locked.c.id)
            else:  # SQLite: the transaction holds the write lock already (BEGIN IMMEDIATE)
                statement = update(provider_events).where(
                    provider_events.c.id.in_(candidate.scalar_subquery())
                )
            row = conn.execute(
                statement.values(**values).returning(
                    provider_events.c.id,
                    provider_events.c.attempts,
                    provider_events.c.body,
                    provider_events.c.connection_id,
                )
            ).first()
            if row is None:
                return None
            name = conn.execute(
                select(connections.c.name).where(connections.c.id == row.connection_id)
            ).scalar_one()
        return _Claim(row.id, token, row.attempts, row.body, name)

    # -- handling -------------------------------------------------------------------------------

    def _process(self, claim: _Claim) -> None:
        try:
            record, provider, connection = connection_service.load(self.db, self.host, claim.connection_name)
            try:
                event_id = _body_event_id(claim.body, record.account_id)
                self._ignore_if_handled(claim, record.id, event_id)
                if not provider.supports("fetch_event"):
                    raise _Ignore(f"the {provider.title} plugin cannot read events")
                try:
                    event = provider.fetch_event(connection, event_id)
                except ProviderRefused as exc:
                    raise _Ignore(f"{provider.title} does not know event {event_id}: {exc}") from None
                if record.account_id and event.account_id and event.account_id != record.account_id:
                    raise _Ignore(f"event {event_id} belongs to another organization ({event.account_id})")
                self._handle(claim, record.id, provider.title, event)
            except _Ignore as why:
                self._finish(claim, EventState.IGNORED, str(why))
        except _LeaseLost:
            log.info("event delivery %s was taken over by another processor", claim.row_id)
        except ProviderUnavailable as exc:
            self._retry_later(claim, exc)
        except BadgeBridgeError as exc:
            self._finish(claim, EventState.FAILED, str(exc))
        except Exception as exc:
            self._finish(claim, EventState.FAILED, f"internal error: {type(exc).__name__}: {exc}")
            raise

    def _ignore_if_handled(self, claim: _Claim, connection_id: int, event_id: str) -> None:
        with self.db.begin() as conn:
            earlier = _handled_by(conn, connection_id, event_id)
        if earlier is not None:
            raise _Ignore(f"event {event_id} was handled already (delivery {earlier})")

    def _handle(self, claim: _Claim, connection_id: int, title: str, event: ProviderEvent) -> None:
        """Apply the event and mark this delivery as the one that handled it, in one transaction."""
        try:
            with self.db.begin() as conn:
                outcome = _apply(conn, connection_id, title, event)
                self._finish_in(
                    conn,
                    claim,
                    EventState.HANDLED,
                    outcome,
                    handled_event_id=event.event_id,
                    event_type=event.event_type,
                )
        except IntegrityError:  # another delivery of this event was handled meanwhile
            with self.db.begin() as conn:
                earlier = _handled_by(conn, connection_id, event.event_id)
            self._finish(
                claim, EventState.IGNORED, f"event {event.event_id} was handled already (delivery {earlier})"
            )

    def _finish(self, claim: _Claim, state: EventState, outcome: str, **values: Any) -> None:
        try:
            with self.db.begin() as conn:
                self._finish_in(conn, claim, state, outcome, **values)
        except _LeaseLost:
            log.info("event delivery %s was taken over by another processor", claim.row_id)

    @staticmethod
    def _finish_in(conn: Connection, claim: _Claim, state: EventState, outcome: str, **values: Any) -> None:
        now = utcnow()
        done = state != EventState.RECEIVED
        result = conn.execute(
            update(provider_events)
            .where(
                provider_events.c.id == claim.row_id,
                provider_events.c.claim_token == claim.token,
                provider_events.c.state == EventState.PROCESSING,
            )
            .values(
                state=state,
                outcome=outcome,
                claim_token=None,
                lease_expires_at=None,
                processed_at=now if done else None,
                updated_at=now,
                **values,
            )
        )
        if result.rowcount != 1:
            raise _LeaseLost

    def _retry_later(self, claim: _Claim, error: ProviderUnavailable) -> None:
        if claim.attempts >= self.policy.max_attempts:
            self._finish(claim, EventState.FAILED, f"{error} (gave up after {claim.attempts} attempts)")
            return
        retry_at = utcnow() + timedelta(seconds=self.policy.delay(claim.attempts, error, self._rng))
        self._finish(
            claim, EventState.RECEIVED, f"{error}; will retry at {iso_z(retry_at)}", next_attempt_at=retry_at
        )


def _body_event_id(body: str, account_id: str | None) -> str:
    """The event id a delivery names; ``_Ignore`` if it names none, or claims another organization."""
    parsed = _parse(body)
    if not isinstance(parsed, dict):
        raise _Ignore("the body is not a JSON object")
    event_id = _event_id_in(parsed)
    if event_id is None:
        raise _Ignore("the body names no event id")
    organization = parsed.get("organization_id")
    if account_id and organization is not None and str(organization) != account_id:
        raise _Ignore(f"event {event_id} claims another organization ({organization})")
    return event_id


def _handled_by(conn: Connection, connection_id: int, event_id: str) -> int | None:
    return conn.execute(
        select(provider_events.c.id).where(
            provider_events.c.connection_id == connection_id,
            provider_events.c.handled_event_id == event_id,
        )
    ).scalar()


# -- the effects --------------------------------------------------------------------------------


def _apply(conn: Connection, connection_id: int, title: str, event: ProviderEvent) -> str:
    """Act on a fetched event in the caller's transaction; returns what changed, in words."""
    kind = event.event_type
    if kind in (EventType.BADGE_STATE_CHANGED, EventType.BADGE_DELETED):
        if event.badge is None:
            return f"no change: {title} sent no badge with the event"
        if kind == EventType.BADGE_DELETED:
            return _badge_deleted(conn, connection_id, title, event)
        return _badge_state_changed(conn, connection_id, title, event)
    if kind in (EventType.TEMPLATE_CHANGED, EventType.TEMPLATE_DELETED):
        if event.template is None:
            return f"no change: {title} sent no badge template with the event"
        return _template_changed(conn, connection_id, event, deleted=kind == EventType.TEMPLATE_DELETED)
    return f"no change: nothing to do for {kind}"


def _awards_holding(conn: Connection, connection_id: int, provider_badge_id: str) -> list:
    return list(
        conn.execute(
            select(awards.c.id, awards.c.state, awards.c.provider_state).where(
                awards.c.connection_id == connection_id,
                awards.c.provider_badge_id == provider_badge_id,
            )
        )
    )


def _badge_state_changed(conn: Connection, connection_id: int, title: str, event: ProviderEvent) -> str:
    badge = event.badge
    assert badge is not None
    new = badge.state.lower()
    if new not in BADGE_STATES:
        return f"no change: badge {badge.provider_badge_id} is {badge.state!r} on {title}"
    held = _awards_holding(conn, connection_id, badge.provider_badge_id)
    if not held:
        return f"no change: no award holds badge {badge.provider_badge_id}"
    now = utcnow()
    changes = []
    for award in held:
        if award.state == AwardState.REVOKED and new != "revoked":
            changes.append(f"award {award.id} is revoked here; left revoked")
            continue
        if award.state not in (AwardState.ISSUED, AwardState.REVOKED) or award.provider_state == new:
            continue
        values: dict[str, Any] = {"provider_state": new, "updated_at": now}
        if new == "revoked" and award.state == AwardState.ISSUED:
            values |= {
                "state": AwardState.REVOKED,
                "revoked_at": event.occurred_at or now,
                "revoke_reason": f"revoked on {title} (event {event.event_id})",
            }
        conn.execute(update(awards).where(awards.c.id == award.id).values(**values))
        changes.append(f"award {award.id}: provider state {award.provider_state or '-'} -> {new}")
    return "; ".join(changes) or f"no change: badge {badge.provider_badge_id} was {new} already"


def _badge_deleted(conn: Connection, connection_id: int, title: str, event: ProviderEvent) -> str:
    badge = event.badge
    assert badge is not None
    held = _awards_holding(conn, connection_id, badge.provider_badge_id)
    changes = []
    for award in held:
        if award.state not in (AwardState.ISSUED, AwardState.REVOKED):
            continue
        conn.execute(
            update(awards)
            .where(awards.c.id == award.id)
            .values(
                state=AwardState.FAILED,
                provider_state=DELETED,
                last_error=f"deleted on {title} (event {event.event_id}); awards retry issues it again",
                last_status=None,
                maybe_sent=False,
                next_attempt_at=None,
                updated_at=utcnow(),
            )
        )
        changes.append(f"award {award.id}: badge deleted on {title}; awards retry issues it again")
    return "; ".join(changes) or f"no change: no award holds badge {badge.provider_badge_id}"


def _template_changed(conn: Connection, connection_id: int, event: ProviderEvent, *, deleted: bool) -> str:
    template = event.template
    assert template is not None
    rows = list(
        conn.execute(
            select(badges).where(
                badges.c.connection_id == connection_id,
                badges.c.external_badge_id == template.external_id,
            )
        ).mappings()
    )
    if not rows:
        return (
            f"no change: template {template.external_id} is not in the catalog (badges import brings it in)"
        )
    active = not deleted and template.state.lower() == "active"
    values: dict[str, Any] = {"state": BadgeState.ACTIVE if active else BadgeState.RETIRED}
    if not deleted:
        values |= {
            "name": template.name,
            "description": template.description,
            "image_url": template.image_url,
        }
    changes = []
    for row in rows:
        changed = {key: value for key, value in values.items() if row[key] != value}
        if not changed:
            continue
        conn.execute(update(badges).where(badges.c.id == row["id"]).values(updated_at=utcnow(), **changed))
        words = ", ".join(
            f"{key} {row[key]!r} -> {value!r}" if key != "description" else "description changed"
            for key, value in changed.items()
        )
        changes.append(f"badge {row['id']}: {words}")
    return "; ".join(changes) or "no change: the catalog badge is up to date"
