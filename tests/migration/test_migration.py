"""run_migration against a real SQLite database with the in-test provider."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from badgebridge.core.migration import MigrationReport, run_migration
from badgebridge.core.model import AwardState, ObjectKind
from badgebridge.core.services import awards
from badgebridge.core.services import learning_objects as learning_objects_service
from badgebridge.core.storage.schema import (
    badges,
    completions,
    learning_objects,
    object_courses,
    object_instances,
    object_skill_credits,
    skill_levels,
    skills,
)
from tests.migration.alm import (
    BADGE_HEADER,
    FILE_ORDER,
    LATER,
    D,
    add_learners,
    complete_folder,
    connect,
    read_csv,
    write_csv,
)


def rows(db, table, *columns):
    with db.begin() as conn:
        query = select(*(table.c[name] for name in columns)).order_by(*(table.c[name] for name in columns))
        return [tuple(row) for row in conn.execute(query)]


def counts(report: MigrationReport) -> dict[str, tuple[int, int, int, int]]:
    return {f.name: (f.rows, f.imported, f.unchanged, f.failed) for f in report.files}


@pytest.fixture
def ready(db, host):
    """A database with the fake provider's connection ``c1`` and two learners."""
    record = connect(db, host)
    add_learners(db)
    return record


def test_a_complete_folder_imports_everything_it_describes(db, host, ready, tmp_path):
    folder = complete_folder(tmp_path / "alm")
    (folder / "enrollment.csv").write_text("userId,courseId,dateEnrolled\n")

    report = run_migration(db, host, folder)

    assert [f.name for f in report.files] == FILE_ORDER
    assert all(f.failed == 0 and f.errors_path is None for f in report.files), report.as_dict()
    assert report.failed == 0 and report.skipped == ["enrollment.csv"]
    assert counts(report)["badge.csv"] == (5, 5, 0, 0)
    assert counts(report)["user_course_grade.csv"] == (4, 3, 1, 0)
    assert not list(folder.glob("*.errors.csv"))

    c1 = ready.id
    assert rows(
        db, badges, "id", "name", "state", "external_badge_id", "external_badge_provider", "connection_id"
    ) == [
        ("B1", "Course Star", "Active", None, None, None),
        ("B2", "Template One", "Active", "t1", "fake", c1),
        ("B3", "Old Template", "Retired", "t2", "fake", c1),
        ("B4", "Pythonista", "Active", None, None, None),
        ("B5", "Certified", "Active", "t3", "fake", c1),
    ]
    assert rows(db, skills, "id", "name", "description", "state") == [
        ("S1", "Python", "Writes Python", "Active"),
        ("S2", "Data", "", "Retired"),
    ]
    assert rows(db, skill_levels, "skill_id", "level", "max_credits", "badge_id") == [
        ("S1", 1, 2.0, "B4"),
        ("S1", 2, 10.5, None),
        ("S2", 1, 1.0, None),
    ]
    assert rows(db, learning_objects, "kind", "id", "name", "state", "badge_id") == [
        ("certification", "CE1", "Python Certified", "Published", "B5"),
        ("course", "C1", "Python 101", "Published", None),
        ("course", "C2", "Python 201", "Published", None),
        ("course", "C3", "Old Course", "Retired", None),
        ("learning_path", "LP1", "Python Path", "Published", None),
    ]
    assert rows(db, object_instances, "kind", "object_id", "id", "state", "badge_id") == [
        ("course", "C1", "I1", "Active", "B1"),
        ("course", "C2", "I2", "Active", None),
        ("course", "C3", "I3", "Active", "B2"),
        ("learning_path", "LP1", "LPI1", "Active", "B2"),
    ]
    assert rows(db, object_courses, "kind", "object_id", "course_id", "position") == [
        ("certification", "CE1", "C1", 1),
        ("certification", "CE1", "C2", 2),
        ("learning_path", "LP1", "C1", None),
        ("learning_path", "LP1", "C2", None),
    ]
    assert rows(db, object_skill_credits, "kind", "object_id", "skill_id", "level", "credits") == [
        ("course", "C1", "S1", 1, 1.0),
        ("course", "C2", "S1", 1, 1.0),
        ("course", "C2", "S1", 2, 2.5),
    ]
    with db.begin() as conn:
        created_on = conn.execute(select(badges.c.created_on).where(badges.c.id == "B1")).scalar_one()
    assert created_on.isoformat() == "2020-03-01T12:00:00+00:00"

    earned = {(a.learner_email, a.badge_id, a.reason, a.state) for a in awards.list_awards(db)}
    assert earned == {
        ("ada@example.org", "B1", "course:C1", AwardState.AWARDED),
        ("ada@example.org", "B4", "skill_level:S1:1", AwardState.AWARDED),
        ("grace@example.org", "B2", "course:C3", AwardState.QUEUED),
    }
    assert sorted(report.award_ids) == sorted(a.id for a in awards.list_awards(db))


