"""``insert_many`` stores what SQLAlchemy's own insert stores, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from badgebridge.core.storage.bulk import insert_many
from badgebridge.core.storage.schema import awards, badges, learners

NOW = datetime(2026, 12, 3, 17, 5, 9, 120_004, tzinfo=UTC)
IST = timezone(timedelta(hours=5, minutes=30))
COLUMNS = (  # not in the table's order: insert_many follows the names
    "updated_at",
    "learner_id",
    "badge_id",
    "reason_kind",
    "reason_id",
    "connection_id",
    "earned_at",
    "state",
    "next_attempt_at",
    "attempts",
    "maybe_sent",
    "linked",
    "created_at",
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request):
    database = request.getfixturevalue("db" if request.param == "sqlite" else "pg")
    with database.begin() as conn:
        conn.execute(
            learners.insert(),
            [
                {"id": f"L{n}", "email": f"l{n}@example.org", "first_name": "L", "last_name": str(n)}
                | {"created_at": NOW, "updated_at": NOW}
                for n in range(4)
            ],
        )
        conn.execute(
            badges.insert().values(id="B1", name="Badge", state="Active", created_at=NOW, updated_at=NOW)
        )
    return database


def _award(n: int, reason: str, earned_at: datetime, sent: bool) -> tuple:
    values = {
        "learner_id": f"L{n}",
        "badge_id": "B1",
        "reason_kind": "course",
        "reason_id": reason,
        "connection_id": None,
        "earned_at": earned_at,
        "state": "queued" if sent else "awarded",
        "next_attempt_at": NOW if sent else None,
        "attempts": n,
        "maybe_sent": sent,
        "linked": not sent,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return tuple(values[name] for name in COLUMNS)


ROWS = [
    _award(0, "C1", NOW, True),
    _award(1, "C1", datetime(1999, 12, 31, 23, 59, 59, tzinfo=IST), False),  # another zone, whole seconds
    _award(2, "C2", datetime(2038, 1, 19, 3, 14, 7, 999_999, tzinfo=UTC), True),
]


def _stored(database, ours: bool) -> tuple[list[tuple], list[tuple]]:
    """Our rows or SQLAlchemy's (reason ids ending in ``-sa``): as the database holds them (text, on
    SQLite) and as SQLAlchemy reads them back; without their reason ids."""
    kept = [name for name in COLUMNS if name != "reason_id"]
    which = "NOT LIKE" if ours else "LIKE"
    with database.begin() as conn:
        raw = conn.execute(
            text(f"SELECT {', '.join(kept)} FROM awards WHERE reason_id {which} '%-sa' ORDER BY learner_id")
        )
        like = awards.c.reason_id.like("%-sa")
        read = conn.execute(
            select(*(awards.c[name] for name in kept))
            .where(~like if ours else like)
            .order_by(awards.c.learner_id)
        )
        return [tuple(row) for row in raw], [tuple(row) for row in read]


def test_rows_are_stored_as_sqlalchemys_insert_stores_them(database):
    with database.begin() as conn:
        insert_many(conn, awards, COLUMNS, ROWS)
        conn.execute(  # the same awards through SQLAlchemy, for other reasons
            awards.insert(),
            [dict(zip(COLUMNS, row, strict=True)) | {"reason_id": row[4] + "-sa"} for row in ROWS],
        )

    ours_raw, ours = _stored(database, ours=True)
    theirs_raw, theirs = _stored(database, ours=False)
    assert len(ours) == 3
    assert ours_raw == theirs_raw
    assert ours == theirs
    assert ours[1][COLUMNS.index("earned_at") - 1] == datetime(1999, 12, 31, 18, 29, 59, tzinfo=UTC)


def test_conflicting_rows_are_skipped_when_asked_and_the_others_stored(database):
    with database.begin() as conn:
        insert_many(conn, awards, COLUMNS, ROWS[:1])
    with database.begin() as conn:
        insert_many(conn, awards, COLUMNS, ROWS, ignore_conflicts=True)
        assert conn.execute(select(awards.c.learner_id).order_by(awards.c.learner_id)).scalars().all() == [
            "L0",
            "L1",
            "L2",
        ]


def test_columns_with_defaults_must_be_given_and_rows_must_fit_the_columns(database):
    with database.begin() as conn, pytest.raises(ValueError, match=r"badges needs the columns with defaults"):
        insert_many(
            conn,
            badges,
            ("id", "name", "state", "created_at", "updated_at"),
            [("B2", "x", "Active", NOW, NOW)],
        )
    with database.begin() as conn, pytest.raises(ValueError, match=r"rows of 12 values for 13 columns"):
        insert_many(conn, awards, COLUMNS, [row[:-1] for row in ROWS])
