"""``badgebridge skills``."""

from __future__ import annotations

import click

from badgebridge.commands.base import Group, State, json_option, lazy_import, page_options, pass_state
from badgebridge.core.render import emit_listing

removal = lazy_import("badgebridge.core.services.removal")
skill_service = lazy_import("badgebridge.core.services.skills")


@click.group(cls=Group)
def skills() -> None:
    """Skills: up to three levels, each with max credits and a badge."""


@skills.command("create")
@click.argument("name")
@click.option("--badge", "badge_id", help="The badge the level carries (an id from badges list).")
@click.option("--level", default=1, show_default=True, type=click.IntRange(1, 3))
@click.option("--max-credits", default=1.0, show_default=True, type=click.FloatRange(1, 65535))
@click.option("--id", "skill_id", help="The skill's id (default: made from its name).")
@pass_state
def skills_create(
    state: State, name: str, badge_id: str | None, level: int, max_credits: float, skill_id: str | None
):
    """Create a skill whose level carries a badge (or add a level to an existing skill)."""
    skill, outcome = skill_service.create(
        state.db, name, badge_id=badge_id, level=level, max_credits=max_credits, skill_id=skill_id
    )
    if outcome == "unchanged":
        click.echo(f"Skill {skill.id!r} already has level {level} like that; nothing changed.")
    else:
        carried = f" carrying badge {badge_id!r}" if badge_id else ""
        click.echo(
            f"Skill {skill.id!r} ({skill.name}) {outcome}: level {level}, {max_credits:g} credits{carried}."
        )


@skills.command("list")
@json_option
@page_options
@pass_state
def skills_list(state: State, as_json: bool, page) -> None:
    """List skills by name, and their levels."""
    listing = skill_service.page_skills(state.db, page)
    rows = (skill.as_dict() for skill in listing)
    if not as_json:
        rows = (row | {"levels": [_level(level) for level in row["levels"]]} for row in rows)
    empty = "no more skills" if page.after else "no skills yet"
    emit_listing(rows, listing, as_json, ["id", "name", "state", "levels"], empty)


def _level(level: dict) -> str:
    return f"L{level['level']}:{level['max_credits']:g}:{level['badge_id'] or '-'}"


@skills.command("remove")
@click.argument("skill_id")
@pass_state
def skills_remove(state: State, skill_id: str) -> None:
    """Delete a skill and its levels (refused while learning objects grant it or awards were made for it)."""
    removal.remove_skill(state.db, skill_id)
    click.echo(f"Skill {skill_id!r} removed with its levels.")
