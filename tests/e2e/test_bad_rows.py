"""Bad rows stay rows (issue 7, item 6): a NUL byte, bytes that are not UTF-8, an oversized field
and a repeated key each fail their own row, located, and the file's other rows go in; on SQLite
and PostgreSQL, through ``migrate`` and ``learners import``, with no traceback."""

from __future__ import annotations

import csv

import pytest

from tests.e2e.conftest import one_line_error
from tests.migration.alm import BADGE_HEADER, D
from tests.races import postgres_schema

pytestmark = pytest.mark.e2e

HUGE = "x" * 200_000  # past the CSV reader's field limit (131,072)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_cli(request, cli):
    if request.param == "sqlite":
        yield cli
    else:
        with postgres_schema() as url:
            cli.env["BADGEBRIDGE_DB"] = url
            yield cli


def badge(badge_id: str, name: str = "Name") -> str:
    return ",".join([badge_id, name, D, "", "Active", "b.png", "", ""])


def errors_of(path) -> list[str]:
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as source:
        return [row[-1] for row in list(csv.reader(source))[1:]]


def test_migrate_keeps_the_good_rows_of_a_file_with_bad_ones(any_db_cli, tmp_path):
    cli = any_db_cli
    folder = tmp_path / "alm"
    folder.mkdir()
    lines = [
        ",".join(BADGE_HEADER),
        badge("B1"),  # row 2
        badge("B2", "Nul\x00Name"),  # row 3
        badge("B3", "Caf\udce9"),  # row 4: byte 0xe9 (latin-1), not UTF-8
        badge("B4", HUGE),  # row 5
        badge("I" * 250),  # row 6: longer than an id may be
        badge("B1", "Again"),  # row 7: repeats row 2
        badge("B5"),  # row 8
    ]
    (folder / "badge.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))

    for _ in range(2):  # a rerun gives the same answer and changes nothing
        result = cli("migrate", str(folder))
        assert one_line_error(result) == (
            "Error: 5 row(s) failed; the error files say which row, column and why (the first: "
            "badge.csv row 3, column badgeName: holds a NUL character (0x00), which is not text)"
        )
        assert "Traceback" not in result.stdout
        assert sorted((b["id"], b["name"]) for b in cli.json("badges", "list")) == [
            ("B1", "Name"),
            ("B5", "Name"),
        ]
        found = errors_of(folder / "badge.errors.csv")
        assert found[0] == "row 3, column badgeName: holds a NUL character (0x00), which is not text"
        assert found[1] == "row 4, column badgeName: not UTF-8 text (byte 0xe9); save the file as CSV UTF-8"
        assert found[2] == "row 5: not readable as CSV: field larger than field limit (131072)"
        assert found[3].startswith("row 6, column id: ") and "200" in found[3]
        assert found[4] == "row 7: repeats the key of row 2 (B1); a file gives each key once"
    raw = (folder / "badge.errors.csv").read_bytes()
    assert b"Caf\xe9" in raw  # the bad bytes as they were


def test_learners_import_keeps_the_good_rows_of_a_file_with_bad_ones(any_db_cli, tmp_path):
    cli = any_db_cli
    path = tmp_path / "people.csv"
    rows = [
        "email,firstName,lastName",
        "ada@example.org,Ada,Lovelace",  # row 2
        "nul@example.org,Nu\x00l,Byte",  # row 3
        "latin@example.org,Jos\udce9,Latin",  # row 4
        f"huge@example.org,{HUGE},Field",  # row 5
        "ADA@example.org,Augusta,King",  # row 6: repeats row 2's email
        "grace@example.org,Grace,Hopper",  # row 7
    ]
    path.write_bytes(("\n".join(rows) + "\n").encode("utf-8", "surrogateescape"))

    for _ in range(2):
        result = cli("learners", "import", str(path))
        assert "4 row(s) failed" in one_line_error(result)
        people = sorted((p["email"], p["first_name"]) for p in cli.json("learners", "list"))
        assert people == [("ada@example.org", "Ada"), ("grace@example.org", "Grace")]
        found = errors_of(tmp_path / "people.errors.csv")
        assert [line.split(":")[0] for line in found] == [
            "row 3, column firstName",
            "row 4, column firstName",
            "row 5",
            "row 6",
        ]
        assert found[3] == "row 6: repeats the key of row 2 (ada@example.org); a file gives each key once"