def test_a_rerun_imports_nothing_twice_and_changed_rows_update(db, host, ready, tmp_path):
    folder = complete_folder(tmp_path / "alm")
    first = run_migration(db, host, folder)

    again = run_migration(db, host, folder)
    assert {name: c[1] for name, c in counts(again).items()} == dict.fromkeys(FILE_ORDER, 0)
    assert all(f.unchanged == f.rows for f in again.files)
    assert again.award_ids == [] and len(awards.list_awards(db)) == len(first.award_ids) == 3

    write_csv(
        folder,
        "badge.csv",
        BADGE_HEADER,
        [
            ["B1", "Course Star II", D, "", "Active", "https://img.example.org/b1.png", "", ""],
            ["B2", "Template One", D, D, "Active", "https://img.example.org/b2.png", "t1", "fake"],
        ],
    )
    write_csv(
        folder,
        "skill_level.csv",
        ["skillId", "levelId", "maxCredits", "badgeId"],
        [["S1", "1", "2", "B4"], ["S1", "2", "12", ""]],
    )
    changed = run_migration(db, host, folder)
    assert counts(changed)["badge.csv"] == (2, 1, 1, 0)
    assert counts(changed)["skill_level.csv"] == (2, 1, 1, 0)
    assert rows(db, badges, "id", "name")[0] == ("B1", "Course Star II")
    assert ("S1", 2, 12.0) in rows(db, skill_levels, "skill_id", "level", "max_credits")


BROKEN_BADGES = [
    ["G1", "Good One", D, "", "Active", "g1.png", "", ""],
    ["X1", "Bad Date", "yesterday", "", "Active", "x.png", "", ""],
    ["X2", "Too Early", "1980-12-31T23:59:59.999Z", "", "Active", "x.png", "", ""],
    ["X3", "Too Late", "2039-01-01T00:00:00.000Z", "", "Active", "x.png", "", ""],
    ["X4", "A Name Longer Than Allowed", D, "", "Active", "x.png", "", ""],
    ["X5", "Acme Badge", D, "", "Active", "x.png", "a1", "Acme"],
    ["X6", "Missing Template", D, "", "Active", "x.png", "t9", "Fake"],
    ["X7", "Half External", D, "", "Active", "x.png", "t1", ""],
    ["G2", "Good Two", D, "", "RETIRED", "g2.png", "t2", "fake"],
    ["X8", "No Such Day", "2021-02-29T10:00:00.000Z", "", "Sleeping", "", "", ""],
]


