"""`badgebridge migrate` on real files: every problem of a row in one line, a header problem once,
located (file, row, column), a non-zero exit; progress drawn on a terminal only."""

from __future__ import annotations

import os
import pty
import subprocess

import pytest

from tests.e2e.conftest import one_line_error
from tests.migration.alm import D, read_csv, write_csv

pytestmark = pytest.mark.e2e

GRADE_HEADER = ["userId", "courseId", "moduleId", "completion", "started", "completionDate", "startedDate"]


@pytest.fixture
def course(cli, tmp_path):
    """A folder with course C1 (migrated first) and the learner Ada."""
    cli.ok("learners", "add", "ada@example.org", "--first-name", "Ada", "--last-name", "Lovelace")
    folder = tmp_path / "alm"
    folder.mkdir()
    write_csv(
        folder,
        "course.csv",
        ["id", "courseName", "courseCreationDate", "state", "author"],
        [["C1", "Python", D, "Published", "a@example.org"]],
    )
    return folder


def test_a_grade_row_with_two_problems_reports_both_in_one_line(cli, course):
    write_csv(
        course,
        "user_course_grade.csv",
        GRADE_HEADER,
        [
            ["ada@example.org", "C1", "M1", "TRUE", "TRUE", D, D],
            ["ada@example.org", "C1", "M2", "TRUE", "FALSE", "2024-05-01T10:00:00Z", ""],
        ],
    )
    result = cli("migrate", str(course))

    both = (
        "row 3, column started: must be TRUE when completion is TRUE; "
        "row 3, column completionDate: '2024-05-01T10:00:00Z' needs milliseconds: 2024-05-01T10:00:00.000Z; "
        "row 3, column startedDate: a value is required when completion is TRUE"
    )
    assert read_csv(course / "user_course_grade.errors.csv")[1] == [
        "ada@example.org", "C1", "M2", "TRUE", "FALSE", "2024-05-01T10:00:00Z", "", both
    ]  # fmt: skip
    assert one_line_error(result) == (
        "Error: 1 row(s) failed; the error files say which row, column and why "
        f"(the first: user_course_grade.csv {both})"
    )
    assert [c["id"] for c in cli.json("learning-objects", "list")] == ["C1"]  # the good rows went in


def test_a_file_missing_a_required_column_is_one_error_and_none_of_its_rows_is_read(cli, course):
    header = [column for column in GRADE_HEADER if column != "courseId"]
    rows = [["ada@example.org", f"M{n}", "TRUE", "TRUE", D, D] for n in range(50)]
    write_csv(course, "user_course_grade.csv", header, rows)
    (course / "user_course_grade.errors.csv").write_text("from an earlier run\n")

    result = cli("migrate", str(course))

    problem = (
        "user_course_grade.csv: column courseId: required column missing from the header; "
        "none of its 50 row(s) was read"
    )
    assert one_line_error(result) == f"Error: {problem}"
    assert result.stdout.count("required column missing") == 1
    assert f"Not read: {problem}" in result.stdout
    assert not (course / "user_course_grade.errors.csv").exists(), "no row was read, so no row failed"
    assert cli.json("learners", "badges", "ada@example.org") == []
    assert [c["id"] for c in cli.json("learning-objects", "list")] == ["C1"], "the other files are read"


def on_a_terminal(cli, *args: str) -> str:
    """What ``badgebridge *args`` writes to a terminal (stdout and stderr on one pseudo-terminal)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [cli.command, *args], stdout=follower, stderr=follower, env=cli.env, cwd=cli.home
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed: the command ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0
    return shown.decode()


@pytest.fixture
def many_grades(cli, course):
    write_csv(
        course,
        "user_course_grade.csv",
        GRADE_HEADER,
        [["ada@example.org", "C1", f"M{n}", "TRUE", "TRUE", D, D] for n in range(5000)],
    )
    return course


def test_a_terminal_sees_each_files_progress(cli, many_grades):
    shown = on_a_terminal(cli, "migrate", str(many_grades))
    assert "user_course_grade.csv" in shown and "5,000 rows" in shown and "rows/s" in shown
    assert "100%" in shown


def test_no_progress_with_quiet_or_without_a_terminal(cli, many_grades):
    quiet = on_a_terminal(cli, "migrate", str(many_grades), "--quiet")
    assert "rows/s" not in quiet and "%" not in quiet
    piped = cli.ok("migrate", str(many_grades))
    assert piped.stderr == "" and "rows/s" not in piped.stdout
