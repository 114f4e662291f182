"""Concurrent ``badgebridge`` commands on one PostgreSQL database: every badge issued, each once.

Two ``migrate`` runs of completion files at once (each course's badge, and the skill level both
courses' credits reach), then ``assign`` while a ``migrate`` of completions runs; what counts is
what the mock Credly holds afterwards.
"""

from __future__ import annotations

import subprocess
from collections import Counter

import pytest

from tests.e2e.conftest import BADGEBRIDGE
from tests.migration.alm import BADGE_HEADER, D, write_csv
from tests.races import postgres_schema

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

LEARNERS = 25
GRADE_HEADER = ["userId", "courseId", "moduleId", "completion", "started", "completionDate", "startedDate"]


@pytest.fixture
def pg_cli(cli):
    with postgres_schema() as url:
        cli.env["BADGEBRIDGE_DB"] = url
        yield cli


def emails() -> list[str]:
    return [f"learner{k}@example.org" for k in range(LEARNERS)]


def grades(folder, course: str):
    rows = [[who, course, "M1", "TRUE", "TRUE", D, D] for who in emails()]
    folder.mkdir()
    write_csv(folder, "user_course_grade.csv", GRADE_HEADER, rows)
    return folder


def start(cli, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [BADGEBRIDGE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
        cwd=cli.home,
    )


def finish(cli, *processes: subprocess.Popen) -> None:
    for process in processes:
        out, err = process.communicate(timeout=300)
        cli.outputs.append(out + err)
        assert process.returncode == 0, out + err
        assert "Traceback" not in out + err


def held(credly_mock) -> Counter:
    return Counter((b["recipient_email"], b["badge_template"]["name"]) for b in credly_mock.state()["badges"])


@pytest.fixture
def catalog(pg_cli, credly_mock, tmp_path):
    """Badges BA, BB, BC, BL on Credly templates; courses A and B credit skill S1 level 1 (2 credits)."""
    org = credly_mock.create_organization("Race Org")
    ids = {name: credly_mock.create_template(org["id"], name)["id"] for name in ("A", "B", "C", "Level")}
    pg_cli.connect(credly_mock, org["id"], org["token"])
    folder = tmp_path / "catalog"
    folder.mkdir()
    write_csv(
        folder,
        "badge.csv",
        BADGE_HEADER,
        [[f"B{n[0]}", n, D, "", "Active", f"{n}.png", ids[n], "Credly"] for n in ids],
    )
    write_csv(
        folder,
        "skill.csv",
        ["id", "skillName", "skillCreationDate", "state"],
        [["S1", "Racing", D, "Active"]],
    )
    write_csv(
        folder, "skill_level.csv", ["skillId", "levelId", "maxCredits", "badgeId"], [["S1", "1", "2", "BL"]]
    )
    write_csv(
        folder,
        "course.csv",
        ["id", "courseName", "courseCreationDate", "state", "author"],
        [[c, f"Course {c}", D, "Published", "author@example.org"] for c in ("A", "B", "C")],
    )
    write_csv(
        folder,
        "skill_course.csv",
        ["courseId", "skillId", "levelId", "credits"],
        [["A", "S1", "1", "1"], ["B", "S1", "1", "1"]],
    )
    pg_cli.ok("migrate", str(folder))
    people = tmp_path / "learners.csv"
    people.write_text(
        "email,firstName,lastName\n" + "".join(f"{who},Racer,{k}\n" for k, who in enumerate(emails())),
        encoding="utf-8",
    )
    pg_cli.ok("learners", "import", str(people))
    pg_cli.ok("assign", "--badge", "BA", "--course", "A")
    pg_cli.ok("assign", "--badge", "BB", "--course", "B")
    return pg_cli


def test_two_migrations_of_completions_at_once_issue_every_badge_once(catalog, credly_mock, tmp_path):
    first = start(catalog, "migrate", str(grades(tmp_path / "a", "A")))
    second = start(catalog, "migrate", str(grades(tmp_path / "b", "B")))
    finish(catalog, first, second)

    expected = Counter((who, name) for who in emails() for name in ("A", "B", "Level"))
    assert held(credly_mock) == expected
    assert {a["state"] for a in catalog.json("awards", "list")} == {"issued"}
    assert len(catalog.json("awards", "list")) == 3 * LEARNERS


def test_assign_while_a_migration_of_completions_runs_issues_every_badge_once(catalog, credly_mock, tmp_path):
    migration = start(catalog, "migrate", str(grades(tmp_path / "c", "C")))
    assign = start(catalog, "assign", "--badge", "BC", "--course", "C")
    finish(catalog, migration, assign)

    assert held(credly_mock) == Counter((who, "C") for who in emails())
    assert {a["state"] for a in catalog.json("awards", "list")} == {"issued"}
