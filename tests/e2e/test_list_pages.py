"""``awards list``, ``learners list`` and ``learners badges`` page through the real command on
SQLite and PostgreSQL: ``--limit`` and ``--after`` cover every row once, in order, while rows
arrive between pages."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from badgebridge.core.services import awards as award_service
from badgebridge.core.services import learners as learner_service
from badgebridge.core.storage import open_database
from badgebridge.core.storage.schema import badges
from tests.e2e.conftest import one_line_error
from tests.pg import throwaway_schema

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, cli):
    if request.param == "sqlite":
        yield cli.env["BADGEBRIDGE_DB"]
        return
    with throwaway_schema() as url:
        cli.env["BADGEBRIDGE_DB"] = url
        yield url


def _platform_badge(db, badge_id: str = "local") -> str:
    now = datetime.now(UTC)
    with db.begin() as conn:
        conn.execute(
            badges.insert().values(
                id=badge_id, name=badge_id.title(), state="Active", created_at=now, updated_at=now
            )
        )
    return badge_id


def _grant(db, first: int, count: int) -> list[int]:
    ids = []
    for n in range(first, first + count):
        email = f"learner{n:03}@example.org"
        learner_service.add(db, email, "Learner", str(n))
        award, _ = award_service.grant(db, "local", email)
        ids.append(award.id)
    return ids


def _page(cli, command: list[str], *args: str) -> tuple[list[dict], str | None]:
    result = cli.ok(*command, "--json", *args)
    more = re.fullmatch(r"more: --after (\S+)\n", result.stderr)
    assert more or result.stderr == "", result.stderr
    return json.loads(result.stdout), more and more.group(1)


def test_awards_pages_show_each_award_once_in_order_while_awards_arrive(cli, db_url):
    db = open_database(db_url, upgrade=True)
    _platform_badge(db)
    expected = _grant(db, 0, 25)
    seen: list[int] = []
    rows, after = _page(cli, ["awards", "list"], "--limit", "10")
    while True:
        seen += [row["id"] for row in rows]
        expected += _grant(db, len(expected), 3)  # new awards between pages
        if after is None:
            break
        assert after == str(seen[-1])
        rows, after = _page(cli, ["awards", "list"], "--limit", "10", "--after", after)
    db.dispose()
    assert seen == sorted(set(seen)), "no award twice, oldest first"
    assert set(expected) - set(seen) == set(expected[-3:]), (
        "only those granted after the last page are missing"
    )


def test_learners_pages_follow_the_email_order_with_rows_inserted_before_the_cursor(cli, db_url):
    db = open_database(db_url, upgrade=True)
    for n in (10, 20, 30, 40, 50):
        learner_service.add(db, f"l{n}@example.org", "L", str(n))
    rows, after = _page(cli, ["learners", "list"], "--limit", "2")
    assert [row["email"] for row in rows] == ["l10@example.org", "l20@example.org"]
    assert after == "l20@example.org"
    learner_service.add(db, "l15@example.org", "L", "15")  # sorts before the cursor: not shown
    learner_service.add(db, "l35@example.org", "L", "35")  # after it: shown in its place
    rest, after = _page(cli, ["learners", "list"], "--limit", "10", "--after", after)
    db.dispose()
    assert after is None
    assert [row["email"] for row in rest] == [f"l{n}@example.org" for n in (30, 35, 40, 50)]


def test_the_whole_list_is_one_json_array_and_the_table_says_how_to_go_on(cli, db_url):
    assert json.loads(cli.ok("awards", "list", "--json").stdout) == []
    db = open_database(db_url, upgrade=True)
    _platform_badge(db)
    ids = _grant(db, 0, 4)
    db.dispose()
    everything = cli.ok("awards", "list", "--json")
    assert [row["id"] for row in json.loads(everything.stdout)] == ids
    assert everything.stderr == ""
    table = cli.ok("awards", "list", "--limit", "3")
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "LEARNER_EMAIL", "BADGE_ID"]
    assert [int(line.split()[0]) for line in lines[1:]] == ids[:3]
    assert table.stderr == f"more: --after {ids[2]}\n"
    last = cli.ok("awards", "list", "--after", str(ids[2]))
    assert [int(line.split()[0]) for line in last.stdout.splitlines()[1:]] == ids[3:]
    assert last.stderr == ""


def test_a_cursor_that_is_not_an_id_is_one_line_and_exit_1(cli, db_url):
    result = cli("awards", "list", "--after", "yesterday")
    assert result.returncode == 1
    assert "--after: 'yesterday' is not a cursor of this list" in one_line_error(result)


def test_a_learners_badges_page_oldest_first_and_the_cursor_goes_on(cli, db_url):
    db = open_database(db_url, upgrade=True)
    learner_service.add(db, "ada@example.org", "Ada", "Lovelace")
    learner_service.add(db, "bob@example.org", "Bob", "Other")
    held = []
    for name in ("first", "second", "third"):
        award, _ = award_service.grant(db, _platform_badge(db, name), "ada@example.org")
        held.append(award.id)
        award_service.grant(db, name, "bob@example.org")  # someone else's: never listed
    db.dispose()
    rows, after = _page(cli, ["learners", "badges", "ada@example.org"], "--limit", "2")
    assert ([row["id"] for row in rows], after) == (held[:2], str(held[1]))
    rest, after = _page(cli, ["learners", "badges", "ada@example.org"], "--after", str(held[1]))
    assert ([row["badge_id"] for row in rest], after) == (["third"], None)
    assert (
        cli.ok("learners", "badges", "ada@example.org", "--after", str(held[2])).stdout == "no more badges\n"
    )
