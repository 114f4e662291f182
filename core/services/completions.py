"""Completions and the awards they earn, stored in one transaction (the outbox's enqueue side).

Completing a learning object earns the object's badge (attached directly, or through one of its
active instances) and the credits it grants towards skill levels; a level whose ``maxCredits`` is
reached earns that level's badge. Attaching a badge or a skill later earns it for everyone who
completed the object before (backfill). Every award is stored once per learner × badge × reason.

Completions are recorded set-based (``record_many``): a batch of them costs a handful of
statements (lock, look up, insert completions, insert awards), not a handful per completion.

Both sides follow the lock protocol of ``badgebridge.core.storage.locks`` (object, then learner,
then read what is earned), so concurrent completions, backfills and migrations see each other's
commits on PostgreSQL as they do on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, func, select

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import NotFound
from badgebridge.core.model import BadgeState, ObjectKind
from badgebridge.core.services.awards import NewAward, enqueue_many
from badgebridge.core.storage.bulk import insert_many
from badgebridge.core.storage.chunks import by_kind, chunks
from badgebridge.core.storage.locks import lock_learners, lock_objects
from badgebridge.core.storage.schema import (
    badges,
    completions,
    learning_objects,
    object_instances,
    object_skill_credits,
    skill_levels,
)

SKILL_LEVEL = "skill_level"

Object = tuple[str, str]
"""``(kind, id)`` of a learning object."""
Level = tuple[str, int]
"""``(skill_id, level)``."""


class Completion(NamedTuple):
    learner_id: str
    kind: ObjectKind
    object_id: str
    completed_at: datetime


class Credit(NamedTuple):
    """Credits an object grants towards a skill level whose badge is active."""

    level: Level
    credits: float
    max_credits: float
    badge_id: str
    connection_id: int | None


def record(
    conn: Connection, learner_id: str, kind: ObjectKind, object_id: str, completed_at: datetime
) -> list[int] | None:
    """Store a completion and the awards it earns; None if the learner had completed it already."""
    new, award_ids = record_many(conn, [Completion(learner_id, kind, object_id, completed_at)])
    return award_ids if new[0] else None


def record_many(conn: Connection, items: Sequence[Completion]) -> tuple[list[bool], list[int]]:
    """Store completions and the awards they earn, in the caller's transaction.

    Returns, for each item, whether it is new (False: the learner had completed the object
    already, or an earlier item is the same completion; the first one's date counts), and the ids
    of the new awards. Earned as if recorded one by one in order: a skill level's badge is earned
    at the completion that brings its credits to ``maxCredits``.

    Locks every object (shared) and then every learner, in protocol order, before reading what
    is stored; ``NotFound`` if an object does not exist.
    """
    objects = {(item.kind, item.object_id) for item in items}
    missing = objects - lock_objects(conn, objects, exclusive=False)
    if missing:
        _not_found(*min(missing))
    lock_learners(conn, {item.learner_id for item in items})
    stored = _stored(conn, items)
    fresh: list[Completion] = []
    new: list[bool] = []
    for item in items:
        key = item[:3]
        new.append(key not in stored)
        if key not in stored:
            stored.add(key)
            fresh.append(item)
    if not fresh:
        return new, []
    credits = _credits(conn, {(item.kind, item.object_id) for item in fresh})
    held = _credits_held(conn, {item.learner_id for item in fresh})  # before this batch
    now = utcnow()
    columns = (*Completion._fields, "created_at", "updated_at")
    insert_many(conn, completions, columns, [(*item, now, now) for item in fresh], ignore_conflicts=True)
    return new, enqueue_many(conn, _earned(conn, fresh, credits, held))


def backfill(conn: Connection, kind: ObjectKind, object_id: str) -> list[int]:
    """Award what the object now carries to everyone who completed it; returns the new award ids.

    Locks the object exclusively first (waiting for completions of it in flight), then the
    learners who completed it, then reads what they earn.
    """
    lock_objects(conn, [(kind, object_id)], exclusive=True)
    done = select(completions.c.learner_id, completions.c.completed_at).where(
        completions.c.kind == kind, completions.c.object_id == object_id
    )
    completers = [Completion(row[0], kind, object_id, row[1]) for row in conn.execute(done)]
    if not completers:
        return []
    lock_learners(conn, [item.learner_id for item in completers])
    credits = _credits(conn, {(kind, object_id)})
    held = _credits_held(conn, {item.learner_id for item in completers}, without=(kind, object_id))
    return enqueue_many(conn, _earned(conn, completers, credits, held))


def _earned(
    conn: Connection,
    items: Sequence[Completion],
    credits: dict[Object, list[Credit]],
    held: dict[tuple[str, Level], float],
) -> list[NewAward]:
    """The awards ``items`` earn, in order, given the credits each learner ``held`` before them."""
    carried = _badges(conn, {(item.kind, item.object_id) for item in items})
    earned: dict[tuple, NewAward] = {}
    for learner_id, kind, object_id, completed_at in items:
        done = (kind, object_id)
        for badge_id, connection_id in carried.get(done, ()):
            award = NewAward(learner_id, badge_id, connection_id, kind, object_id, completed_at)
            earned.setdefault(award[:5], award)
        for credit in credits.get(done, ()):
            total = held.get((learner_id, credit.level), 0) + credit.credits
            held[learner_id, credit.level] = total
            if total >= credit.max_credits:
                skill_id, level = credit.level
                reason = f"{skill_id}:{level}"
                award = NewAward(
                    learner_id, credit.badge_id, credit.connection_id, SKILL_LEVEL, reason, completed_at
                )
                earned.setdefault(award[:5], award)
    return list(earned.values())


def _stored(conn: Connection, items: Iterable[Completion]) -> set[tuple]:
    """Which of these ``(learner_id, kind, object_id)`` completions are stored already (read by
    learner: a learner's completions are few, and one id binds less than a triple)."""
    wanted = {item[:3] for item in items}
    columns = (completions.c.learner_id, completions.c.kind, completions.c.object_id)
    found: set[tuple] = set()
    for chunk in chunks(sorted({learner_id for learner_id, _, _ in wanted})):
        query = select(*columns).where(completions.c.learner_id.in_(chunk))
        found.update(key for key in map(tuple, conn.execute(query)) if key in wanted)
    return found


def _badges(conn: Connection, objects: set[Object]) -> dict[Object, list[tuple[str, int | None]]]:
    """Each object's active badges (id and connection), its own and its active instances'."""
    found: dict[Object, list[tuple[str, int | None]]] = {}
    for kind, ids in by_kind(objects):
        direct = select(learning_objects.c.id.label("object_id"), learning_objects.c.badge_id).where(
            learning_objects.c.kind == kind, learning_objects.c.id.in_(ids)
        )
        via_instances = select(object_instances.c.object_id, object_instances.c.badge_id).where(
            object_instances.c.kind == kind,
            object_instances.c.object_id.in_(ids),
            func.lower(object_instances.c.state) == "active",
        )
        candidates = direct.union(via_instances).subquery()
        query = (
            select(candidates.c.object_id, badges.c.id, badges.c.connection_id)
            .join(badges, candidates.c.badge_id == badges.c.id)
            .where(badges.c.state == BadgeState.ACTIVE)
            .order_by(candidates.c.object_id, badges.c.id)
        )
        for object_id, badge_id, connection_id in conn.execute(query):
            found.setdefault((kind, object_id), []).append((badge_id, connection_id))
    return found


def _credits(conn: Connection, objects: set[Object]) -> dict[Object, list[Credit]]:
    """The credits each object grants towards levels whose badge is active."""
    credit = object_skill_credits
    found: dict[Object, list[Credit]] = {}
    for kind, ids in by_kind(objects):
        query = (
            select(
                credit.c.object_id,
                credit.c.skill_id,
                credit.c.level,
                credit.c.credits,
                skill_levels.c.max_credits,
                badges.c.id,
                badges.c.connection_id,
            )
            .join(
                skill_levels,
                (skill_levels.c.skill_id == credit.c.skill_id) & (skill_levels.c.level == credit.c.level),
            )
            .join(badges, skill_levels.c.badge_id == badges.c.id)
            .where(credit.c.kind == kind, credit.c.object_id.in_(ids), badges.c.state == BadgeState.ACTIVE)
            .order_by(credit.c.object_id, credit.c.skill_id, credit.c.level)
        )
        for object_id, skill_id, level, amount, maximum, badge_id, connection_id in conn.execute(query):
            found.setdefault((kind, object_id), []).append(
                Credit((skill_id, level), amount, maximum, badge_id, connection_id)
            )
    return found


def _credits_held(
    conn: Connection, learner_ids: set[str], without: Object | None = None
) -> dict[tuple[str, Level], float]:
    """The credits these learners' stored completions (but ``without``'s) give, by learner and level."""
    credit = object_skill_credits
    held: dict[tuple[str, Level], float] = {}
    for chunk in chunks(sorted(learner_ids)):
        query = (
            select(completions.c.learner_id, credit.c.skill_id, credit.c.level, func.sum(credit.c.credits))
            .join(
                credit,
                (credit.c.kind == completions.c.kind) & (credit.c.object_id == completions.c.object_id),
            )
            .where(completions.c.learner_id.in_(chunk))
            .group_by(completions.c.learner_id, credit.c.skill_id, credit.c.level)
        )
        if without is not None:
            kind, object_id = without
            query = query.where(~((completions.c.kind == kind) & (completions.c.object_id == object_id)))
        for learner_id, skill_id, level, total in conn.execute(query):
            held[learner_id, (skill_id, level)] = total
    return held


def lock_object(conn: Connection, kind: ObjectKind, object_id: str) -> None:
    """Lock a learning object exclusively before changing what it carries; ``NotFound`` unless it exists."""
    if not lock_objects(conn, [(kind, object_id)], exclusive=True):
        _not_found(kind, object_id)


def _not_found(kind: str, object_id: str):
    label = kind.replace("_", " ")
    raise NotFound(f"no {label} with id {object_id!r} (learning-objects list shows them)")