def broken_folder(folder):
    folder.mkdir()
    write_csv(folder, "badge.csv", BADGE_HEADER, BROKEN_BADGES)
    write_csv(
        folder,
        "skill.csv",
        ["id", "skillName", "skillCreationDate", "state"],
        [["S1", "Python", D, "active"]],
    )
    write_csv(
        folder, "skill_level.csv", ["skillId", "levelId", "maxCredits"], [["S1", "1", "2"], ["S1", "4", "0"]]
    )
    write_csv(
        folder,
        "course.csv",
        ["id", "courseName", "courseCreationDate", "state", "author"],
        [
            ["C1", "Python 101", D, "PUBLISHED", "a@example.org"],
            ["C2", "Python 201", D, "Draft", "a@example.org"],
        ],
    )
    write_csv(
        folder,
        "skill_course.csv",
        ["courseId", "skillId", "levelId", "credits"],
        [["C1", "S1", "1", "2"], ["C1", "S1", "1", "3"], ["C1", "S1", "2", "1"], ["C1", "S9", "1", "1"]],
    )
    write_csv(
        folder,
        "course_instance.csv",
        ["courseId", "instanceId", "dateCreated", "completionDeadline", "name", "state", "badgeId"],
        [
            ["C1", "I1", D, LATER, "Default", "Active", "G1"],
            ["C1", "I2", D, LATER, "Second", "Active", "X1"],
            ["C9", "I3", D, LATER, "Third", "Active", ""],
        ],
    )
    write_csv(
        folder,
        "learning_program.csv",
        ["id", "name", "state"],
        [["LP1", "Path", "Published"], ["LP2", "Path Two", "Published"]],
    )
    write_csv(
        folder,
        "user_course_grade.csv",
        ["userId", "courseId", "moduleId", "completion", "started", "completionDate", "startedDate"],
        [
            ["ada@example.org", "C1", "M1", "TRUE", "TRUE", D, D],
            ["nobody@example.org", "C1", "M1", "TRUE", "TRUE", D, D],
            ["grace@example.org", "C1", "M1", "TRUE", "TRUE", "", D],
            ["grace@example.org", "C1", "M1", "TRUE", "FALSE", D, ""],
        ],
    )
    return folder


EXPECTED_ERRORS = {
    "badge.errors.csv": [
        [*BADGE_HEADER, "error"],
        [
            *BROKEN_BADGES[1],
            "row 3, column badgeCreationDate: 'yesterday' is not an ISO-8601 date-time like "
            "2016-08-17T08:56:21.000Z",
        ],
        [
            *BROKEN_BADGES[2],
            "row 4, column badgeCreationDate: '1980-12-31T23:59:59.999Z' is outside the years 1981–2038",
        ],
        [
            *BROKEN_BADGES[3],
            "row 5, column badgeCreationDate: '2039-01-01T00:00:00.000Z' is outside the years 1981–2038",
        ],
        [
            *BROKEN_BADGES[4],
            "row 6, column badgeName: 'A Name Longer Than Allowed' has 26 characters, "
            "more than the 25 allowed",
        ],
        [
            *BROKEN_BADGES[5],
            "row 7, column externalBadgeProvider: unknown provider 'Acme'; installed providers: fake",
        ],
        [
            *BROKEN_BADGES[6],
            "row 8, column externalBadgeId: 't9' is not an active badge of connection 'c1' (Fake)",
        ],
        [
            *BROKEN_BADGES[7],
            "row 9, column externalBadgeProvider: a value is required when externalBadgeId is given",
        ],
        [
            *BROKEN_BADGES[9],
            "row 11, column badgeCreationDate: '2021-02-29T10:00:00.000Z' is not a real date and time; "
            "row 11, column state: 'Sleeping' is not one of Active, Retired; "
            "row 11, column imageUrl: a value is required",
        ],
    ],
    "skill_level.errors.csv": [
        ["skillId", "levelId", "maxCredits", "error"],
        [
            "S1", "4", "0",
            "row 3, column levelId: 4 is out of range (1 to 3); "
            "row 3, column maxCredits: 0 is out of range (1 to 65535)",
        ],
    ],
    "course.errors.csv": [
        ["id", "courseName", "courseCreationDate", "state", "author", "error"],
        [
            "C2", "Python 201", D, "Draft", "a@example.org",
            "row 3, column state: 'Draft' is not one of Published, Retired",
        ],
    ],
    "skill_course.errors.csv": [
        ["courseId", "skillId", "levelId", "credits", "error"],
        [
            "C1", "S1", "1", "3",
            "row 3: repeats the key of row 2 (C1, S1, 1); a file gives each key once; "
            "row 3, column credits: 3 is more than the level's maxCredits (2)",
        ],
        ["C1", "S1", "2", "1", "row 4, column levelId: skill 'S1' has no level 2"],
        ["C1", "S9", "1", "1", "row 5, column skillId: no skill 'S9' in this migration or the database"],
    ],
    "course_instance.errors.csv": [
        ["courseId", "instanceId", "dateCreated", "completionDeadline", "name", "state", "badgeId", "error"],
        [
            "C1", "I2", D, LATER, "Second", "Active", "X1",
            "row 3, column badgeId: no badge 'X1' in this migration or the database",
        ],
        [
            "C9", "I3", D, LATER, "Third", "Active", "",
            "row 4, column courseId: no course 'C9' in this migration or the database",
        ],
    ],
    "user_course_grade.errors.csv": [
        ["userId", "courseId", "moduleId", "completion", "started", "completionDate", "startedDate", "error"],
        [
            "nobody@example.org", "C1", "M1", "TRUE", "TRUE", D, D,
            "row 3, column userId: no learner with email 'nobody@example.org' (import learners first)",
        ],
        [
            "grace@example.org", "C1", "M1", "TRUE", "TRUE", "", D,
            "row 4, column completionDate: a value is required when completion is TRUE",
        ],
        [
            "grace@example.org", "C1", "M1", "TRUE", "FALSE", D, "",
            "row 5, column started: must be TRUE when completion is TRUE; "
            "row 5, column startedDate: a value is required when completion is TRUE",
        ],
    ],
}  # fmt: skip


