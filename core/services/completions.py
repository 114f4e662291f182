"""Completions and the awards they earn, stored in one transaction (the outbox's enqueue side).

Completing a learning object earns the object's badge (attached directly, or through one of its
instances) and the credits it grants towards skill levels; a level whose ``maxCredits`` is reached
earns that level's badge. Attaching a badge or a skill later earns it for everyone who completed
the object before (backfill). Every award is stored once per learner × badge × reason.

Both sides follow the lock protocol of ``badgebridge.core.storage.locks`` (object, then learner,
then read what is earned), so concurrent completions, backfills and migrations see each other's
commits on PostgreSQL as they do on SQLite.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select

from badgebridge.core.errors import NotFound
from badgebridge.core.model import BadgeState, ObjectKind
from badgebridge.core.services.awards import enqueue
from badgebridge.core.storage.locks import lock_learners, lock_objects
from badgebridge.core.storage.schema import (
    badges,
    completions,
    learning_objects,
    object_instances,
    object_skill_credits,
    skill_levels,
)
from badgebridge.core.storage.upsert import insert_ignoring_conflicts

SKILL_LEVEL = "skill_level"


def record(
    conn: Connection, learner_id: str, kind: ObjectKind, object_id: str, completed_at: datetime
) -> list[int] | None:
    """Store a completion and the awards it earns; None if the learner had completed it already.

    Locks the object (shared) and the learner first; a caller recording several completions in
    one transaction locks them all beforehand, in order (``lock_for_completions``).
    """
    if not lock_objects(conn, [(kind, object_id)], exclusive=False):
        _not_found(kind, object_id)
    lock_learners(conn, [learner_id])
    now = completed_at
    stored = conn.execute(
        insert_ignoring_conflicts(conn, completions)
        .values(
            learner_id=learner_id,
            kind=kind,
            object_id=object_id,
            completed_at=completed_at,
            created_at=now,
            updated_at=now,
        )
        .returning(completions.c.learner_id)
    ).scalar()
    if stored is None:
        return None
    return earn(conn, learner_id, kind, object_id, completed_at)


def earn(
    conn: Connection, learner_id: str, kind: ObjectKind, object_id: str, completed_at: datetime
) -> list[int]:
    """Enqueue what one completion earns (those not held already); returns the new award ids."""
    new: list[int | None] = [
        enqueue(conn, learner_id, badge_id, kind, object_id, completed_at)
        for badge_id in object_badges(conn, kind, object_id)
    ]
    credits = select(object_skill_credits.c.skill_id, object_skill_credits.c.level).where(
        object_skill_credits.c.kind == kind, object_skill_credits.c.object_id == object_id
    )
    for skill_id, level in conn.execute(credits).all():
        new.append(_skill_level_award(conn, learner_id, skill_id, level, completed_at))
    return [award_id for award_id in new if award_id is not None]


def lock_for_completions(conn: Connection, pairs: list[tuple[str, ObjectKind, str]]) -> None:
    """Lock what recording these ``(learner_id, kind, object_id)`` completions needs, in protocol order."""
    lock_objects(conn, [(kind, object_id) for _, kind, object_id in pairs], exclusive=False)
    lock_learners(conn, [learner_id for learner_id, _, _ in pairs])


def backfill(conn: Connection, kind: ObjectKind, object_id: str) -> list[int]:
    """Award what the object now carries to everyone who completed it; returns the new award ids.

    Locks the object exclusively first (waiting for completions of it in flight), then the
    learners who completed it, then reads what they earn.
    """
    lock_objects(conn, [(kind, object_id)], exclusive=True)
    done = select(completions.c.learner_id, completions.c.completed_at).where(
        completions.c.kind == kind, completions.c.object_id == object_id
    )
    rows = conn.execute(done).all()
    lock_learners(conn, [row[0] for row in rows])
    return [award_id for row in rows for award_id in earn(conn, row[0], kind, object_id, row[1])]


def object_badges(conn: Connection, kind: ObjectKind, object_id: str) -> list[str]:
    """The active badges an object carries: its own, and its active instances' (ALM attaches them there)."""
    direct = select(learning_objects.c.badge_id.label("badge_id")).where(*_is(kind, object_id))
    via_instances = select(object_instances.c.badge_id).where(
        object_instances.c.kind == kind,
        object_instances.c.object_id == object_id,
        func.lower(object_instances.c.state) == "active",
    )
    candidates = direct.union(via_instances).subquery()
    query = (
        select(badges.c.id)
        .join(candidates, candidates.c.badge_id == badges.c.id)
        .where(badges.c.state == BadgeState.ACTIVE)
        .order_by(badges.c.id)
    )
    return list(conn.execute(query).scalars())


def _skill_level_award(
    conn: Connection, learner_id: str, skill_id: str, level: int, when: datetime
) -> int | None:
    target = conn.execute(
        select(skill_levels.c.max_credits, skill_levels.c.badge_id)
        .join(badges, skill_levels.c.badge_id == badges.c.id)
        .where(
            skill_levels.c.skill_id == skill_id,
            skill_levels.c.level == level,
            badges.c.state == BadgeState.ACTIVE,
        )
    ).first()
    if target is None:
        return None
    earned = conn.execute(
        select(func.coalesce(func.sum(object_skill_credits.c.credits), 0))
        .join(
            completions,
            (completions.c.kind == object_skill_credits.c.kind)
            & (completions.c.object_id == object_skill_credits.c.object_id),
        )
        .where(
            completions.c.learner_id == learner_id,
            object_skill_credits.c.skill_id == skill_id,
            object_skill_credits.c.level == level,
        )
    ).scalar_one()
    if earned < target.max_credits:
        return None
    return enqueue(conn, learner_id, target.badge_id, SKILL_LEVEL, f"{skill_id}:{level}", when)


def lock_object(conn: Connection, kind: ObjectKind, object_id: str) -> None:
    """Lock a learning object exclusively before changing what it carries; ``NotFound`` unless it exists."""
    if not lock_objects(conn, [(kind, object_id)], exclusive=True):
        _not_found(kind, object_id)


def _not_found(kind: ObjectKind, object_id: str):
    label = kind.replace("_", " ")
    raise NotFound(f"no {label} with id {object_id!r} (learning-objects list shows them)")


def _is(kind: ObjectKind, object_id: str):
    return learning_objects.c.kind == kind, learning_objects.c.id == object_id
