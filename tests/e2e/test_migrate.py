"""`badgebridge migrate` end to end: ALM's CSVs in, badges on the mock out."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.e2e.conftest import one_line_error
from tests.migration.alm import BADGE_HEADER, FILE_ORDER, D, complete_folder, write_csv

pytestmark = pytest.mark.e2e

TEMPLATES = ("Speaker", "Navigator", "Lead", "Certified")


@pytest.fixture
def credly(cli, credly_mock):
    """A connected organization with four active templates and one archived; two learners."""
    org = credly_mock.create_organization("Migration Org")
    ids = {name: credly_mock.create_template(org["id"], name)["id"] for name in TEMPLATES}
    ids["Archived"] = credly_mock.create_template(org["id"], "Archived", state="archived")["id"]
    cli.connect(credly_mock, org["id"], org["token"])
    for email, first, last in (
        ("ada@example.org", "Ada", "Lovelace"),
        ("grace@example.org", "Grace", "Hopper"),
    ):
        cli.ok("learners", "add", email, "--first-name", first, "--last-name", last)
    return ids


def badge_rows(ids):
    return [
        ["B1", "Course Star", D, "", "Active", "https://img.example.org/b1.png", ids["Speaker"], "Credly"],
        ["B2", "Path Finder", D, D, "ACTIVE", "https://img.example.org/b2.png", ids["Navigator"], "credly"],
        ["B3", "Old Badge", D, "", "retired", "https://img.example.org/b3.png", ids["Certified"], "CREDLY"],
        ["B4", "Pythonista", D, "", "Active", "b4.png", ids["Lead"], "Credly"],
        ["B5", "Certified", D, "", "Active", "b5.png", "", ""],
    ]


def summary(stdout: str) -> dict[str, list[str]]:
    """The per-file summary table: name -> [rows, imported, unchanged, failed, errors_path]."""
    lines = [
        line.split() for line in stdout.splitlines() if line.split() and line.split()[0].endswith(".csv")
    ]
    return {cells[0]: cells[1:] for cells in lines}


def held(credly_mock) -> list[tuple[str, str]]:
    return sorted((b["recipient_email"], b["badge_template"]["name"]) for b in credly_mock.state()["badges"])


def test_a_complete_alm_folder_imports_and_issues_its_completions(cli, credly_mock, credly, tmp_path):
    folder = complete_folder(tmp_path / "alm")
    write_csv(folder, "badge.csv", BADGE_HEADER, badge_rows(credly))
    result = cli.ok("migrate", str(folder))
    table = summary(result.stdout)
    assert list(table) == FILE_ORDER
    assert all(cells[3] == "0" for cells in table.values()), table

    badges = {b["id"]: b for b in cli.json("badges", "list")}
    assert (badges["B2"]["external_badge_id"], badges["B2"]["external_badge_provider"]) == (
        credly["Navigator"],
        "credly",
    )
    assert badges["B2"]["connection"] == "credly-main"
    assert (badges["B3"]["state"], badges["B5"]["external_badge_id"], badges["B5"]["connection"]) == (
        "Retired",
        None,
        None,
    )
    skills = {s["id"]: s for s in cli.json("skills", "list")}
    assert skills["S1"]["levels"][0] == {"level": 1, "max_credits": 2.0, "badge_id": "B4"}
    objects = {(o["kind"], o["id"]): o for o in cli.json("learning-objects", "list")}
    assert objects[("course", "C1")]["instance_badges"] == {"I1": "B1"}
    assert objects[("learning_path", "LP1")]["instance_badges"] == {"LPI1": "B2"}
    assert objects[("certification", "CE1")]["badge_id"] == "B5"

    # Ada completed C1 (instance badge B1) and C2 (with C1, the 2 credits of S1 level 1: badge B4);
    # Grace completed C3, whose instance carries B2.
    assert held(credly_mock) == [
        ("ada@example.org", "Lead"),
        ("ada@example.org", "Speaker"),
        ("grace@example.org", "Navigator"),
    ]

    again = summary(cli.ok("migrate", str(folder)).stdout)
    assert all(cells[1] == "0" for cells in again.values()), again
    assert len(held(credly_mock)) == 3, "a rerun issues nothing twice"


def test_broken_rows_are_reported_good_rows_imported_and_a_rerun_adds_nothing(
    cli, credly_mock, credly, tmp_path
):
    folder, errors = tmp_path / "broken", tmp_path / "errors"
    folder.mkdir()
    good = badge_rows(credly)[:2]
    bad = [
        ["X1", "Bad Date", "yesterday", "", "Active", "x.png", "", ""],
        ["X2", "Too Early", "1980-06-01T00:00:00.000Z", "", "Active", "x.png", "", ""],
        ["X3", "A Badge Name Far Too Long For ALM", D, "", "Active", "x.png", "", ""],
        ["X4", "Unknown Provider", D, "", "Active", "x.png", "some-id", "Acme"],
        ["X5", "Not On Credly", D, "", "Active", "x.png", "no-such-template", "Credly"],
        ["X6", "Archived There", D, "", "Active", "x.png", credly["Archived"], "Credly"],
    ]
    write_csv(folder, "badge.csv", BADGE_HEADER, good + bad)
    write_csv(
        folder,
        "course.csv",
        ["id", "courseName", "courseCreationDate", "state", "author"],
        [
            ["C1", "Speaking", D, "Published", "a@example.org"],
            ["C2", "Leading", D, "Published", "a@example.org"],
        ],
    )
    write_csv(
        folder,
        "course_instance.csv",
        ["courseId", "instanceId", "dateCreated", "completionDeadline", "name", "state", "badgeId"],
        [
            ["C1", "I1", D, "2030-01-01T00:00:00.000Z", "Default", "Active", "B1"],
            ["C2", "I2", D, "2030-01-01T00:00:00.000Z", "Default", "Active", "NOPE"],
        ],
    )
    write_csv(
        folder, "learning_program.csv", ["id", "name", "state"], [["LP1", "No date column", "Published"]]
    )
    write_csv(
        folder,
        "user_course_grade.csv",
        ["userId", "courseId", "moduleId", "completion", "started", "completionDate", "startedDate"],
        [
            ["ada@example.org", "C1", "M1", "TRUE", "TRUE", D, D],
            ["nobody@example.org", "C1", "M1", "TRUE", "TRUE", D, D],
        ],
    )

    result = cli("migrate", str(folder), "--errors-dir", str(errors), "--connection", "credly-main")
    assert result.returncode == 1
    assert "row(s) failed" in result.stderr and "Traceback" not in result.stderr
    table = summary(result.stdout)
    assert table["badge.csv"][:4] == ["8", "2", "0", "6"]
    assert table["user_course_grade.csv"][:4] == ["2", "1", "0", "1"]
    assert {b["id"] for b in cli.json("badges", "list")} == {"B1", "B2"}
    assert held(credly_mock) == [("ada@example.org", "Speaker")]

    def errors_of(name):
        with open(errors / name, newline="") as source:
            return {
                row["id"] if "id" in row else row.get("userId") or row.get("courseId"): row["error"]
                for row in csv.DictReader(source)
            }

    badge_errors = errors_of("badge.errors.csv")
    assert set(badge_errors) == {"X1", "X2", "X3", "X4", "X5", "X6"}
    assert badge_errors["X1"].startswith("row 4, column badgeCreationDate: 'yesterday'")
    assert "row 5, column badgeCreationDate" in badge_errors["X2"] and "1981" in badge_errors["X2"]
    assert "row 6, column badgeName" in badge_errors["X3"] and "25" in badge_errors["X3"]
    assert (
        "column externalBadgeProvider: unknown provider 'Acme'; installed providers: credly"
        in badge_errors["X4"]
    )
    assert "row 8, column externalBadgeId: 'no-such-template'" in badge_errors["X5"]
    assert "row 9, column externalBadgeId" in badge_errors["X6"]
    assert "row 3, column badgeId" in errors_of("course_instance.errors.csv")["C2"]
    not_read = (
        "learning_program.csv: column dateAdded: required column missing from the header; "
        "none of its 1 row(s) was read"
    )
    assert f"Not read: {not_read}" in result.stdout and not_read in result.stderr
    assert not (errors / "learning_program.errors.csv").exists()
    assert (
        "row 3, column userId: no learner with email 'nobody@example.org'"
        in errors_of("user_course_grade.errors.csv")["nobody@example.org"]
    )

    rerun = cli("migrate", str(folder), "--errors-dir", str(errors), "--connection", "credly-main")
    assert rerun.returncode == 1
    assert all(cells[1] == "0" for cells in summary(rerun.stdout).values()), "nothing is imported twice"
    assert summary(rerun.stdout)["badge.csv"][:4] == ["8", "0", "2", "6"]
    assert held(credly_mock) == [("ada@example.org", "Speaker")]


def test_dry_run_writes_nothing(cli, credly_mock, credly, tmp_path):
    folder = tmp_path / "dry"
    folder.mkdir()
    write_csv(folder, "badge.csv", BADGE_HEADER, badge_rows(credly))
    result = cli.ok("migrate", str(folder), "--dry-run")
    assert "Dry run: nothing was written to the database." in result.stdout
    assert summary(result.stdout)["badge.csv"][:4] == ["5", "5", "0", "0"]
    assert cli.json("badges", "list") == []


def test_not_a_migration_folder_is_one_line(cli, tmp_path):
    assert "Traceback" not in one_line_error(cli("migrate", str(tmp_path / "missing")))
    empty = tmp_path / "empty"
    empty.mkdir()
    one_line_error(cli("migrate", str(empty)))


def test_learners_import_from_alm_style_csv(cli, tmp_path):
    path = Path(tmp_path / "learners.csv")
    write_csv(
        tmp_path,
        "learners.csv",
        ["email", "name"],
        [["Ada@Example.org", "Ada King Lovelace"], ["bad", "No One"]],
    )
    result = cli("learners", "import", str(path))
    assert result.returncode == 1
    assert [(x["email"], x["first_name"], x["last_name"]) for x in cli.json("learners", "list")] == [
        ("ada@example.org", "Ada King", "Lovelace")
    ]
    assert "row 3, column email" in (tmp_path / "learners.errors.csv").read_text()


def test_no_send_queues_the_completions_awards_for_the_worker(cli, credly_mock, credly, tmp_path):
    folder = complete_folder(tmp_path / "alm")
    write_csv(folder, "badge.csv", BADGE_HEADER, badge_rows(credly))
    result = cli.ok("migrate", str(folder), "--no-send")
    assert "3 new award(s) queued" in result.stdout
    assert held(credly_mock) == [], "nothing reaches the provider before the worker runs"
    assert sorted(a["state"] for a in cli.json("awards", "list")) == ["queued"] * 3

    cli.ok("worker", "--once")
    assert len(held(credly_mock)) == 3
    assert {a["state"] for a in cli.json("awards", "list")} == {"issued"}
