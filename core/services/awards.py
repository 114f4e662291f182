"""Awards: one learner × one badge × one reason, stored before any provider call.

Storing an award queues it; ``badgebridge.core.services.sender`` delivers it. A platform-only badge is
awarded locally (state ``awarded``) and never sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, func, select, update

from badgebridge.core.clock import iso_z, utcnow
from badgebridge.core.errors import InvalidInput, NotFound, ProviderError, ProviderRefused
from badgebridge.core.model import AwardState, BadgeState
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services import catalog, history, recovery
from badgebridge.core.services import connections as connection_service
from badgebridge.core.services import learners as learner_service
from badgebridge.core.services.connections import with_context
from badgebridge.core.storage import Database
from badgebridge.core.storage.bulk import insert_many
from badgebridge.core.storage.chunks import chunks
from badgebridge.core.storage.paging import ALL, Keyset, Listing, PageRequest, per_row
from badgebridge.core.storage.schema import awards, badges, connections, learners
from badgebridge.core.storage.upsert import insert_ignoring_conflicts

MANUAL = "manual"


@dataclass(frozen=True)
class AwardRecord:
    id: int
    learner_id: str
    learner_email: str
    badge_id: str
    badge_name: str
    reason_kind: str
    reason_id: str
    connection: str | None
    state: str
    provider_badge_id: str | None
    provider_state: str | None
    provider_url: str | None
    linked: bool
    error: str | None
    attempts: int
    next_attempt_at: datetime | None
    earned_at: datetime
    revoke_reason: str | None
    lease_expires_at: datetime | None  # while a sender holds it (state ``sending``)

    @property
    def reason(self) -> str:
        return self.reason_kind if self.reason_kind == MANUAL else f"{self.reason_kind}:{self.reason_id}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "learner_email": self.learner_email,
            "badge_id": self.badge_id,
            "badge_name": self.badge_name,
            "reason": self.reason,
            "connection": self.connection,
            "state": self.state,
            "provider_state": self.provider_state,
            "provider_badge_id": self.provider_badge_id,
            "provider_url": self.provider_url,
            "linked": self.linked,
            "error": self.error,
            "attempts": self.attempts,
            "next_attempt_at": iso_z(self.next_attempt_at),
            "earned_at": iso_z(self.earned_at),
            "revoke_reason": self.revoke_reason,
        }


class NewAward(NamedTuple):
    """An award to store: who, which badge (and its connection; None for a platform-only badge), why, when."""

    learner_id: str
    badge_id: str
    connection_id: int | None
    reason_kind: str
    reason_id: str
    earned_at: datetime


def enqueue(
    conn: Connection, learner_id: str, badge_id: str, reason_kind: str, reason_id: str, earned_at: datetime
) -> int | None:
    """Store an award in the caller's transaction; None if that award exists already.

    The unique constraint (learner, badge, reason) makes a replayed completion a no-op.
    """
    badge = conn.execute(
        select(badges.c.connection_id, badges.c.state).where(badges.c.id == badge_id)
    ).first()
    if badge is None:
        raise NotFound(f"no badge with id {badge_id!r}")
    award = NewAward(learner_id, badge_id, badge.connection_id, reason_kind, reason_id, earned_at)
    row = dict(zip(_ROW_COLUMNS, _values(award, utcnow()), strict=True))
    statement = insert_ignoring_conflicts(conn, awards).values(row).returning(awards.c.id)
    return conn.execute(statement).scalar()


def enqueue_many(conn: Connection, new: Sequence[NewAward]) -> list[int]:
    """Store awards in the caller's transaction, skipping those that exist already (``award_once``);
    returns the ids of the stored ones, in order. The caller holds the learners' locks
    (``badgebridge.core.storage.locks``), so no other transaction adds awards for them meanwhile.

    One executemany (``insert_many``), between two reads of the learners' awards that tell the new
    ids. Not ``RETURNING``: through executemany on SQLite its memory grows with every batch, which
    a migration of millions of rows cannot afford.
    """
    learner_ids = {award.learner_id for award in new}
    held = _held(conn, learner_ids)
    fresh = list({_key(award): award for award in new if _key(award) not in held}.values())
    if not fresh:
        return []
    now = utcnow()
    insert_many(conn, awards, _ROW_COLUMNS, [_values(award, now) for award in fresh], ignore_conflicts=True)
    stored = _held(conn, learner_ids)
    return [stored[_key(award)] for award in fresh]


AwardKey = tuple[str, str, str, str]
"""``(learner_id, badge_id, reason_kind, reason_id)``: what ``award_once`` keeps unique."""


def _key(award: NewAward) -> AwardKey:
    return award.learner_id, award.badge_id, award.reason_kind, award.reason_id


_ROW_COLUMNS = (
    *NewAward._fields,
    "state",
    "next_attempt_at",
    "attempts",
    "maybe_sent",
    "linked",
    "created_at",
    "updated_at",
)
"""The columns ``_values`` gives a new award."""


def _values(award: NewAward, now: datetime) -> tuple[Any, ...]:
    """A new award's row (``_ROW_COLUMNS``): queued for its connection, or awarded here for a
    platform-only badge."""
    sent = award.connection_id is not None
    state, next_attempt_at = (AwardState.QUEUED, now) if sent else (AwardState.AWARDED, None)
    return (*award, state, next_attempt_at, 0, False, False, now, now)


def _held(conn: Connection, learner_ids: set[str]) -> dict[AwardKey, int]:
    """``{award key: award id}`` of these learners' awards."""
    columns = (awards.c.learner_id, awards.c.badge_id, awards.c.reason_kind, awards.c.reason_id)
    found: dict[AwardKey, int] = {}
    for chunk in chunks(sorted(learner_ids)):
        query = select(awards.c.id, *columns).where(awards.c.learner_id.in_(chunk))
        found.update((tuple(row[1:]), row[0]) for row in conn.execute(query))
    return found


