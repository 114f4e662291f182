"""The migration files badgebridge reads, in ALM's dependency order, and how each is stored.

Ids are kept as given. Each file maps to one table (``badge.csv`` → ``badges``, ``course.csv`` →
``learning_objects`` of kind course, ...); ``user_course_grade.csv`` records completions.
"""

from __future__ import annotations

from typing import Any

from badgebridge.core.migration import references as refs
from badgebridge.core.migration.formats import parse_boolean, parse_date_time
from badgebridge.core.migration.pipeline import Context, Entry, FileSpec
from badgebridge.core.migration.references import first
from badgebridge.core.migration.schemas import Problem, shown
from badgebridge.core.migration.writers import (
    Upsert,
    badge_attached,
    credits_attached,
    level_attached,
    upsert,
    write_completions,
)
from badgebridge.core.model import ObjectKind
from badgebridge.core.services import catalog
from badgebridge.core.storage.schema import (
    badges,
    learning_objects,
    object_courses,
    object_instances,
    object_skill_credits,
    skill_levels,
    skills,
)

COURSE, LEARNING_PATH, CERTIFICATION = ObjectKind.COURSE, ObjectKind.LEARNING_PATH, ObjectKind.CERTIFICATION
PUBLISHED = "Published"
COURSE_ID = ("courseId", "almCourseId")
PROGRAM_ID = ("learningProgramId", "almLearningProgramId")
INSTANCE_ID = ("id", "instanceId")


def _id(row: dict[str, Any]) -> tuple:
    return (row["id"],)


def _given(row: dict[str, Any], *columns: str) -> Any:
    return first(row, *columns)[1]


def _badge(entry: Entry) -> dict[str, Any]:
    row = entry.row
    return {
        "name": row["badgeName"],
        "image_url": row["imageUrl"],
        "state": row["state"],
        "created_on": parse_date_time(row["badgeCreationDate"]),
        "external_badge_id": row.get("externalBadgeId"),
        "external_badge_provider": entry.found["provider"],
        "connection_id": entry.found["connection_id"],
    }


def _object(name: str, created: str):
    """A course's or learning program's values, from its name and creation-date columns."""

    def values(entry: Entry) -> dict[str, Any]:
        row = entry.row
        return {"name": row[name], "state": row["state"], "created_on": parse_date_time(row[created])}

    return values


def _certification(entry: Entry) -> dict[str, Any]:
    row = entry.row
    return {
        "name": row["certificateName"],
        "state": PUBLISHED,
        "created_on": parse_date_time(row["certificationCreationDate"]),
        "badge_id": row.get("badgeId"),
    }


def _instance(entry: Entry) -> dict[str, Any]:
    row = entry.row
    return {"name": row["name"], "state": row["state"], "badge_id": row.get("badgeId")}


def _starts_before(deadline: str):
    """``startDate``, when given, is before the deadline (same-format ISO strings sort as times)."""

    def rule(row: dict[str, Any]) -> list[Problem]:
        start = row.get("startDate")
        if start is not None and deadline in row and start >= row[deadline]:
            return [Problem("startDate", f"{start} is not before {deadline} ({row[deadline]})")]
        return []

    rule.__doc__ = f"startDate, when given, is before {deadline}."
    return rule


def _grade_rules(row: dict[str, Any]) -> list[Problem]:
    """completion or success TRUE needs started TRUE (and so startedDate); scoreMin ≤ scoreRaw ≤ scoreMax."""
    problems = []
    if parse_boolean(row.get("completion")):
        flag = "completion"
    elif parse_boolean(row.get("success")):
        flag = "success"
    else:
        flag = None
    if flag is not None and not parse_boolean(row.get("started")):
        problems.append(Problem("started", f"must be TRUE when {flag} is TRUE"))
        if "startedDate" not in row:
            problems.append(Problem("startedDate", f"a value is required when {flag} is TRUE"))
    raw, low, high = row.get("scoreRaw"), row.get("scoreMin"), row.get("scoreMax")
    if low is not None and high is not None and low > high:
        problems.append(Problem("scoreMin", f"{shown(low)} is more than scoreMax ({shown(high)})"))
    elif raw is not None and low is not None and raw < low:
        problems.append(Problem("scoreRaw", f"{shown(raw)} is less than scoreMin ({shown(low)})"))
    elif raw is not None and high is not None and raw > high:
        problems.append(Problem("scoreRaw", f"{shown(raw)} is more than scoreMax ({shown(high)})"))
    return problems


def _external_badges(ctx: Context, entries: list[Entry]) -> None:
    assert ctx.externals is not None, "run_migration gives badge.csv its external-badge check"
    ctx.externals.check(entries)


def _one_badge_per_template(ctx: Context, entries: list[Entry]) -> None:
    """No two migrated badges for one provider template (another row, or a badge migrated before)."""
    seen: dict[tuple, str] = {}
    for entry in entries:
        if entry.found.get("connection_id") is None or entry.problems:
            continue
        template = (entry.found["connection_id"], entry.row["externalBadgeId"])
        other = seen.setdefault(template, entry.row["id"])
        if other == entry.row["id"]:
            other = catalog.migrated_holder(ctx.conn, *template, entry.row["id"])
        if other is not None:
            entry.problems.append(
                Problem(
                    "externalBadgeId",
                    f"{shown(entry.row['externalBadgeId'])} is already the template of badge {other!r}",
                )
            )


