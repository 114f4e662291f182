"""import_learners: a CSV of learners, validated and reported like a migration file."""

from __future__ import annotations

import pytest

from badgebridge.core.errors import InvalidInput, NotFound
from badgebridge.core.migration import import_learners
from badgebridge.core.services import learners
from tests.migration.alm import read_csv, write_csv


def people(db):
    return [(p.email, p.first_name, p.last_name) for p in learners.list_learners(db)]


def test_learners_import_adds_updates_and_reports(db, tmp_path):
    learners.add(db, "kept@example.org", "Kept", "Same")
    kept_id = learners.get_by_email(db, "kept@example.org").id
    path = write_csv(
        tmp_path,
        "people.csv",
        ["email", "firstName", "lastName", "department"],
        [
            ["Ada@Example.org", "Ada", "Lovelace", "R&D"],
            ["kept@example.org", "Kept", "Same", ""],
            ["not-an-email", "No", "Body", ""],
            ["grace@example.org", "Grace", "", ""],
        ],
    )
    report = import_learners(db, path)
    assert (report.name, report.rows, report.imported, report.unchanged, report.failed) == (
        "people.csv",
        4,
        1,
        1,
        2,
    )
    assert report.errors_path == tmp_path / "people.errors.csv"
    assert read_csv(report.errors_path) == [
        ["email", "firstName", "lastName", "department", "error"],
        ["not-an-email", "No", "Body", "", "row 4, column email: 'not-an-email' is not an email address"],
        ["grace@example.org", "Grace", "", "", "row 5, column lastName: a value is required (or give name)"],
    ]
    assert people(db) == [("ada@example.org", "Ada", "Lovelace"), ("kept@example.org", "Kept", "Same")]
    assert learners.get_by_email(db, "kept@example.org").id == kept_id
    assert learners.get_by_email(db, "ada@example.org").id.startswith("L")

    again = import_learners(db, path)
    assert (again.imported, again.unchanged, again.failed) == (0, 2, 2)


def test_alm_single_name_is_split_at_the_last_space(db, tmp_path):
    learners.add(db, "ada@example.org", "Ada", "Byron")
    path = write_csv(
        tmp_path,
        "users.csv",
        ["name", "email"],
        [
            ["Ada King Lovelace", "ada@example.org"],
            ["Plato", "plato@example.org"],
            ["Grace Hopper", "GRACE@example.org"],
        ],
    )
    errors_dir = tmp_path / "errors"
    report = import_learners(db, path, errors_dir=errors_dir)
    assert (report.imported, report.unchanged, report.failed) == (2, 0, 1)
    assert people(db) == [
        ("ada@example.org", "Ada King", "Lovelace"),
        ("grace@example.org", "Grace", "Hopper"),
    ]
    assert read_csv(errors_dir / "users.errors.csv")[1][-1] == (
        "row 3, column name: 'Plato' is one word; a learner needs a first and a last name"
    )


def test_dry_run_and_missing_header_columns(db, tmp_path):
    path = write_csv(tmp_path, "people.csv", ["email", "firstName"], [["ada@example.org", "Ada"]] * 2)
    with pytest.raises(InvalidInput) as refused:
        import_learners(db, path, dry_run=True)
    assert str(refused.value) == (
        "people.csv: column lastName: required column missing from the header (or give name); "
        "none of its 2 row(s) was read"
    )
    assert not (tmp_path / "people.errors.csv").exists()
    path = write_csv(
        tmp_path, "people.csv", ["email", "firstName", "lastName"], [["ada@example.org", "Ada", "L"]]
    )
    report = import_learners(db, path, dry_run=True)
    assert (report.imported, report.failed, report.errors_path) == (1, 0, None)
    assert people(db) == []
    with pytest.raises(NotFound, match=r"missing\.csv: no such file"):
        import_learners(db, tmp_path / "missing.csv")
