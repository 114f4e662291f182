"""Taking things out: badges, learners (an erasure request), skills, learning objects, connections.

Each removal says what still refers to the thing when it refuses, so the user knows what to
remove, retire or detach first. Awards are history: nothing here deletes an award except the
erasure of its learner.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, or_, select, update

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import InvalidInput
from badgebridge.core.model import AwardState, BadgeState, ObjectKind
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services import awards as award_service
from badgebridge.core.services import catalog, completions, skills
from badgebridge.core.services import connections as connection_service
from badgebridge.core.services import learners as learner_service
from badgebridge.core.storage import Database
from badgebridge.core.storage.schema import (
    award_attempts,
    awards,
    badges,
    connections,
    learners,
    learning_objects,
    object_courses,
    object_instances,
    object_skill_credits,
    skill_levels,
)
from badgebridge.core.storage.schema import (
    completions as completion_rows,
)
from badgebridge.core.storage.schema import skills as skill_rows

ERASURE_REASON = "The learner asked for their data to be erased."
SHOWN = 5  # ids named in a refusal before "and N more"


def _named(ids: list) -> str:
    shown = ", ".join(str(i) for i in ids[:SHOWN])
    return shown + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")


def _count(conn: Connection, table, *where) -> int:
    return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def remove_badge(db: Database, badge_id: str) -> None:
    """Delete a catalog badge; refused while awards, skill levels or learning objects refer to it."""
    catalog.get_badge(db, badge_id)
    with db.begin() as conn:
        holders = []
        award_ids = list(conn.execute(select(awards.c.id).where(awards.c.badge_id == badge_id)).scalars())
        if award_ids:
            holders.append(f"award(s) {_named(award_ids)}")
        levels = conn.execute(
            select(skill_levels.c.skill_id, skill_levels.c.level).where(skill_levels.c.badge_id == badge_id)
        ).all()
        if levels:
            holders.append("skill level(s) " + _named([f"{s}:L{lv}" for s, lv in levels]))
        objects = conn.execute(
            select(learning_objects.c.kind, learning_objects.c.id).where(
                learning_objects.c.badge_id == badge_id
            )
        ).all()
        instances = conn.execute(
            select(object_instances.c.kind, object_instances.c.object_id, object_instances.c.id).where(
                object_instances.c.badge_id == badge_id
            )
        ).all()
        if objects or instances:
            named = [f"{k}:{i}" for k, i in objects] + [f"{k}:{o}/{i}" for k, o, i in instances]
            holders.append("learning object(s) " + _named(named))
        if holders:
            advice = (
                "badges retire keeps it and stops new awards"
                if award_ids
                else "unassign and skills remove detach it first"
            )
            raise InvalidInput(
                f"badge {badge_id!r} is still referred to by {'; '.join(holders)}; not removed ({advice})"
            )
        conn.execute(delete(badges).where(badges.c.id == badge_id))


@dataclass(frozen=True)
class Erasure:
    email: str
    completions: int
    awards: int
    revoked_on_provider: int


def remove_learner(db: Database, host: PluginHost, email: str, *, on_provider: bool = False) -> Erasure:
    """Erase a learner: their awards, completions and the learner row.

    With ``on_provider``, every badge the provider holds for them is revoked there first (the
    plugin's ``revoke_badge``); if the provider refuses or cannot be reached, nothing local is
    deleted, so the erasure can be run again. Refused while a sender is sending one of their awards.
    """
    learner = learner_service.get_by_email(db, email)
    held = award_service.list_awards(db, learner=learner.email)
    sending = [a.id for a in held if a.state == AwardState.SENDING]
    if sending:
        raise InvalidInput(
            f"award(s) {_named(sending)} of {learner.email} are being sent right now; try again when done"
        )
    revoked = 0
    if on_provider:
        for award in held:
            if award.state == AwardState.ISSUED and award.connection:
                award_service.revoke(db, host, award.id, ERASURE_REASON)
                revoked += 1
    with db.begin() as conn:
        theirs = select(awards.c.id).where(awards.c.learner_id == learner.id)
        conn.execute(delete(award_attempts).where(award_attempts.c.award_id.in_(theirs)))
        removed_awards = conn.execute(delete(awards).where(awards.c.learner_id == learner.id)).rowcount
        removed_completions = conn.execute(
            delete(completion_rows).where(completion_rows.c.learner_id == learner.id)
        ).rowcount
        conn.execute(delete(learners).where(learners.c.id == learner.id))
    return Erasure(learner.email, removed_completions, removed_awards, revoked)


def remove_skill(db: Database, skill_id: str) -> None:
    """Delete a skill and its levels; refused while learning objects grant credits towards it or
    awards were made for its levels."""
    skills.get(db, skill_id)
    with db.begin() as conn:
        granting = conn.execute(
            select(
                object_skill_credits.c.kind, object_skill_credits.c.object_id, object_skill_credits.c.level
            )
            .where(object_skill_credits.c.skill_id == skill_id)
            .distinct()
        ).all()
        if granting:
            named = _named([f"{k}:{o} (level {lv})" for k, o, lv in granting])
            raise InvalidInput(
                f"skill {skill_id!r} is granted by learning object(s) {named}; not removed "
                f"(unassign --skill {skill_id} --level N --course/--learning-path/--certification ID first)"
            )
        award_ids = list(
            conn.execute(
                select(awards.c.id).where(
                    awards.c.reason_kind == completions.SKILL_LEVEL,
                    awards.c.reason_id.like(f"{skill_id}:%"),
                )
            ).scalars()
        )
        if award_ids:
            raise InvalidInput(
                f"skill {skill_id!r} has award(s) {_named(award_ids)} made for its levels; not removed"
            )
        conn.execute(delete(skill_levels).where(skill_levels.c.skill_id == skill_id))
        conn.execute(delete(skill_rows).where(skill_rows.c.id == skill_id))


@dataclass(frozen=True)
class ObjectRemoval:
    completions: int


def remove_learning_object(
    db: Database, kind: ObjectKind, object_id: str, *, force: bool = False
) -> ObjectRemoval:
    """Delete a learning object, its instances, its courses and the skill credits it grants.

    Refused while learners have completed it, unless ``force``: then their completions go too.
    Awards made for it stay (they are history, and may be held on a provider).
    """
    with db.begin() as conn:
        completions.lock_object(conn, kind, object_id)
        done = _count(
            conn, completion_rows, completion_rows.c.kind == kind, completion_rows.c.object_id == object_id
        )
        if done and not force:
            raise InvalidInput(
                f"{kind.replace('_', ' ')} {object_id!r} has {done} completion(s); not removed "
                "(--force removes them with it; awards made for it stay)"
            )
        removed = conn.execute(
            delete(completion_rows).where(
                completion_rows.c.kind == kind, completion_rows.c.object_id == object_id
            )
        ).rowcount
        for table in (object_skill_credits, object_instances, object_courses):
            conn.execute(delete(table).where(table.c.kind == kind, table.c.object_id == object_id))
        if kind == ObjectKind.COURSE:  # no longer part of any path or certification
            conn.execute(delete(object_courses).where(object_courses.c.course_id == object_id))
        conn.execute(
            delete(learning_objects).where(
                learning_objects.c.kind == kind, learning_objects.c.id == object_id
            )
        )
    return ObjectRemoval(removed)


def remove_connection(db: Database, name: str, *, force: bool = False) -> int:
    """Forget a connection. Refused while catalog badges come through it, naming them; with
    ``force`` its badges are retired and unlinked from it (they and their awards stay as history).

    Even with ``force``, refused while awards of it still wait to be sent. Returns how many
    badges were unlinked.
    """
    record = connection_service.get(db, name)
    with db.begin() as conn:
        badge_ids = list(
            conn.execute(
                select(badges.c.id).where(badges.c.connection_id == record.id).order_by(badges.c.id)
            ).scalars()
        )
        if badge_ids and not force:
            raise InvalidInput(
                f"connection {name!r} still carries {len(badge_ids)} badge(s) in the catalog "
                f"({_named(badge_ids)}); not removed (badges remove ID takes out a badge nothing refers "
                "to; --force retires and unlinks them all, keeping their awards as history)"
            )
        pending = list(
            conn.execute(
                select(awards.c.id).where(
                    awards.c.connection_id == record.id,
                    or_(
                        awards.c.state == AwardState.QUEUED,
                        awards.c.state == AwardState.SENDING,
                        awards.c.state == AwardState.FAILED,
                    ),
                )
            ).scalars()
        )
        if pending:
            raise InvalidInput(
                f"connection {name!r} has award(s) {_named(pending)} not yet sent; not removed "
                "(send them with awards retry, or wait for the worker)"
            )
        now = utcnow()
        conn.execute(
            update(badges)
            .where(badges.c.connection_id == record.id)
            .values(connection_id=None, state=BadgeState.RETIRED, updated_at=now)
        )
        conn.execute(
            update(awards)
            .where(awards.c.connection_id == record.id)
            .values(connection_id=None, updated_at=now)
        )
        conn.execute(delete(connections).where(connections.c.id == record.id))
    return len(badge_ids)