def test_broken_rows_go_to_error_files_and_good_rows_are_imported(db, host, ready, tmp_path):
    folder = broken_folder(tmp_path / "alm")
    errors_dir = tmp_path / "errors"

    report = run_migration(db, host, folder, errors_dir=errors_dir)

    assert counts(report) == {
        "badge.csv": (10, 2, 0, 8),
        "skill.csv": (1, 1, 0, 0),
        "skill_level.csv": (2, 1, 0, 1),
        "course.csv": (2, 1, 0, 1),
        "skill_course.csv": (4, 1, 0, 3),
        "course_instance.csv": (3, 1, 0, 2),
        "learning_program.csv": (0, 0, 0, 0),
        "user_course_grade.csv": (4, 1, 0, 3),
    }
    assert report.failed == 18
    assert report.problems == [
        "learning_program.csv: column dateAdded: required column missing from the header; "
        "none of its 2 row(s) was read"
    ]
    assert {p.name: read_csv(p) for p in errors_dir.iterdir()} == EXPECTED_ERRORS
    assert (
        next(f for f in report.files if f.name == "badge.csv").errors_path == errors_dir / "badge.errors.csv"
    )
    assert not list(folder.glob("*.errors.csv"))
    assert rows(db, badges, "id", "state", "external_badge_provider") == [
        ("G1", "Active", None),
        ("G2", "Retired", "fake"),
    ]
    assert rows(db, learning_objects, "id", "state") == [("C1", "Published")]
    assert len(report.award_ids) == 1  # Ada's completion of C1 earns G1 through instance I1

    again = run_migration(db, host, folder, errors_dir=errors_dir)
    assert {name: (r, i, u, f) for name, (r, i, u, f) in counts(again).items()} == {
        name: (r, 0, r - f, f) for name, (r, _, _, f) in counts(report).items()
    }
    assert {p.name: read_csv(p) for p in errors_dir.iterdir()} == EXPECTED_ERRORS
    assert again.award_ids == []


def test_error_files_default_to_the_input_folder_and_stale_ones_go(db, host, ready, tmp_path):
    folder = tmp_path / "alm"
    folder.mkdir()
    write_csv(folder, "badge.csv", BADGE_HEADER, [BROKEN_BADGES[0], BROKEN_BADGES[1]])
    report = run_migration(db, host, folder)
    assert report.files[0].errors_path == folder / "badge.errors.csv"
    assert report.files[0].errors_path.exists()

    write_csv(folder, "badge.csv", BADGE_HEADER, [BROKEN_BADGES[0]])
    report = run_migration(db, host, folder)
    assert report.failed == 0 and report.files[0].errors_path is None
    assert not (folder / "badge.errors.csv").exists()


