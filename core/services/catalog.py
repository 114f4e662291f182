"""The local badge catalog: badges imported from a provider, migrated, or platform-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from badgebridge.core.clock import iso_z, utcnow
from badgebridge.core.errors import NotFound, ProviderError
from badgebridge.core.ids import stable_id
from badgebridge.core.model import BadgeState, ProviderBadge
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services import connections as connection_service
from badgebridge.core.services.connections import with_context
from badgebridge.core.storage import Database
from badgebridge.core.storage.chunks import chunks
from badgebridge.core.storage.paging import ALL, Keyset, Listing, PageRequest, per_row
from badgebridge.core.storage.schema import (
    awards,
    badges,
    connections,
    learning_objects,
    object_instances,
    skill_levels,
)


@dataclass(frozen=True)
class ImportResult:
    connection: str
    added: int
    updated: int
    unchanged: int
    retired: int

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


def import_badges(db: Database, host: PluginHost, connection_name: str) -> ImportResult:
    """Bring every active badge of the connection's account into the catalog.

    New badges get a short stable id; known ones (same connection and external id) are updated.
    Badges of this connection that the provider no longer lists as active are retired, never
    deleted (awards may point at them). The provider is read to the end before anything is written.
    """
    record, provider, connection = connection_service.load(db, host, connection_name)
    try:
        fetched = {badge.external_id: badge for badge in provider.import_badges(connection)}
    except ProviderError as exc:
        raise with_context(exc, f"connection {record.name!r} ({provider.title})") from None
    now = utcnow()
    added = updated = unchanged = retired = 0
    with db.begin() as conn:
        existing = {
            row.external_badge_id: row
            for row in conn.execute(select(badges).where(badges.c.connection_id == record.id))
        }
        taken = set(_existing_ids(conn, [stable_id(provider.name, e) for e in fetched]))
        for external_id, badge in fetched.items():
            values = _values(badge)
            row = existing.get(external_id)
            if row is None:
                badge_id = _free_id(provider.name, external_id, taken)
                conn.execute(
                    badges.insert().values(
                        id=badge_id,
                        external_badge_id=external_id,
                        external_badge_provider=provider.name,
                        connection_id=record.id,
                        created_at=now,
                        updated_at=now,
                        **values,
                    )
                )
                added += 1
            elif any(getattr(row, key) != value for key, value in values.items()):
                conn.execute(update(badges).where(badges.c.id == row.id).values(updated_at=now, **values))
                updated += 1
            else:
                unchanged += 1
        gone = [
            row.id for ext, row in existing.items() if ext not in fetched and row.state == BadgeState.ACTIVE
        ]
        if gone:
            conn.execute(
                update(badges).where(badges.c.id.in_(gone)).values(state=BadgeState.RETIRED, updated_at=now)
            )
            retired = len(gone)
    return ImportResult(record.name, added, updated, unchanged, retired)


def _values(badge: ProviderBadge) -> dict[str, Any]:
    return {
        "name": badge.name,
        "description": badge.description,
        "image_url": badge.image_url,
        "state": BadgeState.ACTIVE,
    }


def _existing_ids(conn, ids: list[str]) -> list[str]:
    found: list[str] = []
    for chunk in chunks(ids):
        found += conn.execute(select(badges.c.id).where(badges.c.id.in_(chunk))).scalars().all()
    return found


def _free_id(provider: str, external_id: str, taken: set[str]) -> str:
    """The stable id for this badge, lengthened in the rare case another badge holds it."""
    for length in (8, 12, 16, 64):
        candidate = stable_id(provider, external_id, length=length)
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise AssertionError("sha256 collision")


@dataclass(frozen=True)
class BadgeRecord:
    id: str
    name: str
    description: str
    image_url: str
    state: str
    external_badge_id: str | None
    external_badge_provider: str | None
    connection: str | None
    connection_id: int | None
    updated_at: datetime

    @property
    def platform_only(self) -> bool:
        return not self.external_badge_id and not self.external_badge_provider

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "image_url": self.image_url,
            "state": self.state,
            "external_badge_id": self.external_badge_id,
            "external_badge_provider": self.external_badge_provider,
            "connection": self.connection,
            "updated_at": iso_z(self.updated_at),
        }


def _query():
    return select(badges, connections.c.name.label("connection")).outerjoin(
        connections, badges.c.connection_id == connections.c.id
    )


def list_badges(db: Database, connection: str | None = None, state: str | None = None) -> list[BadgeRecord]:
    return list(page_badges(db, connection, state))


def page_badges(
    db: Database, connection: str | None = None, state: str | None = None, page: PageRequest = ALL
) -> Listing[BadgeRecord]:
    """The badges (of this connection, in this state), by name, a batch at a time."""
    query = _query()
    if connection:
        query = query.where(connections.c.name == connection)
    if state:
        query = query.where(badges.c.state == BadgeState(state.capitalize()))
    return Listing(db, query, Keyset(badges.c.name, badges.c.id), page, per_row(_record))


def get_badge(db: Database, badge_id: str) -> BadgeRecord:
    with db.begin() as conn:
        row = conn.execute(_query().where(badges.c.id == badge_id)).mappings().first()
    if row is None:
        raise NotFound(f"no badge with id {badge_id!r} (badges list shows them)")
    return _record(row)


def _record(row) -> BadgeRecord:
    return BadgeRecord(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        image_url=row["image_url"],
        state=row["state"],
        external_badge_id=row["external_badge_id"],
        external_badge_provider=row["external_badge_provider"],
        connection=row["connection"],
        connection_id=row["connection_id"],
        updated_at=row["updated_at"],
    )


def retire_badge(db: Database, badge_id: str) -> bool:
    """Retire a badge: it stays in the catalog (awards point at it) and is awarded no more.

    Returns whether it changed (False: it was retired already).
    """
    get_badge(db, badge_id)
    with db.begin() as conn:
        return bool(
            conn.execute(
                update(badges)
                .where(badges.c.id == badge_id, badges.c.state != BadgeState.RETIRED)
                .values(state=BadgeState.RETIRED, updated_at=utcnow())
            ).rowcount
        )


# what refers to a badge by id: re-pointed when two catalog badges turn out to be one template
_BADGE_REFERENCES = (skill_levels, learning_objects, object_instances)


def migrated_holder(conn: Connection, connection_id: int, external_id: str, other_than: str) -> str | None:
    """The id of a migrated badge (one with a creation date from badge.csv), other than
    ``other_than``, that is template ``external_id`` of ``connection_id`` already; or None."""
    return conn.execute(
        select(badges.c.id).where(
            badges.c.connection_id == connection_id,
            badges.c.external_badge_id == external_id,
            badges.c.id != other_than,
            badges.c.created_on.is_not(None),
        )
    ).scalar()


def release_template(conn: Connection, keep_id: str, connection_id: int, external_id: str) -> list[str]:
    """Before badge ``keep_id`` is stored as template ``external_id`` of ``connection_id``: free that
    template from any other imported catalog badge holding it (the unique (connection, external id)
    slot), in the caller's transaction. Returns the ids freed; ``merge_into`` then finishes the job.
    A migrated holder is left alone: it is a row problem (files._one_badge_per_template)."""
    holders = select(badges.c.id).where(
        badges.c.connection_id == connection_id,
        badges.c.external_badge_id == external_id,
        badges.c.id != keep_id,
        badges.c.created_on.is_(None),
    )
    others = list(conn.execute(holders).scalars())
    if others:
        conn.execute(update(badges).where(badges.c.id.in_(others)).values(external_badge_id=None))
    return others


def merge_into(conn: Connection, keep_id: str, duplicate_ids: list[str]) -> None:
    """Make ``keep_id`` the one catalog badge for what ``duplicate_ids`` were (the same provider
    template): their skill levels, learning objects and awards point at it, and they are deleted.

    An award that would become a twin of one ``keep_id`` has already (same learner and reason)
    stays on its duplicate, which is then kept, retired, as that award's history.
    """
    now = utcnow()
    for duplicate in duplicate_ids:
        for table in _BADGE_REFERENCES:
            conn.execute(update(table).where(table.c.badge_id == duplicate).values(badge_id=keep_id))
        held = set(conn.execute(_award_keys().where(awards.c.badge_id == keep_id)).all())
        movable = [
            award_id
            for award_id, *key in conn.execute(
                select(awards.c.id, *_award_keys().selected_columns).where(awards.c.badge_id == duplicate)
            ).all()
            if tuple(key) not in held
        ]
        for chunk in chunks(movable):
            conn.execute(
                update(awards).where(awards.c.id.in_(chunk)).values(badge_id=keep_id, updated_at=now)
            )
        if conn.execute(select(awards.c.id).where(awards.c.badge_id == duplicate).limit(1)).first():
            conn.execute(
                update(badges)
                .where(badges.c.id == duplicate)
                .values(state=BadgeState.RETIRED, updated_at=now)
            )
        else:
            conn.execute(delete(badges).where(badges.c.id == duplicate))


def _award_keys():
    return select(awards.c.learner_id, awards.c.reason_kind, awards.c.reason_id)
