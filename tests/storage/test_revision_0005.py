"""Revision 0005 merges the catalog badges that share a provider template before it makes the
template unique: on a database at 0004, as it was then (its tables reflected, not schema.py's)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import MetaData, create_engine, exc, select

from badgebridge.core.storage import migrations
from tests.pg import throwaway_schema

THEN = datetime(2026, 1, 2, 3, 4, 5)  # naive UTC, as the columns store it
LATER = datetime(2026, 2, 1)


def _upgrade(conn, revision: str) -> None:
    config = migrations._config()
    config.attributes["connection"] = conn
    command.upgrade(config, revision)


def _blank(column):
    """A value for a required column the test does not care about."""
    python_type = {"JSON": dict}.get(type(column.type).__name__) or column.type.python_type
    return {str: "", int: 0, float: 0.0, bool: False, datetime: THEN, dict: {}}[python_type]


def _insert(conn, table, **values) -> None:
    required = {
        column.name: _blank(column)
        for column in table.columns
        if not column.nullable and column.server_default is None and not column.primary_key
    }
    conn.execute(table.insert().values(**(required | values)))


def _fill(conn) -> None:
    """At 0004: template t1 of connection 1 held by three badges, t2 by one.

    M is migrated (created_on) though newer, so it keeps t1; I and X are imported. I carries a skill
    level, a course and an award of L1; X carries an instance and an award of L2 for the same
    reason as L2's award on M (so that award would become a twin)."""
    tables = MetaData()
    tables.reflect(conn)
    t = tables.tables
    _insert(conn, t["connections"], id=1, name="c1", provider="credly")
    for learner in ("L1", "L2"):
        _insert(conn, t["learners"], id=learner, email=f"{learner}@x.org")
    for badge_id, template, created_on, created_at in (
        ("I", "t1", None, THEN),
        ("X", "t1", None, THEN),
        ("M", "t1", THEN, LATER),
        ("U", "t2", None, THEN),
    ):
        _insert(
            conn,
            t["badges"],
            id=badge_id,
            state="Active",
            connection_id=1,
            external_badge_id=template,
            created_on=created_on,
            created_at=created_at,
        )
    _insert(conn, t["skills"], id="S")
    _insert(conn, t["skill_levels"], skill_id="S", level=1, max_credits=1, badge_id="I")
    _insert(conn, t["learning_objects"], kind="course", id="C1", badge_id="I")
    _insert(conn, t["object_instances"], kind="course", object_id="C1", id="I1", badge_id="X")
    for award_id, learner, badge_id in ((1, "L1", "I"), (2, "L2", "M"), (3, "L2", "X")):
        _insert(
            conn,
            t["awards"],
            id=award_id,
            learner_id=learner,
            badge_id=badge_id,
            reason_kind="manual",
            reason_id="",
            connection_id=1,
            state="queued",
        )


def _check(conn) -> None:
    tables = MetaData()
    tables.reflect(conn)
    t = tables.tables

    def pairs(query):
        return sorted(tuple(row) for row in conn.execute(query))

    badges = t["badges"]
    assert pairs(select(badges.c.id, badges.c.external_badge_id, badges.c.state)) == [
        ("M", "t1", "Active"),
        ("U", "t2", "Active"),
        ("X", None, "Retired"),  # kept: it holds award 3, which would have been a twin
    ]
    assert conn.execute(select(t["skill_levels"].c.badge_id)).scalar_one() == "M"
    assert conn.execute(select(t["learning_objects"].c.badge_id)).scalar_one() == "M"
    assert conn.execute(select(t["object_instances"].c.badge_id)).scalar_one() == "M"
    awards = t["awards"]
    assert pairs(select(awards.c.id, awards.c.badge_id)) == [(1, "M"), (2, "M"), (3, "X")]
    moved = conn.execute(select(awards.c.updated_at).where(awards.c.id == 1)).scalar_one()
    assert moved.replace(tzinfo=UTC) > THEN.replace(tzinfo=UTC)
    with pytest.raises(exc.IntegrityError), conn.begin_nested():
        conn.execute(
            badges.insert().values(
                id="again",
                name="again",
                state="Active",
                connection_id=1,
                external_badge_id="t2",
                created_at=THEN,
                updated_at=THEN,
            )
        )


def _run(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _upgrade(conn, "0004")
            _fill(conn)
            _upgrade(conn, "0005")
            _check(conn)
    finally:
        engine.dispose()


def test_0005_merges_badges_sharing_a_template_then_makes_it_unique(tmp_path):
    _run(f"sqlite:///{tmp_path / 'at-0004.db'}")


@pytest.mark.postgres
def test_0005_merges_badges_sharing_a_template_then_makes_it_unique_on_postgresql():
    with throwaway_schema() as url:
        _run(url)
