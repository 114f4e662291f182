"""Keyset pages read batch by batch: a composite order key's cursor, batch boundaries, limits,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from badgebridge.core.errors import InvalidInput
from badgebridge.core.storage import open_database
from badgebridge.core.storage.paging import Keyset, Listing, PageRequest, per_row
from badgebridge.core.storage.schema import badges

NAMES = ["b", "a", "c", "a", "b", "a", "d"]  # names repeat: the id orders the equal ones


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request, tmp_path):
    if request.param == "postgresql":
        yield request.getfixturevalue("pg")
        return
    database = open_database(f"sqlite:///{tmp_path / 'bb.db'}")
    yield database
    database.dispose()


def _fill(db) -> list[tuple[str, str]]:
    now = datetime.now(UTC)
    rows = [
        {"id": f"id{i}", "name": name, "state": "Active", "created_at": now, "updated_at": now}
        for i, name in enumerate(NAMES)
    ]
    with db.begin() as conn:
        conn.execute(badges.insert(), rows)
    return sorted((row["name"], row["id"]) for row in rows)


def _listing(db, page: PageRequest, batch: int) -> Listing:
    keyset = Keyset(badges.c.name, badges.c.id)
    return Listing(
        db, badges.select(), keyset, page, per_row(lambda row: (row["name"], row["id"])), batch=batch
    )


@pytest.mark.parametrize("batch", [1, 2, 3, 500])
@pytest.mark.parametrize("limit", [1, 2, 3, 7, None])
def test_pages_of_any_size_read_in_any_batch_cover_every_row_once(db, batch, limit):
    expected = _fill(db)
    seen, after, pages = [], None, 0
    while True:
        listing = _listing(db, PageRequest(limit, after), batch)
        page = list(listing)
        seen += page
        pages += 1
        assert len(page) <= (limit or len(expected))
        if listing.next_cursor is None:
            break
        after = listing.next_cursor
    assert seen == expected
    assert pages == (1 if limit is None else -(-len(expected) // limit))


def test_the_last_full_page_says_no_more(db):
    _fill(db)
    listing = _listing(db, PageRequest(len(NAMES)), 2)
    assert len(list(listing)) == len(NAMES)
    assert listing.next_cursor is None


def test_a_cursor_of_another_shape_is_refused(db):
    with pytest.raises(InvalidInput, match="is not a cursor of this list"):
        _listing(db, PageRequest(after="12"), 2)
    with pytest.raises(InvalidInput, match="an id"):
        Keyset(badges.c.connection_id).parse("abc")
