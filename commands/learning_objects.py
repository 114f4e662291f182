"""``badgebridge learning-objects``, ``assign`` and ``complete``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from badgebridge.commands.base import (
    Group,
    State,
    json_option,
    lazy_import,
    object_options,
    page_options,
    pass_state,
    send_new,
    target_of,
)
from badgebridge.core.clock import as_utc
from badgebridge.core.errors import InvalidInput
from badgebridge.core.model import ObjectKind
from badgebridge.core.render import emit_listing

object_service = lazy_import("badgebridge.core.services.learning_objects")
removal = lazy_import("badgebridge.core.services.removal")
skill_service = lazy_import("badgebridge.core.services.skills")


@click.group("learning-objects", cls=Group)
def learning_objects() -> None:
    """Courses, learning paths and certifications."""


@learning_objects.command("add")
@object_options
@click.option("--name", required=True)
@pass_state
def learning_objects_add(state: State, name: str, **values: Any) -> None:
    """Add a course, learning path or certification (or rename one)."""
    kind, object_id = target_of(values)
    outcome = object_service.add(state.db, kind, object_id, name)
    label = kind.replace("_", " ").capitalize()
    click.echo(
        f"{label} {object_id!r} {outcome}."
        if outcome != "unchanged"
        else f"{label} {object_id!r} exists; nothing changed."
    )


@learning_objects.command("list")
@click.option("--kind", type=click.Choice([k.value for k in ObjectKind]))
@json_option
@page_options
@pass_state
def learning_objects_list(state: State, kind: str | None, as_json: bool, page) -> None:
    """List learning objects (by kind, then id) and the badges and skill credits they carry."""
    listing = object_service.page_objects(state.db, ObjectKind(kind) if kind else None, page)
    rows = (obj.as_dict() for obj in listing)
    if not as_json:
        rows = (row | _for_table(row) for row in rows)
    columns = ["kind", "id", "name", "state", "badge_id", "instance_badges", "skill_credits"]
    emit_listing(rows, listing, as_json, columns, "no more" if page.after else "none yet")


def _for_table(row: dict) -> dict:
    return {
        "instance_badges": [f"{i}:{b}" for i, b in row["instance_badges"].items()],
        "skill_credits": [f"{c['skill_id']}:L{c['level']}:{c['credits']:g}" for c in row["skill_credits"]],
    }


@click.command()
@click.option("--badge", "badge_id", help="Attach this badge.")
@click.option("--instance", "instance_id", help="Attach the badge to this instance of the object.")
@click.option("--skill", "skill_id", help="Grant credits towards this skill.")
@click.option("--level", default=1, show_default=True, type=click.IntRange(1, 3), help="The skill level.")
@click.option(
    "--credits",
    "credits_",
    type=click.FloatRange(0, 65535, min_open=True),
    help="Credits (default: the level's max).",
)
@object_options
@pass_state
def assign(state: State, badge_id, instance_id, skill_id, level, credits_, **values: Any) -> None:
    """Attach a badge, or credits towards a skill level, to a learning object.

    Learners who completed the object already receive what it now grants (backfill).
    """
    kind, object_id = target_of(values)
    if bool(badge_id) == bool(skill_id):
        raise InvalidInput("give exactly one of --badge and --skill")
    if badge_id:
        changed, award_ids = object_service.assign_badge(state.db, kind, object_id, badge_id, instance_id)
        what = f"badge {badge_id!r}"
    else:
        if credits_ is None:
            credits_ = skill_service.get(state.db, skill_id).level(level).max_credits
        changed, award_ids = object_service.assign_skill(state.db, kind, object_id, skill_id, level, credits_)
        what = f"{credits_:g} credit(s) towards skill {skill_id!r} level {level}"
    where = f"{kind.replace('_', ' ')} {object_id!r}"
    click.echo(f"Attached {what} to {where}." if changed else f"{where.capitalize()} carries {what} already.")
    send_new(state, award_ids, "earlier completers")


@learning_objects.command("remove")
@object_options
@click.option("--force", is_flag=True, help="Remove its completions with it.")
@pass_state
def learning_objects_remove(state: State, force: bool, **values: Any) -> None:
    """Delete a course, learning path or certification with its instances and skill credits.

    Refused while learners have completed it, unless --force (their completions go too). Awards
    made for it stay: they are history, and may be held on a provider.
    """
    kind, object_id = target_of(values)
    result = removal.remove_learning_object(state.db, kind, object_id, force=force)
    gone = f" with {result.completions} completion(s)" if result.completions else ""
    click.echo(f"{kind.replace('_', ' ').capitalize()} {object_id!r} removed{gone}.")


@click.command()
@click.option("--badge", "badge_id", help="Detach this badge.")
@click.option("--instance", "instance_id", help="Detach the badge from this instance of the object.")
@click.option("--skill", "skill_id", help="Stop granting credits towards this skill.")
@click.option("--level", default=1, show_default=True, type=click.IntRange(1, 3), help="The skill level.")
@object_options
@pass_state
def unassign(state: State, badge_id, instance_id, skill_id, level, **values: Any) -> None:
    """Detach a badge, or the credits towards a skill level, from a learning object.

    Awards already made stay; later completions no longer earn it.
    """
    kind, object_id = target_of(values)
    if bool(badge_id) == bool(skill_id):
        raise InvalidInput("give exactly one of --badge and --skill")
    where = f"{kind.replace('_', ' ')} {object_id!r}"
    if badge_id:
        changed = object_service.detach_badge(state.db, kind, object_id, badge_id, instance_id)
        what = f"badge {badge_id!r}"
        if instance_id:
            where += f" instance {instance_id!r}"
    else:
        changed = object_service.detach_skill(state.db, kind, object_id, skill_id, level)
        what = f"credits towards skill {skill_id!r} level {level}"
    click.echo(
        f"Detached {what} from {where}."
        if changed
        else f"{where.capitalize()} does not carry {what}; nothing changed."
    )


@click.command()
@click.argument("email")
@object_options
@click.option("--date", "completed", type=click.DateTime(), help="When it was completed (default: now, UTC).")
@pass_state
def complete(state: State, email: str, completed: datetime | None, **values: Any) -> None:
    """Record that a learner completed a learning object; issue what it earns."""
    kind, object_id = target_of(values)
    award_ids = object_service.complete(
        state.db, email, kind, object_id, as_utc(completed) if completed else None
    )
    if award_ids is None:
        click.echo(f"{email} had completed {kind.replace('_', ' ')} {object_id!r} already; nothing changed.")
        return
    click.echo(f"Recorded: {email} completed {kind.replace('_', ' ')} {object_id!r}.")
    send_new(state, award_ids, email)
