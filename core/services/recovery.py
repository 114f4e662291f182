"""Recovery a user can reach: retry (taking over dead claims), cancel, reissue, sync with the provider.

Every change is one conditional update (the award's state is in the ``WHERE``), so it races a
sender safely: a sender that claimed the award first keeps it, and one that comes later finds
nothing to claim. Each action is written to the award's history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select, update

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import (
    InvalidInput,
    NotFound,
    ProviderError,
    ProviderRefused,
    ProviderUnavailable,
)
from badgebridge.core.model import AwardState
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services import connections as connection_service
from badgebridge.core.services import history
from badgebridge.core.services.pacing import Pacer
from badgebridge.core.storage import Database
from badgebridge.core.storage.schema import awards, connections

DELETED = "deleted"
"""``provider_state`` of an award whose badge the provider no longer has."""
REVOKED_ON_PROVIDER = "revoked"


@dataclass
class Changes:
    """What an action did: the awards it changed, and why it left the others alone."""

    changed: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)


def _states(db: Database, award_ids: Iterable[int]) -> dict[int, tuple]:
    ids = list(award_ids)
    with db.begin() as conn:
        rows = conn.execute(
            select(awards.c.id, awards.c.state, awards.c.lease_expires_at, awards.c.provider_state).where(
                awards.c.id.in_(ids)
            )
        ).all()
    found = {row.id: row for row in rows}
    missing = [award_id for award_id in ids if award_id not in found]
    if missing:
        raise NotFound(f"no award with id {missing[0]} (awards list shows them)")
    return found


def retry(db: Database, award_ids: list[int] | None = None) -> Changes:
    """Make failed or waiting awards (these, or all) due now with fresh attempts, and take over
    awards whose sender's lease ran out (a killed ``grant``, a dead worker): they are queued again,
    marked "may have been sent" so the next send looks them up first."""
    now = utcnow()
    waiting = awards.c.state.in_([AwardState.FAILED, AwardState.QUEUED])
    dead = and_(awards.c.state == AwardState.SENDING, awards.c.lease_expires_at < now)
    changes = Changes()
    with db.begin() as conn:
        query = select(awards.c.id, awards.c.state).where(or_(waiting, dead))
        if award_ids:
            query = query.where(awards.c.id.in_(award_ids))
        rows = conn.execute(query.order_by(awards.c.id)).all()
        for row in rows:
            taken_over = row.state == AwardState.SENDING
            values = {"state": AwardState.QUEUED, "next_attempt_at": now, "attempts": 0, "updated_at": now}
            if taken_over:
                values |= {
                    "claimed_by": None,
                    "claim_token": None,
                    "lease_expires_at": None,
                    "maybe_sent": True,
                }
            done = conn.execute(
                update(awards).where(awards.c.id == row.id, or_(waiting, dead)).values(values)
            ).rowcount
            if done:
                changes.changed.append(row.id)
                what = (
                    "took over a claim whose lease ran out"
                    if taken_over
                    else f"queued again (was {row.state})"
                )
                history.record(conn, row.id, "retry", "requeued", message=what)
    if award_ids:
        states = _states(db, set(award_ids) - set(changes.changed))
        for award_id, row in states.items():
            changes.skipped[award_id] = _why_not_resendable(row)
    return changes


def _why_not_resendable(row) -> str:
    if row.state == AwardState.SENDING:
        return f"is being sent (its lease runs until {row.lease_expires_at:%Y-%m-%d %H:%M:%S} UTC)"
    if row.state == AwardState.CANCELLED:
        return "was cancelled (awards reissue sends it)"
    if row.state == AwardState.REVOKED:
        return "was revoked (awards reissue issues it again)"
    return f"is {row.state}"


def cancel(db: Database, award_ids: list[int]) -> Changes:
    """Cancel queued or failed awards: no sender claims them afterwards."""
    states = _states(db, award_ids)
    now = utcnow()
    cancellable = awards.c.state.in_([AwardState.QUEUED, AwardState.FAILED])
    changes = Changes()
    with db.begin() as conn:
        for award_id in award_ids:
            done = conn.execute(
                update(awards)
                .where(awards.c.id == award_id, cancellable)
                .values(state=AwardState.CANCELLED, cancelled_at=now, next_attempt_at=None, updated_at=now)
            ).rowcount
            if done:
                changes.changed.append(award_id)
                history.record(conn, award_id, "cancel", "cancelled", message=f"was {states[award_id].state}")
    for award_id in award_ids:
        if award_id in changes.changed:
            continue
        row = _states(db, [award_id])[award_id]
        if row.state == AwardState.CANCELLED:
            changes.skipped[award_id] = "was cancelled already"
        elif row.state == AwardState.SENDING:
            changes.skipped[award_id] = "is being sent right now; it cannot be cancelled"
        else:
            changes.skipped[award_id] = f"is {row.state}; only queued or failed awards can be cancelled"
    return changes


def reissue(db: Database, award_id: int) -> None:
    """Queue a revoked award (revoked here or on the provider, or deleted there: ``awards sync``
    records those) or a cancelled one, to be issued again (a new badge on the provider)."""
    row = _states(db, [award_id])[award_id]
    again = awards.c.state.in_([AwardState.REVOKED, AwardState.CANCELLED])
    now = utcnow()
    with db.begin() as conn:
        done = conn.execute(
            update(awards)
            .where(awards.c.id == award_id, awards.c.connection_id.is_not(None), again)
            .values(
                state=AwardState.QUEUED,
                next_attempt_at=now,
                attempts=0,
                maybe_sent=False,
                linked=False,
                provider_badge_id=None,
                provider_state=None,
                provider_url=None,
                revoked_at=None,
                revoke_reason=None,
                cancelled_at=None,
                last_error=None,
                last_status=None,
                updated_at=now,
            )
        ).rowcount
        if done:
            was = row.state if row.provider_state != DELETED else "deleted on the provider"
            history.record(conn, award_id, "reissue", "requeued", message=f"was {was}")
    if not done:
        raise InvalidInput(
            f"award {award_id} is {row.state}; only revoked, cancelled or provider-deleted awards "
            "of a provider's badge are reissued"
        )


@dataclass
class SyncReport:
    checked: int = 0
    changed: dict[int, str] = field(default_factory=dict)  # award id -> what changed
    unreachable: dict[int, str] = field(default_factory=dict)  # award id -> why it was not read


def sync(db: Database, host: PluginHost, connection_name: str | None = None) -> SyncReport:
    """Read each issued award's badge from its provider (``fetch_badge``) and record its state:
    revoked there (the award becomes revoked), deleted there (``provider_state`` ``deleted``; the
    award becomes revoked), or any other state word (accepted, pending, ...). Requests share the
    connection's pace."""
    query = (
        select(awards.c.id, awards.c.provider_badge_id, awards.c.provider_state, connections.c.name)
        .join(connections, awards.c.connection_id == connections.c.id)
        .where(awards.c.state == AwardState.ISSUED, awards.c.provider_badge_id.is_not(None))
        .order_by(awards.c.id)
    )
    if connection_name is not None:
        connection_service.get(db, connection_name)  # NotFound names it
        query = query.where(connections.c.name == connection_name)
    with db.begin() as conn:
        rows = conn.execute(query).all()
    report = SyncReport()
    pacer = Pacer(db)
    loaded: dict[str, tuple] = {}
    for row in rows:
        if row.name not in loaded:
            loaded[row.name] = connection_service.load(db, host, row.name)
        record, provider, connection = loaded[row.name]
        if not provider.supports("fetch_badge"):
            report.unreachable[row.id] = f"the {provider.title} plugin cannot read badges back"
            continue
        report.checked += 1
        try:
            state, url = _fetch(pacer, record, provider, connection, row.provider_badge_id)
        except ProviderError as exc:
            report.unreachable[row.id] = str(exc)
            continue
        if state == row.provider_state:
            continue
        _record_provider_state(db, row.id, state, url, provider.title)
        report.changed[row.id] = f"{row.provider_state or 'unknown'} -> {state}"
    return report


