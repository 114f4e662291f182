"""Writing a batch of checked rows: upserts per table, completions, and the backfills they call for.

``Upsert`` reads the stored rows of a batch with one query, then inserts the new ones and updates
the changed ones with one bulk statement each; a row whose stored values are the same is
unchanged. An object that gains a badge or credits (directly, through an instance or a skill
level) is backfilled: learners who completed it already receive what it now carries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, and_, bindparam, select, tuple_, update

from badgebridge.core.migration.formats import parse_boolean, parse_date_time
from badgebridge.core.migration.pipeline import Context, Entry
from badgebridge.core.migration.schemas import Problem
from badgebridge.core.model import ObjectKind
from badgebridge.core.services import completions
from badgebridge.core.services.completions import Completion
from badgebridge.core.storage.chunks import by_kind
from badgebridge.core.storage.limits import too_long
from badgebridge.core.storage.locks import lock_learners, lock_objects
from badgebridge.core.storage.schema import completions as completions_table
from badgebridge.core.storage.schema import object_skill_credits

Object = tuple[ObjectKind, str]
Stored = dict[str, Any] | None
"""The values a row had before the batch wrote it (None: it is new)."""


@dataclass(frozen=True)
class Upsert:
    """Insert-or-update of one table by key.

    :param key: the key columns a row gives, in the order ``key_of`` returns them.
    :param fixed: key columns with one value for the whole file (``{"kind": "course"}``).
    :param created: values a new row gets besides its key and values (a generated id).
    """

    table: Table
    key: tuple[str, ...]
    fixed: dict[str, Any] = field(default_factory=dict)
    created: Callable[[], dict[str, Any]] | None = None

    def write(
        self, ctx: Context, keys: list[tuple], values: list[dict[str, Any]]
    ) -> list[tuple[bool, Stored]]:
        """Store ``values[i]`` under ``keys[i]``; for each, whether it changed and what was stored before."""
        table, names = self.table, list(values[0])
        key_columns = [table.c[name] for name in self.key]
        fixed = [table.c[name] == value for name, value in self.fixed.items()]
        matches = (
            tuple_(*key_columns).in_(keys) if len(key_columns) > 1 else key_columns[0].in_(k[0] for k in keys)
        )
        query = select(*key_columns, *(table.c[name] for name in names)).where(matches, *fixed)
        width = len(key_columns)
        stored = {
            tuple(row[:width]): dict(zip(names, row[width:], strict=True)) for row in ctx.conn.execute(query)
        }
        inserts, updates, outcomes = [], [], []
        for key, new in zip(keys, values, strict=True):
            old = stored.get(key)
            if old is None:
                inserts.append(
                    {
                        **(self.created() if self.created else {}),
                        **self.fixed,
                        **dict(zip(self.key, key, strict=True)),
                        **new,
                        "created_at": ctx.now,
                        "updated_at": ctx.now,
                    }
                )
            elif old != new:
                updates.append(
                    {
                        **{f"k_{name}": part for name, part in zip(self.key, key, strict=True)},
                        **new,
                        "updated_at": ctx.now,
                    }
                )
            outcomes.append((old is None or old != new, old))
        if inserts:
            ctx.conn.execute(table.insert(), inserts)
        if updates:
            where = and_(*fixed, *(column == bindparam(f"k_{column.name}") for column in key_columns))
            ctx.conn.execute(update(table).where(where), updates)
        return outcomes


Attached = Callable[[Context, tuple, dict[str, Any], Stored], Iterable[Object]]
"""The objects a written row attached something to (a badge, credits), to backfill."""


def upsert(
    target: Upsert,
    values_of: Callable[[Entry], dict[str, Any]],
    attached: Attached | None = None,
) -> Callable[[Context, list[Entry]], None]:
    """A file writer: each entry's ``values_of(entry)`` into ``target`` under the entry's key."""

    def write(ctx: Context, entries: list[Entry]) -> None:
        pairs = [(entry, values_of(entry)) for entry in entries]
        pairs = [(entry, new) for entry, new in pairs if _fits(target, entry, new)]
        if not pairs:
            return
        entries = [entry for entry, _ in pairs]
        keys = [entry.key for entry in entries]
        values = [new for _, new in pairs]
        changes = target.write(ctx, keys, values)
        objects: set[Object] = set()
        for entry, key, new, (changed, old) in zip(entries, keys, values, changes, strict=True):
            entry.changed = changed
            if changed and attached is not None:
                objects.update(attached(ctx, key, new, old))
        backfill(ctx, objects)

    return write


def _fits(target: Upsert, entry: Entry, values: dict[str, Any]) -> bool:
    """False (and a problem on the entry) when a value is longer than its column takes; the row
    schemas' ``maxLength`` catch these first, this keeps any they miss a row's error."""
    found = too_long(target.table, {**dict(zip(target.key, entry.key, strict=True)), **values})
    if found is None:
        return True
    column, length, limit = found
    entry.problems.append(
        Problem(None, f"{column.replace('_', ' ')} is {length} characters long; at most {limit} fit")
    )
    return False


def backfill(ctx: Context, objects: set[Object]) -> None:
    """Award what each object now carries to the learners who completed it already.

    Every object is locked (exclusively), then every learner who completed one, in the lock
    protocol's order, before the first award is read (``badgebridge.core.storage.locks``).
    """
    if not objects:
        return
    lock_objects(ctx.conn, objects, exclusive=True)
    completed: dict[str, set[str]] = {}
    completers: set[str] = set()
    for kind, chunk in by_kind(objects):
        query = select(completions_table.c.object_id, completions_table.c.learner_id).where(
            completions_table.c.kind == kind, completions_table.c.object_id.in_(chunk)
        )
        done = completed.setdefault(kind, set())
        for object_id, learner_id in ctx.conn.execute(query):
            done.add(object_id)
            completers.add(learner_id)
    lock_learners(ctx.conn, completers)
    for kind, ids in completed.items():
        for object_id in sorted(ids):
            ctx.award_ids.extend(completions.backfill(ctx.conn, ObjectKind(kind), object_id))


def badge_attached(kind: ObjectKind, *watched: str) -> Attached:
    """A row that gives its object a badge (new, or a change in ``badge_id`` or ``watched`` columns)."""

    def attached(ctx: Context, key: tuple, new: dict[str, Any], old: Stored) -> Iterable[Object]:
        columns = ("badge_id", *watched)
        if new["badge_id"] is not None and (old is None or any(old[c] != new[c] for c in columns)):
            yield kind, key[0]

    return attached


def credits_attached(ctx: Context, key: tuple, new: dict[str, Any], old: Stored) -> Iterable[Object]:
    """skill_course.csv: the course's credits towards a level, new or changed."""
    yield ObjectKind.COURSE, key[0]


