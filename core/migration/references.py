"""Checks that a row's references exist: in this migration (earlier files of the run are written
in the same transaction, or the same dry-run transaction) or in the database already.

Each check looks up a whole batch with one query per table. A batch holds rows with problems too
(so a row's every problem is told at once); their ``row`` lacks the failed columns, and a check
skips what it cannot see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, select, tuple_

from badgebridge.core.migration.pipeline import Context, Entry
from badgebridge.core.migration.schemas import Problem, shown
from badgebridge.core.model import ObjectKind
from badgebridge.core.storage.chunks import chunks
from badgebridge.core.storage.schema import badges, learners, learning_objects, skill_levels, skills


def lookup(
    conn: Connection,
    key: Column | tuple[Column, ...],
    value: Column,
    keys: Iterable[Any],
    *where: ColumnElement,
) -> dict[Any, Any]:
    """``{key: value}`` of the rows whose ``key`` (a column, or a tuple of columns) is among ``keys``."""
    columns = key if isinstance(key, tuple) else (key,)
    matches = tuple_(*columns).in_ if len(columns) > 1 else columns[0].in_
    wanted = list(set(keys))
    found: dict[Any, Any] = {}
    for chunk in chunks(wanted):
        query = select(*columns, value).where(matches(chunk), *where)
        for row in conn.execute(query):
            found[tuple(row[:-1]) if len(columns) > 1 else row[0]] = row[-1]
    return found


def first(row: dict[str, Any], *columns: str) -> tuple[str, Any]:
    """The first of alternative ``columns`` (``courseId``, ``almCourseId``) the row gives, and its value."""
    for column in columns:
        if column in row:
            return column, row[column]
    return columns[0], None


@dataclass(frozen=True)
class Reference:
    """A column (or alternative columns) naming an object that must exist.

    ``label`` names it in messages; ``target`` is its id column, ``kind`` narrows learning objects.
    """

    columns: tuple[str, ...]
    label: str
    target: Column
    kind: ObjectKind | None = None

    def __call__(self, ctx: Context, entries: list[Entry]) -> None:
        given = [(entry, *first(entry.row, *self.columns)) for entry in entries]
        where = () if self.kind is None else (learning_objects.c.kind == self.kind,)
        found = lookup(ctx.conn, self.target, self.target, (v for _, _, v in given if v is not None), *where)
        for entry, column, value in given:
            if value is not None and value not in found:
                entry.problems.append(
                    Problem(column, f"no {self.label} {shown(value)} in this migration or the database")
                )


def badge(*columns: str) -> Reference:
    return Reference(columns or ("badgeId",), "badge", badges.c.id)


def learning_object(kind: ObjectKind, *columns: str) -> Reference:
    return Reference(columns, kind.replace("_", " "), learning_objects.c.id, kind)


def skill_level_credits(ctx: Context, entries: list[Entry]) -> None:
    """skill_course.csv: the skill level exists and ``credits`` is at most its ``maxCredits``."""
    entries = [entry for entry in entries if "skillId" in entry.row and "levelId" in entry.row]
    pairs = {(entry.row["skillId"], entry.row["levelId"]) for entry in entries}
    maxima = lookup(
        ctx.conn, (skill_levels.c.skill_id, skill_levels.c.level), skill_levels.c.max_credits, pairs
    )
    missing = {skill for skill, level in pairs if (skill, level) not in maxima}
    known = lookup(ctx.conn, skills.c.id, skills.c.id, missing)
    for entry in entries:
        skill, level, credits = entry.row["skillId"], entry.row["levelId"], entry.row.get("credits")
        maximum = maxima.get((skill, level))
        if skill not in known and maximum is None:
            entry.problems.append(
                Problem("skillId", f"no skill {shown(skill)} in this migration or the database")
            )
        elif maximum is None:
            entry.problems.append(Problem("levelId", f"skill {shown(skill)} has no level {level}"))
        elif credits is not None and credits > maximum:
            entry.problems.append(
                Problem("credits", f"{shown(credits)} is more than the level's maxCredits ({shown(maximum)})")
            )


def learner(ctx: Context, entries: list[Entry]) -> None:
    """``userId`` is the email of a learner who exists; ``found["learner_id"]`` is their id."""
    entries = [entry for entry in entries if "userId" in entry.row]
    ids = lookup(ctx.conn, learners.c.email, learners.c.id, (e.row["userId"].lower() for e in entries))
    for entry in entries:
        learner_id = ids.get(entry.row["userId"].lower())
        if learner_id is None:
            entry.problems.append(
                Problem(
                    "userId", f"no learner with email {shown(entry.row['userId'])} (import learners first)"
                )
            )
        entry.found["learner_id"] = learner_id