def _fetch(pacer: Pacer, record, provider, connection, provider_badge_id: str) -> tuple[str, str | None]:
    """(the badge's state on the provider, its URL); ``deleted`` when the provider says 404."""
    for _ in range(5):
        slot = pacer.reserve(record.id, record.rate_limit)
        pacer.clock.sleep(slot.wait)
        try:
            badge = provider.fetch_badge(connection, provider_badge_id)
        except ProviderRefused as exc:
            if exc.status == 404:
                return DELETED, None
            raise
        except ProviderUnavailable as exc:
            if exc.status != 429:
                raise
            pacer.rate_limited(record.id, record.rate_limit, exc.retry_after, slot)
            continue
        return badge.state, badge.url
    raise ProviderUnavailable(f"{provider.title} kept answering 429")


def _record_provider_state(db: Database, award_id: int, state: str, url: str | None, title: str) -> None:
    now = utcnow()
    values = {"provider_state": state, "synced_at": now, "updated_at": now}
    if url:
        values["provider_url"] = url
    if state in (REVOKED_ON_PROVIDER, DELETED):
        values |= {"state": AwardState.REVOKED, "revoked_at": now, "revoke_reason": f"{state} on {title}"}
    with db.begin() as conn:
        conn.execute(
            update(awards).where(awards.c.id == award_id, awards.c.state == AwardState.ISSUED).values(values)
        )
        history.record(conn, award_id, "sync", state, message=f"{state} on {title}")