def level_attached(ctx: Context, key: tuple, new: dict[str, Any], old: Stored) -> Iterable[Object]:
    """skill_level.csv: a changed level (badge or maxCredits) concerns every object crediting it."""
    if old is None:
        return  # a new level: nothing can credit it yet
    skill_id, level = key
    crediting = select(object_skill_credits.c.kind, object_skill_credits.c.object_id).where(
        object_skill_credits.c.skill_id == skill_id, object_skill_credits.c.level == level
    )
    for kind, object_id in ctx.conn.execute(crediting):
        yield ObjectKind(kind), object_id


def write_completions(ctx: Context, entries: list[Entry]) -> None:
    """user_course_grade.csv: a row with completion TRUE records the course completion (and its
    awards), the whole batch at once; a course completed already (before, or by an earlier row),
    or a row with completion FALSE, changes nothing."""
    done = [entry for entry in entries if parse_boolean(entry.row.get("completion"))]
    if not done:
        return
    new, award_ids = completions.record_many(
        ctx.conn,
        [
            Completion(
                entry.found["learner_id"],
                ObjectKind.COURSE,
                entry.row["courseId"],
                parse_date_time(entry.row["completionDate"]),
            )
            for entry in done
        ],
    )
    for entry, changed in zip(done, new, strict=True):
        entry.changed = changed
    ctx.award_ids.extend(award_ids)