def test_dry_run_checks_everything_and_writes_nothing(db, host, ready, tmp_path):
    folder = complete_folder(tmp_path / "alm")
    write_csv(
        folder,
        "skill.csv",
        ["id", "skillName", "skillCreationDate", "state"],
        [["S1", "Python", D, "Active"]],
    )

    report = run_migration(db, host, folder, dry_run=True)

    # later files saw what earlier ones would have created: only S2's level fails (skill.csv lacks S2)
    assert report.dry_run and report.failed == 1
    assert counts(report)["skill_level.csv"] == (3, 2, 0, 1)
    assert counts(report)["user_course_grade.csv"] == (4, 3, 1, 0)
    assert report.award_ids == []
    for table in (badges, skills, skill_levels, learning_objects, object_instances, completions):
        assert rows(db, table, *list(table.primary_key.columns.keys())) == []
    assert awards.list_awards(db) == []
    assert (folder / "skill_level.errors.csv").exists()


def test_an_exception_mid_file_leaves_that_file_unimported(db, host, ready, tmp_path, monkeypatch):
    from badgebridge.core.migration import pipeline, writers

    folder = complete_folder(tmp_path / "alm")
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    real_write = writers.Upsert.write
    calls = []

    def failing_write(self, ctx, keys, values):
        if self.fixed.get("kind") == "course" and self.table is learning_objects:
            calls.append(keys)
            if len(calls) == 2:
                raise RuntimeError("disk on fire")
        return real_write(self, ctx, keys, values)

    monkeypatch.setattr(writers.Upsert, "write", failing_write)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run_migration(db, host, folder)

    assert len(calls) == 2 and calls[0] == [("C1",), ("C2",)]
    assert rows(db, learning_objects, "id") == []  # course.csv: its first batch was rolled back too
    assert len(rows(db, badges, "id")) == 5 and len(rows(db, skill_levels, "skill_id", "level")) == 3


def test_repeated_keys_in_one_batch_and_across_batches(db, host, ready, tmp_path, monkeypatch):
    from badgebridge.core.migration import pipeline

    monkeypatch.setattr(pipeline, "BATCH_SIZE", 3)
    folder = tmp_path / "alm"
    folder.mkdir()
    write_csv(
        folder,
        "badge.csv",
        BADGE_HEADER,
        [
            ["B1", "First", D, "", "Active", "1.png", "", ""],
            ["B2", "Second", D, "", "Active", "2.png", "t1", "fake"],
            ["B1", "First again", D, "", "Active", "1.png", "", ""],
            ["B3", "Third", D, "", "Active", "3.png", "", ""],
            ["B1", "First at last", D, "", "Retired", "1.png", "", ""],
            ["B4", "Fourth", D, "", "Active", "4.png", "t2", "fake"],
            ["B4", "Fourth", D, "", "Active", "4.png", "t2", "fake"],
        ],
    )
    report = run_migration(db, host, folder)
    assert counts(report)["badge.csv"] == (7, 4, 0, 3)
    expected = [
        ("B1", "First", "Active"),
        ("B2", "Second", "Active"),
        ("B3", "Third", "Active"),
        ("B4", "Fourth", "Active"),
    ]
    assert rows(db, badges, "id", "name", "state") == expected
    assert [row[-1] for row in read_csv(folder / "badge.errors.csv")[1:]] == [
        "row 4: repeats the key of row 2 (B1); a file gives each key once",
        "row 6: repeats the key of row 2 (B1); a file gives each key once",
        "row 8: repeats the key of row 7 (B4); a file gives each key once",
    ]
    again = run_migration(db, host, folder)  # a rerun: the same rows fail, nothing changes
    assert counts(again)["badge.csv"] == (7, 0, 4, 3)
    assert rows(db, badges, "id", "name", "state") == expected