_upsert_badges = upsert(Upsert(badges, ("id",)), _badge)


def _write_badges(ctx: Context, entries: list[Entry]) -> None:
    """Store badge.csv rows; a badge imported earlier for the same provider template becomes the
    migrated one (its skills, learning objects and awards move over), so each template is one badge."""
    freed = {
        entry.row["id"]: catalog.release_template(
            ctx.conn, entry.row["id"], entry.found["connection_id"], entry.row["externalBadgeId"]
        )
        for entry in entries
        if entry.found["connection_id"] is not None
    }
    _upsert_badges(ctx, entries)
    for keep_id, duplicates in freed.items():
        if duplicates:
            catalog.merge_into(ctx.conn, keep_id, duplicates)


FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "badge.csv",
        key=_id,
        checks=(_external_badges, _one_badge_per_template),
        write=_write_badges,
    ),
    FileSpec(
        "skill.csv",
        key=_id,
        write=upsert(
            Upsert(skills, ("id",)),
            lambda e: {
                "name": e.row["skillName"],
                "description": e.row.get("description", ""),
                "state": e.row["state"],
                "created_on": parse_date_time(e.row["skillCreationDate"]),
            },
        ),
    ),
    FileSpec(
        "skill_level.csv",
        key=lambda row: (row["skillId"], row["levelId"]),
        checks=(refs.Reference(("skillId",), "skill", skills.c.id), refs.badge()),
        write=upsert(
            Upsert(skill_levels, ("skill_id", "level")),
            lambda e: {"max_credits": e.row["maxCredits"], "badge_id": e.row.get("badgeId")},
            level_attached,
        ),
    ),
    FileSpec(
        "course.csv",
        key=_id,
        write=upsert(
            Upsert(learning_objects, ("id",), {"kind": COURSE}),
            _object("courseName", "courseCreationDate"),
        ),
    ),
    FileSpec(
        "skill_course.csv",
        key=lambda row: (row["courseId"], row["skillId"], row["levelId"]),
        checks=(refs.learning_object(COURSE, "courseId"), refs.skill_level_credits),
        write=upsert(
            Upsert(object_skill_credits, ("object_id", "skill_id", "level"), {"kind": COURSE}),
            lambda e: {"credits": e.row["credits"]},
            credits_attached,
        ),
    ),
    FileSpec(
        "course_instance.csv",
        key=lambda row: (_given(row, *COURSE_ID), row["instanceId"]),
        rules=(_starts_before("completionDeadline"),),
        checks=(refs.learning_object(COURSE, *COURSE_ID), refs.badge()),
        write=upsert(
            Upsert(object_instances, ("object_id", "id"), {"kind": COURSE}),
            _instance,
            badge_attached(COURSE, "state"),
        ),
    ),
    FileSpec(
        "learning_program.csv",
        key=_id,
        write=upsert(
            Upsert(learning_objects, ("id",), {"kind": LEARNING_PATH}),
            _object("name", "dateAdded"),
        ),
    ),
    FileSpec(
        "learning_program_course.csv",
        key=lambda row: (row["learningProgramId"], row["courseId"]),
        checks=(
            refs.learning_object(LEARNING_PATH, "learningProgramId"),
            refs.learning_object(COURSE, "courseId"),
        ),
        write=upsert(
            Upsert(object_courses, ("object_id", "course_id"), {"kind": LEARNING_PATH}),
            lambda e: {},
        ),
    ),
    FileSpec(
        "learning_program_instance.csv",
        key=lambda row: (_given(row, *PROGRAM_ID), _given(row, *INSTANCE_ID)),
        rules=(_starts_before("deadline"),),
        checks=(refs.learning_object(LEARNING_PATH, *PROGRAM_ID), refs.badge()),
        write=upsert(
            Upsert(object_instances, ("object_id", "id"), {"kind": LEARNING_PATH}),
            _instance,
            badge_attached(LEARNING_PATH, "state"),
        ),
    ),
    FileSpec(
        "certification.csv",
        key=_id,
        checks=(refs.badge(),),
        write=upsert(
            Upsert(learning_objects, ("id",), {"kind": CERTIFICATION}),
            _certification,
            badge_attached(CERTIFICATION),
        ),
    ),
    FileSpec(
        "certification_course.csv",
        key=lambda row: (row["certificationId"], row["courseId"]),
        checks=(
            refs.learning_object(CERTIFICATION, "certificationId"),
            refs.learning_object(COURSE, "courseId"),
        ),
        write=upsert(
            Upsert(object_courses, ("object_id", "course_id"), {"kind": CERTIFICATION}),
            lambda e: {"position": e.row["order"]},
        ),
    ),
    FileSpec(
        "user_course_grade.csv",
        key=None,
        rules=(_grade_rules,),
        checks=(refs.learner, refs.learning_object(COURSE, "courseId")),
        write=write_completions,
    ),
)


FILE_NAMES: tuple[str, ...] = tuple(spec.name for spec in FILES)
