"""Row locks that let concurrent awarding transactions see each other's commits.

What a learner earns is a function of several tables (their completions, what each object carries,
the credits towards a skill level), so two transactions that each change one input can each miss
the other's change under PostgreSQL's READ COMMITTED. The protocol, for every transaction that
stores a completion or changes what an object awards:

1. Lock the learning objects concerned, in ``(kind, id)`` order: ``FOR SHARE`` to record a
   completion (completions of one object run side by side), ``FOR NO KEY UPDATE`` to change what
   the object carries and backfill it (which waits for the completions in flight, and they for it).
2. Then lock the learners concerned ``FOR NO KEY UPDATE``, in id order: a learner's completions
   are serialised, so two completions that together reach a skill level's credits see each other.

``NO KEY UPDATE`` rather than ``UPDATE``: the locks exclude each other but not the key-share locks
that inserting a row referencing the learner or object takes (a manual grant, say).
3. Only then read what is earned and store the awards (``award_once`` makes that insert
   idempotent).

A transaction that waited for a lock reads, statement by statement, what the other committed. The
fixed order keeps the protocol free of deadlocks for one-object commands; a migration file that
locks batch after batch can still deadlock with another, which PostgreSQL detects, and
``badgebridge.core.storage.retry`` runs the loser again. SQLite serialises writers (``BEGIN
IMMEDIATE``), so there the locks render as nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from badgebridge.core.storage.chunks import by_kind, chunks
from badgebridge.core.storage.schema import learners, learning_objects

Object = tuple[str, str]


def lock_objects(conn: Connection, objects: Iterable[Object], *, exclusive: bool) -> set[Object]:
    """Lock these learning objects (those that exist) in ``(kind, id)`` order; returns them."""
    found: set[Object] = set()
    for kind, chunk in by_kind(objects):
        query = (
            select(learning_objects.c.id)
            .where(learning_objects.c.kind == kind, learning_objects.c.id.in_(chunk))
            .order_by(_bytewise(conn, learning_objects.c.id))
            .with_for_update(read=not exclusive, key_share=exclusive)
        )
        found.update((kind, object_id) for object_id in conn.execute(query).scalars())
    return found


def lock_learners(conn: Connection, learner_ids: Iterable[str]) -> None:
    """Lock these learners' rows in id order."""
    for chunk in chunks(sorted(set(learner_ids))):
        query = (
            select(learners.c.id)
            .where(learners.c.id.in_(chunk))
            .order_by(_bytewise(conn, learners.c.id))
            .with_for_update(key_share=True)
        )
        conn.execute(query).all()


def _bytewise(conn: Connection, column):
    """The column ordered by code point, as Python's ``sorted`` orders the chunks."""
    return column.collate("C") if conn.dialect.name == "postgresql" else column