def test_completions_award_once_and_a_migrated_instance_badge_backfills(db, host, ready, tmp_path):
    folder = tmp_path / "alm"
    folder.mkdir()
    write_csv(
        folder, "badge.csv", BADGE_HEADER, [["B2", "Template One", D, "", "Active", "b.png", "t1", "Fake"]]
    )
    write_csv(
        folder,
        "course.csv",
        ["id", "courseName", "courseCreationDate", "state", "author"],
        [["C1", "Python 101", D, "Published", "a@example.org"]],
    )
    instance_header = [
        "courseId",
        "instanceId",
        "dateCreated",
        "completionDeadline",
        "name",
        "state",
        "badgeId",
    ]
    write_csv(
        folder, "course_instance.csv", instance_header, [["C1", "I1", D, LATER, "Default", "Active", ""]]
    )
    write_csv(
        folder,
        "user_course_grade.csv",
        ["userId", "courseId", "moduleId", "completion", "started", "completionDate", "startedDate"],
        [
            ["ada@example.org", "C1", "M1", "TRUE", "TRUE", D, D],
            ["grace@example.org", "C1", "M1", "TRUE", "TRUE", D, D],
        ],
    )
    first = run_migration(db, host, folder)
    assert first.award_ids == [] and counts(first)["user_course_grade.csv"] == (2, 2, 0, 0)

    write_csv(
        folder, "course_instance.csv", instance_header, [["C1", "I1", D, LATER, "Default", "Active", "B2"]]
    )
    second = run_migration(db, host, folder)
    assert counts(second)["course_instance.csv"] == (1, 1, 0, 0)
    assert counts(second)["user_course_grade.csv"] == (2, 0, 2, 0)
    held = awards.list_awards(db)
    assert sorted(second.award_ids) == sorted(a.id for a in held)
    assert {(a.learner_email, a.badge_id, a.reason, a.state) for a in held} == {
        ("ada@example.org", "B2", "course:C1", AwardState.QUEUED),
        ("grace@example.org", "B2", "course:C1", AwardState.QUEUED),
    }
    assert all(a.earned_at.isoformat() == "2020-03-01T12:00:00+00:00" for a in held)

    assert run_migration(db, host, folder).award_ids == []
    assert len(awards.list_awards(db)) == 2


def test_skill_level_and_certification_badges_backfill(db, host, ready, tmp_path):
    folder = complete_folder(tmp_path / "alm")
    write_csv(folder, "skill_level.csv", ["skillId", "levelId", "maxCredits"], [["S1", "1", "2"]])
    cert_header = [
        "id",
        "certificateName",
        "daysToComplete",
        "certificationCreationDate",
        "publishedDate",
        "badgeId",
    ]
    write_csv(folder, "certification.csv", cert_header, [["CE1", "Python Certified", "30", D, D, ""]])
    run_migration(db, host, folder)
    assert learning_objects_service.complete(db, "ada@example.org", ObjectKind.CERTIFICATION, "CE1") == []
    assert {a.badge_id for a in awards.list_awards(db)} == {"B1", "B2"}

    write_csv(
        folder, "skill_level.csv", ["skillId", "levelId", "maxCredits", "badgeId"], [["S1", "1", "2", "B4"]]
    )
    write_csv(folder, "certification.csv", cert_header, [["CE1", "Python Certified", "30", D, D, "B5"]])
    report = run_migration(db, host, folder)
    assert counts(report)["skill_level.csv"] == (1, 1, 0, 0)
    assert counts(report)["certification.csv"] == (1, 1, 0, 0)
    new = {
        (a.learner_email, a.badge_id, a.reason) for a in awards.list_awards(db) if a.id in report.award_ids
    }
    assert new == {
        ("ada@example.org", "B4", "skill_level:S1:1"),
        ("ada@example.org", "B5", "certification:CE1"),
    }
    assert len(report.award_ids) == 2


