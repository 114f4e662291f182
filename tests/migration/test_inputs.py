"""What migrate reads: paths, encodings, headers, row numbers, and the provider checks."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from badgebridge.core.errors import InvalidInput, NotFound
from badgebridge.core.migration import run_migration
from badgebridge.core.model import ProviderBadge
from badgebridge.core.storage.schema import badges
from tests.migration.alm import BADGE_HEADER, D, add_learners, connect, read_csv, write_csv

GOOD = ["B1", "One", D, "", "Active", "1.png", "", ""]
GRADE_HEADER = ["userId", "courseId", "moduleId", "completion", "started", "completionDate", "startedDate"]
EXTERNAL = ["B2", "Two", D, "", "Active", "2.png", "t1", "fake"]


def stored(db):
    with db.begin() as conn:
        return [
            tuple(r) for r in conn.execute(select(badges.c.id, badges.c.connection_id).order_by(badges.c.id))
        ]


def test_path_errors_are_one_line_and_name_the_path(db, host, tmp_path):
    with pytest.raises(NotFound, match=r"nowhere: no such file or folder"):
        run_migration(db, host, tmp_path / "nowhere")
    (tmp_path / "notes.csv").write_text("a,b\n")
    with pytest.raises(
        InvalidInput, match=r"no migration file in the folder \(expected badge.csv, skill.csv"
    ):
        run_migration(db, host, tmp_path)
    with pytest.raises(InvalidInput, match=r"notes.csv: not a migration file badgebridge reads"):
        run_migration(db, host, tmp_path / "notes.csv")
    write_csv(tmp_path, "badge.csv", BADGE_HEADER, [GOOD])
    with pytest.raises(NotFound, match=r"no connection named 'nope'"):
        run_migration(db, host, tmp_path, connection="nope")


def test_one_file_can_be_migrated_alone(db, host, tmp_path):
    write_csv(tmp_path, "badge.csv", BADGE_HEADER, [GOOD])
    write_csv(tmp_path, "course.csv", ["id"], [["C1"]])
    report = run_migration(db, host, tmp_path / "badge.csv")
    assert [f.name for f in report.files] == ["badge.csv"] and report.files[0].imported == 1


def test_a_byte_order_mark_blank_lines_and_header_case_are_accepted(db, host, tmp_path):
    header = [column.upper() if column == "id" else column.lower() for column in BADGE_HEADER]
    path = write_csv(
        tmp_path,
        "badge.csv",
        header,
        [GOOD, [], ["B2", "Two", "bad", "", "Active", "2.png", "", ""]],
        bom=True,
    )
    report = run_migration(db, host, path)
    assert (report.files[0].rows, report.files[0].imported, report.files[0].failed) == (2, 1, 1)
    errors = read_csv(tmp_path / "badge.errors.csv")
    assert errors[0] == [*header, "error"]  # the header as given (the mark is not part of it)
    assert errors[1][-1].startswith("row 4, column badgeCreationDate: 'bad' is not an ISO-8601")


def test_a_line_that_is_not_utf8_fails_its_row_and_the_others_go_in(db, host, tmp_path):
    path = tmp_path / "badge.csv"
    path.write_bytes(
        (",".join(BADGE_HEADER) + "\n" + ",".join(GOOD) + "\nB2,Caf\xe9," + D + ",,Active,x,,\n").encode(
            "latin-1"
        )
    )
    report = run_migration(db, host, path)
    assert (report.files[0].imported, report.files[0].failed) == (1, 1)
    assert stored(db) == [("B1", None)]
    raw = (tmp_path / "badge.errors.csv").read_bytes()
    assert b"B2,Caf\xe9," in raw  # the row as it was, byte for byte
    why = b"row 3, column badgeName: not UTF-8 text (byte 0xe9); save the file as CSV UTF-8"
    assert raw.rstrip().endswith(b'"' + why + b'"')
    path.write_bytes(b"")
    with pytest.raises(InvalidInput, match=r"badge.csv: no header"):
        run_migration(db, host, path)


def test_extra_columns_are_ignored_and_extra_values_are_an_error(db, host, tmp_path):
    header = ["uniqueLoId", *BADGE_HEADER, "source"]
    path = write_csv(
        tmp_path,
        "badge.csv",
        header,
        [["u1", *GOOD, "Internal"], ["u3", "B3", "Three", D, "", "Active", "3.png", "", "", "x", "oops"]],
    )
    report = run_migration(db, host, path)
    assert (report.files[0].imported, report.files[0].failed) == (1, 1)
    assert read_csv(tmp_path / "badge.errors.csv")[1][-1] == "row 3: 11 values, but the header has 10 columns"


def test_a_header_problem_is_the_files_and_no_row_is_read(db, host, tmp_path):
    (tmp_path / "badge.errors.csv").write_text("left by an earlier run\n")
    path = write_csv(tmp_path, "badge.csv", [*BADGE_HEADER, "ID"], [[*GOOD, "B9"], [*EXTERNAL, "B8"]])
    report = run_migration(db, host, path)
    (file,) = report.files
    assert (file.rows, file.imported, file.unchanged, file.failed) == (0, 0, 0, 0)
    assert file.problem == "badge.csv: column id: named twice in the header; none of its 2 row(s) was read"
    assert report.problems == [file.problem] and report.failed == 0
    assert file.errors_path is None and not (tmp_path / "badge.errors.csv").exists()
    assert stored(db) == []

    header = [column for column in BADGE_HEADER if column not in ("state", "imageUrl")]
    path = write_csv(tmp_path, "badge.csv", header, [["B1", "One", D, "", "", ""]] * 3)
    assert run_migration(db, host, path).problems == [
        "badge.csv: column state: required column missing from the header; "
        "column imageUrl: required column missing from the header; none of its 3 row(s) was read"
    ]


def test_external_badges_need_a_connection_of_their_provider(db, host, tmp_path):
    path = write_csv(tmp_path, "badge.csv", BADGE_HEADER, [GOOD, EXTERNAL])
    report = run_migration(db, host, path)
    assert report.files[0].failed == 1
    assert read_csv(tmp_path / "badge.errors.csv")[1][-1] == (
        "row 3, column externalBadgeProvider: no Fake connection; add one first "
        "(connections add NAME --provider fake)"
    )


def test_with_several_connections_the_connection_option_chooses(db, host, tmp_path):
    connect(db, host, "c1")
    second = connect(db, host, "c2")
    path = write_csv(tmp_path, "badge.csv", BADGE_HEADER, [GOOD, EXTERNAL])
    report = run_migration(db, host, path)
    assert read_csv(tmp_path / "badge.errors.csv")[1][-1] == (
        "row 3, column externalBadgeProvider: several Fake connections (c1, c2); choose one with --connection"
    )
    assert report.failed == 1
    report = run_migration(db, host, path, connection="c2")
    assert report.failed == 0 and stored(db) == [("B1", None), ("B2", second.id)]


def test_each_connection_is_asked_once_per_run_and_its_failure_is_reported(db, host, fake, tmp_path):
    class Counting(list):
        calls = 0

        def __iter__(self):
            Counting.calls += 1
            return super().__iter__()

    fake.templates = Counting([ProviderBadge(f"t{i}", f"Template {i}") for i in range(10)])
    connect(db, host)
    rows = [[f"B{i}", "Badge", D, "", "Active", "x.png", f"t{i}", "Fake"] for i in range(10)]
    path = write_csv(tmp_path, "badge.csv", BADGE_HEADER, rows)
    assert run_migration(db, host, path).failed == 0
    assert Counting.calls == 1

    fake.key = "rotated-key-9999"
    report = run_migration(db, host, path)
    assert report.failed == 10 and Counting.calls == 1
    assert read_csv(tmp_path / "badge.errors.csv")[1][-1] == (
        "row 2, column externalBadgeId: cannot check it with connection 'c1' (Fake): Fake refused the key"
    )


def test_a_learner_must_exist_for_their_grades(db, host, tmp_path):
    add_learners(db)
    write_csv(
        tmp_path,
        "course.csv",
        ["id", "courseName", "courseCreationDate", "state", "author"],
        [["C1", "Python", D, "Published", "a@example.org"]],
    )
    write_csv(
        tmp_path,
        "user_course_grade.csv",
        [*GRADE_HEADER, "scoreRaw", "scoreMin", "scoreMax"],
        [
            ["Grace@Example.org", "C1", "M1", "TRUE", "TRUE", D, D, "5", "0", "10"],
            ["ada@example.org", "C1", "M1", "FALSE", "", "", "", "11", "0", "10"],
        ],
    )
    report = run_migration(db, host, tmp_path)
    assert [(f.imported, f.unchanged, f.failed) for f in report.files] == [(1, 0, 0), (1, 0, 1)]
    assert read_csv(tmp_path / "user_course_grade.errors.csv")[1][-1] == (
        "row 3, column scoreRaw: 11 is more than scoreMax (10)"
    )


def test_a_row_failing_the_schema_is_still_checked_against_the_database(db, host, tmp_path):
    add_learners(db)
    write_csv(
        tmp_path,
        "user_course_grade.csv",
        [*GRADE_HEADER, "scoreRaw", "scoreMin", "scoreMax"],
        [["nobody@example.org", "C9", "M1", "TRUE", "TRUE", "2024-05-01", D, "12", "0", "10"]],
    )
    report = run_migration(db, host, tmp_path)
    assert report.failed == 1
    assert read_csv(tmp_path / "user_course_grade.errors.csv")[1][-1] == (
        "row 2, column userId: no learner with email 'nobody@example.org' (import learners first); "
        "row 2, column courseId: no course 'C9' in this migration or the database; "
        "row 2, column completionDate: '2024-05-01' needs a time and Z (UTC): 2024-05-01T00:00:00.000Z; "
        "row 2, column scoreRaw: 12 is more than scoreMax (10)"
    )