def grant(
    db: Database, badge_id: str, email: str, earned_at: datetime | None = None
) -> tuple[AwardRecord, bool]:
    """A manual award; returns the award and whether it is new."""
    learner = learner_service.get_by_email(db, email)
    badge = catalog.get_badge(db, badge_id)
    if badge.state != BadgeState.ACTIVE:
        raise InvalidInput(f"badge {badge_id!r} is {badge.state.lower()}; only active badges are awarded")
    with db.begin() as conn:
        new_id = enqueue(conn, learner.id, badge.id, MANUAL, "", earned_at or utcnow())
        award_id = (
            new_id
            or conn.execute(
                select(awards.c.id).where(
                    awards.c.learner_id == learner.id,
                    awards.c.badge_id == badge.id,
                    awards.c.reason_kind == MANUAL,
                )
            ).scalar_one()
        )
    return get(db, award_id), new_id is not None


def requeue(db: Database, award_ids: list[int] | None = None) -> list[int]:
    """Make failed or waiting awards (these, or all) due now, with fresh attempts, and take over
    claims whose lease ran out; returns their ids (``recovery.retry`` says why others were left)."""
    return recovery.retry(db, award_ids).changed


def revoke(db: Database, host: PluginHost, award_id: int, reason: str) -> tuple[AwardRecord, str]:
    """Revoke an award on its provider (or locally, for a platform-only badge); returns the award
    and what happened: ``revoked``, ``already`` (revoked here before), or ``remote`` (the provider
    had revoked or deleted it already; recorded, with this reason)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("a revocation needs a reason")
    award = get(db, award_id)
    if award.state == AwardState.REVOKED:
        return award, "already"
    if award.state not in (AwardState.ISSUED, AwardState.AWARDED):
        raise InvalidInput(f"award {award_id} is {award.state}; only issued awards can be revoked")
    values: dict[str, Any] = {}
    how = "revoked"
    if award.state == AwardState.ISSUED:
        _, provider, connection = connection_service.load(db, host, award.connection)
        if not provider.supports("revoke_badge"):
            raise InvalidInput(f"the {provider.title} plugin cannot revoke badges")
        try:
            values["provider_state"] = provider.revoke_badge(
                connection, award.provider_badge_id, reason
            ).state
        except ProviderRefused as exc:
            remote = _state_on_provider(provider, connection, award.provider_badge_id)
            if remote not in ("revoked", "deleted"):
                raise with_context(exc, f"revoking award {award_id} on {provider.title}") from None
            values["provider_state"], how = remote, "remote"
        except ProviderError as exc:
            raise with_context(exc, f"revoking award {award_id} on {provider.title}") from None
    now = utcnow()
    with db.begin() as conn:
        conn.execute(
            update(awards)
            .where(awards.c.id == award_id)
            .values(state=AwardState.REVOKED, revoked_at=now, revoke_reason=reason, updated_at=now, **values)
        )
        message = f"{values.get('provider_state')} on the provider already" if how == "remote" else reason
        history.record(conn, award_id, "revoke", how, message=message)
    return get(db, award_id), how


def _state_on_provider(provider, connection, provider_badge_id: str) -> str | None:
    """The badge's state on the provider (``deleted`` if it says 404), or None if it cannot tell."""
    if not provider.supports("fetch_badge"):
        return None
    try:
        return provider.fetch_badge(connection, provider_badge_id).state
    except ProviderRefused as exc:
        return "deleted" if exc.status == 404 else None
    except ProviderError:
        return None