def test_credits_over_the_levels_max_credits_fail_their_row(db, host, ready, tmp_path):
    folder = tmp_path / "alm"
    folder.mkdir()
    write_csv(
        folder, "skill.csv", ["id", "skillName", "skillCreationDate", "state"], [["S1", "Skill", D, "Active"]]
    )
    write_csv(folder, "skill_level.csv", ["skillId", "levelId", "maxCredits"], [["S1", "1", "2"]])
    write_csv(
        folder,
        "course.csv",
        ["id", "courseName", "courseCreationDate", "state", "author"],
        [["C1", "One", D, "Published", "a@example.org"], ["C2", "Two", D, "Published", "a@example.org"]],
    )
    write_csv(
        folder,
        "skill_course.csv",
        ["courseId", "skillId", "levelId", "credits"],
        [["C1", "S1", "1", "2"], ["C2", "S1", "1", "3"]],
    )
    report = run_migration(db, host, folder)
    assert counts(report)["skill_course.csv"] == (2, 1, 0, 1)
    assert read_csv(folder / "skill_course.errors.csv")[1][-1] == (
        "row 3, column credits: 3 is more than the level's maxCredits (2)"
    )


@pytest.mark.parametrize("batch_size", [2000, 2])
def test_completions_in_batches_earn_as_if_recorded_row_by_row(
    db, host, ready, tmp_path, monkeypatch, batch_size
):
    """A level's badge is earned at the completion that brings its credits to maxCredits; a course
    graded in several rows (modules) is completed once, at its first row's date; whether the rows
    share a batch or not."""
    from badgebridge.core.migration import pipeline

    monkeypatch.setattr(pipeline, "BATCH_SIZE", batch_size)
    first, second, third = "2021-01-01T00:00:00.000Z", "2022-01-01T00:00:00.000Z", "2023-01-01T00:00:00.000Z"
    folder = tmp_path / "alm"
    folder.mkdir()
    write_csv(folder, "badge.csv", BADGE_HEADER, [["B1", "Level", D, "", "Active", "b.png", "", ""]])
    write_csv(
        folder, "skill.csv", ["id", "skillName", "skillCreationDate", "state"], [["S1", "S", D, "Active"]]
    )
    write_csv(
        folder, "skill_level.csv", ["skillId", "levelId", "maxCredits", "badgeId"], [["S1", "1", "2", "B1"]]
    )
    write_csv(
        folder,
        "course.csv",
        ["id", "courseName", "courseCreationDate", "state", "author"],
        [[c, c, D, "Published", "a@example.org"] for c in ("C1", "C2", "C3")],
    )
    write_csv(
        folder,
        "skill_course.csv",
        ["courseId", "skillId", "levelId", "credits"],
        [[c, "S1", "1", "1"] for c in ("C1", "C2", "C3")],
    )
    grade = ["userId", "courseId", "moduleId", "completion", "started", "completionDate", "startedDate"]
    write_csv(
        folder,
        "user_course_grade.csv",
        grade,
        [
            ["ada@example.org", "C1", "M1", "TRUE", "TRUE", first, first],
            ["ada@example.org", "C1", "M2", "TRUE", "TRUE", third, third],  # C1 again: unchanged
            ["ada@example.org", "C2", "M1", "TRUE", "TRUE", second, second],  # the second credit
            ["ada@example.org", "C3", "M1", "TRUE", "TRUE", third, third],  # a third: earned already
            ["grace@example.org", "C3", "M1", "FALSE", "TRUE", "", third],
        ],
    )
    report = run_migration(db, host, folder)
    assert counts(report)["user_course_grade.csv"] == (5, 3, 2, 0)
    held = awards.list_awards(db)
    assert [(a.learner_email, a.badge_id, a.reason, a.earned_at.year) for a in held] == [
        ("ada@example.org", "B1", "skill_level:S1:1", 2022)
    ]
    assert report.award_ids == [held[0].id]
    assert rows(db, completions, "learner_id", "object_id", "completed_at")[0][2].year == 2021
    assert run_migration(db, host, folder).award_ids == []
