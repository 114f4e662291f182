"""Courses, learning paths and certifications, and what is attached to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, tuple_, update

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import InvalidInput, NotFound
from badgebridge.core.model import ObjectKind
from badgebridge.core.services import catalog, completions
from badgebridge.core.services import learners as learner_service
from badgebridge.core.storage import Database
from badgebridge.core.storage.limits import require_fit
from badgebridge.core.storage.paging import ALL, Keyset, Listing, PageRequest
from badgebridge.core.storage.retry import retry_conflicts
from badgebridge.core.storage.schema import (
    learning_objects,
    object_instances,
    object_skill_credits,
    skill_levels,
)
from badgebridge.core.storage.upsert import insert_ignoring_conflicts


@dataclass(frozen=True)
class ObjectRecord:
    kind: str
    id: str
    name: str
    state: str
    badge_id: str | None
    instance_badges: dict[str, str] = field(default_factory=dict)
    skill_credits: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "badge_id": self.badge_id,
            "instance_badges": self.instance_badges,
            "skill_credits": self.skill_credits,
        }


def add(db: Database, kind: ObjectKind, object_id: str, name: str, state: str = "Published") -> str:
    """Add a learning object, or rename it; returns "added", "updated" or "unchanged"."""
    object_id, name = object_id.strip(), name.strip()
    if not object_id or not name:
        raise InvalidInput("a learning object needs an id and a name")
    require_fit(learning_objects, f"the {_label(kind)}", id=object_id, state=state)
    now = utcnow()
    with db.begin() as conn:
        row = conn.execute(select(learning_objects).where(*_is(kind, object_id))).mappings().first()
        if row is None:
            conn.execute(
                learning_objects.insert().values(
                    kind=kind, id=object_id, name=name, state=state, created_at=now, updated_at=now
                )
            )
            return "added"
        if (row["name"], row["state"]) == (name, state):
            return "unchanged"
        conn.execute(
            update(learning_objects)
            .where(*_is(kind, object_id))
            .values(name=name, state=state, updated_at=now)
        )
        return "updated"


def assign_badge(
    db: Database, kind: ObjectKind, object_id: str, badge_id: str, instance_id: str | None = None
) -> tuple[bool, list[int]]:
    """Attach a badge to an object (or one of its instances); awards it to earlier completers.

    Returns whether anything changed and the ids of the awards the backfill created.
    """
    catalog.get_badge(db, badge_id)
    return retry_conflicts(lambda: _assign_badge(db, kind, object_id, badge_id, instance_id))


def _assign_badge(
    db: Database, kind: ObjectKind, object_id: str, badge_id: str, instance_id: str | None
) -> tuple[bool, list[int]]:
    with db.begin() as conn:
        table, where = _badge_carrier(conn, kind, object_id, instance_id)
        changed = conn.execute(
            update(table)
            .where(*where, table.c.badge_id.is_distinct_from(badge_id))
            .values(badge_id=badge_id, updated_at=utcnow())
        ).rowcount
        return bool(changed), completions.backfill(conn, kind, object_id)


def _badge_carrier(conn: Connection, kind: ObjectKind, object_id: str, instance_id: str | None):
    """Lock the object against concurrent completions, and return the table and the conditions
    of the row that carries its badge: the object's own, or one instance's (which must exist)."""
    completions.lock_object(conn, kind, object_id)
    if instance_id is None:
        return learning_objects, _is(kind, object_id)
    where = (
        object_instances.c.kind == kind,
        object_instances.c.object_id == object_id,
        object_instances.c.id == instance_id,
    )
    if conn.execute(select(object_instances.c.id).where(*where)).first() is None:
        raise NotFound(f"{_label(kind)} {object_id!r} has no instance {instance_id!r}")
    return object_instances, where


def assign_skill(
    db: Database, kind: ObjectKind, object_id: str, skill_id: str, level: int, credits: float
) -> tuple[bool, list[int]]:
    """Let an object grant ``credits`` towards a skill level; awards levels earlier completers now reach."""
    return retry_conflicts(lambda: _assign_skill(db, kind, object_id, skill_id, level, credits))


def _assign_skill(
    db: Database, kind: ObjectKind, object_id: str, skill_id: str, level: int, credits: float
) -> tuple[bool, list[int]]:
    now = utcnow()
    with db.begin() as conn:
        completions.lock_object(conn, kind, object_id)
        max_credits = conn.execute(
            select(skill_levels.c.max_credits).where(
                skill_levels.c.skill_id == skill_id, skill_levels.c.level == level
            )
        ).scalar()
        if max_credits is None:
            raise NotFound(f"skill {skill_id!r} has no level {level} (skills list shows them)")
        if not 0 < credits <= max_credits:
            raise InvalidInput(
                f"credits must be more than 0 and at most the level's maxCredits ({max_credits:g})"
            )
        changed = _set_credits(conn, kind, object_id, skill_id, level, credits, now)
        return changed, completions.backfill(conn, kind, object_id)


def _set_credits(conn: Connection, kind, object_id, skill_id, level, credits, now: datetime) -> bool:
    """Insert or change the credits an object grants towards a skill level; True if anything changed."""
    key = (
        object_skill_credits.c.kind == kind,
        object_skill_credits.c.object_id == object_id,
        object_skill_credits.c.skill_id == skill_id,
        object_skill_credits.c.level == level,
    )
    current = conn.execute(select(object_skill_credits.c.credits).where(*key)).scalar()
    if current == credits:
        return False
    if current is None:
        conn.execute(
            insert_ignoring_conflicts(conn, object_skill_credits).values(
                kind=kind,
                object_id=object_id,
                skill_id=skill_id,
                level=level,
                credits=credits,
                created_at=now,
                updated_at=now,
            )
        )
    else:
        conn.execute(update(object_skill_credits).where(*key).values(credits=credits, updated_at=now))
    return True


def detach_badge(
    db: Database,
    kind: ObjectKind,
    object_id: str,
    badge_id: str | None = None,
    instance_id: str | None = None,
) -> bool:
    """Take the badge off an object (or one of its instances): ``badge_id`` only if it is the one
    carried, any badge if None. Awards already made stay. Returns whether anything was taken off."""
    with db.begin() as conn:
        table, where = _badge_carrier(conn, kind, object_id, instance_id)
        carried = table.c.badge_id.is_not(None) if badge_id is None else table.c.badge_id == badge_id
        return bool(
            conn.execute(
                update(table).where(*where, carried).values(badge_id=None, updated_at=utcnow())
            ).rowcount
        )


def detach_skill(db: Database, kind: ObjectKind, object_id: str, skill_id: str, level: int) -> bool:
    """Stop an object granting credits towards a skill level; returns whether it granted any."""
    with db.begin() as conn:
        completions.lock_object(conn, kind, object_id)
        return bool(
            conn.execute(
                delete(object_skill_credits).where(
                    object_skill_credits.c.kind == kind,
                    object_skill_credits.c.object_id == object_id,
                    object_skill_credits.c.skill_id == skill_id,
                    object_skill_credits.c.level == level,
                )
            ).rowcount
        )


def complete(
    db: Database, email: str, kind: ObjectKind, object_id: str, completed_at: datetime | None = None
) -> list[int] | None:
    """Record that a learner completed an object; the new award ids, or None if it was recorded already."""
    learner = learner_service.get_by_email(db, email)
    when = completed_at or utcnow()

    def record() -> list[int] | None:
        with db.begin() as conn:
            return completions.record(conn, learner.id, kind, object_id, when)

    return retry_conflicts(record)


def list_objects(db: Database, kind: ObjectKind | None = None) -> list[ObjectRecord]:
    return list(page_objects(db, kind))


def page_objects(
    db: Database, kind: ObjectKind | None = None, page: PageRequest = ALL
) -> Listing[ObjectRecord]:
    """The learning objects (of this kind), by kind and id, a batch at a time."""
    query = select(learning_objects)
    if kind:
        query = query.where(learning_objects.c.kind == kind)
    keyset = Keyset(learning_objects.c.kind, learning_objects.c.id)
    return Listing(db, query, keyset, page, _object_records)


def _object_records(conn: Connection, rows) -> list[ObjectRecord]:
    """A batch of objects, with their instances' badges and the skill credits they grant."""
    keys = [(row["kind"], row["id"]) for row in rows]
    instances: dict[tuple, dict[str, str]] = {}
    credits: dict[tuple, list[dict]] = {}
    if keys:
        of_instances = tuple_(object_instances.c.kind, object_instances.c.object_id).in_(keys)
        for row in conn.execute(
            select(object_instances).where(object_instances.c.badge_id.is_not(None), of_instances)
        ).mappings():
            instances.setdefault((row["kind"], row["object_id"]), {})[row["id"]] = row["badge_id"]
        of_credits = tuple_(object_skill_credits.c.kind, object_skill_credits.c.object_id).in_(keys)
        for row in conn.execute(select(object_skill_credits).where(of_credits)).mappings():
            credits.setdefault((row["kind"], row["object_id"]), []).append(
                {"skill_id": row["skill_id"], "level": row["level"], "credits": row["credits"]}
            )
    return [
        ObjectRecord(
            row["kind"],
            row["id"],
            row["name"],
            row["state"],
            row["badge_id"],
            instances.get((row["kind"], row["id"]), {}),
            credits.get((row["kind"], row["id"]), []),
        )
        for row in rows
    ]


def _label(kind: ObjectKind) -> str:
    return kind.replace("_", " ")


def _is(kind: ObjectKind, object_id: str):
    return learning_objects.c.kind == kind, learning_objects.c.id == object_id