SHOWN_TO_LEARNERS = (AwardState.ISSUED, AwardState.REVOKED, AwardState.AWARDED)


def learner_badges(
    db: Database, host: PluginHost, email: str, *, refresh: bool = True, page: PageRequest = ALL
) -> Listing[AwardRecord]:
    """A learner's badges (issued, revoked, or platform-only), with their state on the provider,
    oldest first, a page at a time.

    With ``refresh``, each issued badge of the page is read again from its provider
    (``fetch_badge``) and the state stored; a provider that cannot be reached leaves the stored
    state in place.
    """
    learner = learner_service.get_by_email(db, email)
    conditions = [awards.c.learner_id == learner.id, awards.c.state.in_(SHOWN_TO_LEARNERS)]
    if refresh:
        issued = [
            a for a in page_awards(db, conditions, page) if a.state == AwardState.ISSUED and a.connection
        ]
        _refresh_provider_states(db, host, issued)
    return page_awards(db, conditions, page)


def _refresh_provider_states(db: Database, host: PluginHost, issued: list[AwardRecord]) -> None:
    loaded: dict[str, tuple] = {}
    for award in issued:
        if award.connection not in loaded:
            _, provider, connection = connection_service.load(db, host, award.connection)
            loaded[award.connection] = (provider, connection)
        provider, connection = loaded[award.connection]
        if not provider.supports("fetch_badge"):
            continue
        try:
            badge = provider.fetch_badge(connection, award.provider_badge_id)
        except ProviderError:
            continue
        with db.begin() as conn:
            conn.execute(
                update(awards)
                .where(awards.c.id == award.id)
                .values(
                    provider_state=badge.state,
                    provider_url=badge.url or award.provider_url,
                    updated_at=utcnow(),
                )
            )


def count_states(db: Database, award_ids: list[int]) -> Counter:
    """How many of these awards are in each state, however many ids there are."""
    counts: Counter = Counter()
    with db.begin() as conn:
        for chunk in chunks(award_ids):
            query = (
                select(awards.c.state, func.count()).where(awards.c.id.in_(chunk)).group_by(awards.c.state)
            )
            counts.update(dict(conn.execute(query).all()))
    return counts


def _query():
    return (
        select(
            awards,
            learners.c.email.label("learner_email"),
            badges.c.name.label("badge_name"),
            connections.c.name.label("connection"),
        )
        .join(learners, awards.c.learner_id == learners.c.id)
        .join(badges, awards.c.badge_id == badges.c.id)
        .outerjoin(connections, awards.c.connection_id == connections.c.id)
    )


def get(db: Database, award_id: int) -> AwardRecord:
    with db.begin() as conn:
        row = conn.execute(_query().where(awards.c.id == award_id)).mappings().first()
    if row is None:
        raise NotFound(f"no award with id {award_id} (awards list shows them)")
    return _record(row)


def list_awards(
    db: Database, state: str | None = None, learner: str | None = None, ids: list[int] | None = None
) -> list[AwardRecord]:
    query = _query().order_by(awards.c.id)
    if state:
        query = query.where(awards.c.state == AwardState(state))
    if learner:
        query = query.where(learners.c.email == learner.strip().lower())
    if ids is not None:
        query = query.where(awards.c.id.in_(ids))
    with db.begin() as conn:
        return [_record(row) for row in conn.execute(query).mappings()]


def page_awards(db: Database, conditions: list, page: PageRequest = ALL) -> Listing[AwardRecord]:
    """The awards that meet ``conditions`` (on the awards, learners, badges and connections
    tables), oldest id first, a batch at a time."""
    return Listing(db, _query().where(*conditions), Keyset(awards.c.id), page, per_row(_record))


def _record(row) -> AwardRecord:
    return AwardRecord(
        id=row["id"],
        learner_id=row["learner_id"],
        learner_email=row["learner_email"],
        badge_id=row["badge_id"],
        badge_name=row["badge_name"],
        reason_kind=row["reason_kind"],
        reason_id=row["reason_id"],
        connection=row["connection"],
        state=row["state"],
        provider_badge_id=row["provider_badge_id"],
        provider_state=row["provider_state"],
        provider_url=row["provider_url"],
        linked=row["linked"],
        error=row["last_error"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        earned_at=row["earned_at"],
        revoke_reason=row["revoke_reason"],
        lease_expires_at=row["lease_expires_at"],
    )
