"""Skills: up to three levels, each with ``maxCredits`` and, optionally, a badge."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, update

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import InvalidInput, NotFound
from badgebridge.core.ids import slug
from badgebridge.core.services import catalog
from badgebridge.core.storage import Database
from badgebridge.core.storage.limits import require_fit
from badgebridge.core.storage.paging import ALL, Keyset, Listing, PageRequest
from badgebridge.core.storage.schema import skill_levels, skills
from badgebridge.core.storage.upsert import insert_ignoring_conflicts

LEVELS = (1, 2, 3)


@dataclass(frozen=True)
class Level:
    level: int
    max_credits: float
    badge_id: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "max_credits": self.max_credits, "badge_id": self.badge_id}


@dataclass(frozen=True)
class SkillRecord:
    id: str
    name: str
    description: str
    state: str
    levels: list[Level] = field(default_factory=list)

    def level(self, number: int) -> Level:
        for level in self.levels:
            if level.level == number:
                return level
        raise NotFound(f"skill {self.id!r} has no level {number} (skills list shows them)")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "state": self.state,
            "levels": [level.as_dict() for level in self.levels],
        }


def create(
    db: Database,
    name: str,
    *,
    badge_id: str | None,
    level: int = 1,
    max_credits: float = 1,
    skill_id: str | None = None,
) -> tuple[SkillRecord, str]:
    """Create a skill (or add a level to it) whose level carries ``badge_id``.

    The skill's id is ``skill_id`` or made from its name. A name is one skill's only: a name
    another skill has (ignoring case and surrounding spaces) is refused. Returns the skill and
    "created", "updated" or "unchanged".
    """
    name = name.strip()
    if not name:
        raise InvalidInput("a skill needs a name")
    if level not in LEVELS:
        raise InvalidInput(f"level must be 1, 2 or 3, not {level}")
    if not 1 <= max_credits <= 65535:
        raise InvalidInput(f"max credits must be between 1 and 65535, not {max_credits:g}")
    if badge_id is not None:
        catalog.get_badge(db, badge_id)
    skill_id = skill_id or slug(name)
    require_fit(skills, "the skill", id=skill_id)
    now = utcnow()
    with db.begin() as conn:
        existing = conn.execute(select(skills).where(skills.c.id == skill_id)).mappings().first()
        if existing is None:
            _refuse_taken_name(conn, name)
            conn.execute(
                skills.insert().values(
                    id=skill_id, name=name, description="", state="Active", created_at=now, updated_at=now
                )
            )
            outcome = "created"
        elif existing["name"].casefold() != name.casefold():
            raise InvalidInput(f"skill id {skill_id!r} belongs to the skill {existing['name']!r}")
        else:
            outcome = "unchanged"
        if _set_level(conn, skill_id, level, max_credits, badge_id) and outcome == "unchanged":
            outcome = "updated"
    return get(db, skill_id), outcome


def _refuse_taken_name(conn: Connection, name: str) -> None:
    """Refuse ``name`` for a new skill if another skill has it, whatever the case."""
    wanted = name.casefold()
    for skill_id, taken in conn.execute(select(skills.c.id, skills.c.name)):
        if taken.strip().casefold() == wanted:
            raise InvalidInput(
                f"a skill named {taken!r} exists already, with id {skill_id!r}: give that id to add "
                "a level to it, or choose another name"
            )


def _set_level(conn: Connection, skill_id: str, level: int, max_credits: float, badge_id: str | None) -> bool:
    """Insert or change one level in the caller's transaction; True if anything changed."""
    now = utcnow()
    values = {"max_credits": max_credits, "badge_id": badge_id}
    row = (
        conn.execute(
            select(skill_levels).where(skill_levels.c.skill_id == skill_id, skill_levels.c.level == level)
        )
        .mappings()
        .first()
    )
    if row is None:
        conn.execute(
            insert_ignoring_conflicts(conn, skill_levels).values(
                skill_id=skill_id, level=level, created_at=now, updated_at=now, **values
            )
        )
        return True
    if (row["max_credits"], row["badge_id"]) == (max_credits, badge_id):
        return False
    conn.execute(
        update(skill_levels)
        .where(skill_levels.c.skill_id == skill_id, skill_levels.c.level == level)
        .values(updated_at=now, **values)
    )
    return True


def get(db: Database, skill_id: str) -> SkillRecord:
    found = list_skills(db, skill_id)
    if not found:
        raise NotFound(f"no skill with id {skill_id!r} (skills list shows them)")
    return found[0]


def list_skills(db: Database, skill_id: str | None = None) -> list[SkillRecord]:
    return list(page_skills(db, skill_id=skill_id))


def page_skills(db: Database, page: PageRequest = ALL, skill_id: str | None = None) -> Listing[SkillRecord]:
    """The skills (or the one with this id), by name, with their levels, a batch at a time."""
    query = select(skills) if skill_id is None else select(skills).where(skills.c.id == skill_id)
    return Listing(db, query, Keyset(skills.c.name, skills.c.id), page, _skill_records)


def _skill_records(conn: Connection, rows) -> list[SkillRecord]:
    levels: dict[str, list[Level]] = {}
    if rows:
        level_query = (
            select(skill_levels)
            .where(skill_levels.c.skill_id.in_([row["id"] for row in rows]))
            .order_by(skill_levels.c.level)
        )
        for row in conn.execute(level_query).mappings():
            levels.setdefault(row["skill_id"], []).append(
                Level(row["level"], row["max_credits"], row["badge_id"])
            )
    return [
        SkillRecord(row["id"], row["name"], row["description"], row["state"], levels.get(row["id"], []))
        for row in rows
    ]
