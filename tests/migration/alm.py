"""Helpers for the migration tests: writing ALM CSVs, reading error files, a complete folder."""

from __future__ import annotations

import csv
from pathlib import Path

from badgebridge.core.services import connections, learners

D = "2020-03-01T12:00:00.000Z"
LATER = "2027-01-01T00:00:00.000Z"
FILE_ORDER = [  # ALM's dependency order: what migrate reads, in the order it reads it
    "badge.csv",
    "skill.csv",
    "skill_level.csv",
    "course.csv",
    "skill_course.csv",
    "course_instance.csv",
    "learning_program.csv",
    "learning_program_course.csv",
    "learning_program_instance.csv",
    "certification.csv",
    "certification_course.csv",
    "user_course_grade.csv",
]
FAKE_SETTINGS = {"account": "acme", "api_key": "secret-key-1234"}

BADGE_HEADER = [
    "id",
    "badgeName",
    "badgeCreationDate",
    "lastModifiedDate",
    "state",
    "imageUrl",
    "externalBadgeId",
    "externalBadgeProvider",
]


def write_csv(
    folder: Path, name: str, header: list[str], rows: list[list[str]], *, bom: bool = False
) -> Path:
    path = folder / name
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as source:
        return list(csv.reader(source))


def connect(db, host, name: str = "c1"):
    return connections.add(db, host, name, "fake", FAKE_SETTINGS)


def add_learners(db) -> None:
    learners.add(db, "ada@example.org", "Ada", "Lovelace")
    learners.add(db, "grace@example.org", "Grace", "Hopper")


def complete_folder(folder: Path) -> Path:
    """Every file migrate reads, in ALM's format (with the extra columns ALM's samples carry).

    Ada completes C1 (instance badge B1) and C2, which together give skill S1 level 1 its 2 credits
    (level badge B4); Grace completes C3, whose instance (named by almCourseId) carries B2.
    """
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(
        folder,
        "badge.csv",
        BADGE_HEADER,
        [
            ["B1", "Course Star", D, "", "Active", "https://img.example.org/b1.png", "", ""],
            ["B2", "Template One", D, D, "ACTIVE", "https://img.example.org/b2.png", "t1", "Fake"],
            ["B3", "Old Template", D, "", "retired", "https://img.example.org/b3.png", "t2", "FAKE"],
            ["B4", "Pythonista", D, "", "Active", "b4.png", "", ""],
            ["B5", "Certified", D, "", "Active", "b5.png", "t3", "fake"],
        ],
    )
    write_csv(
        folder,
        "skill.csv",
        ["id", "skillName", "description", "skillCreationDate", "state", "source"],
        [
            ["S1", "Python", "Writes Python", D, "ACTIVE", "Internal"],
            ["S2", "Data", "", D, "Retired", "Internal"],
        ],
    )
    write_csv(
        folder,
        "skill_level.csv",
        ["skillId", "levelId", "maxCredits", "badgeId"],
        [["S1", "1", "2", "B4"], ["S1", "2", "10.5", ""], ["S2", "1", "1", ""]],
    )
    write_csv(
        folder,
        "course.csv",
        ["id", "courseName", "description", "courseCreationDate", "state", "author", "uniqueLoId"],
        [
            ["C1", "Python 101", "Basics", D, "Published", "author@example.org", "u-1"],
            ["C2", "Python 201", "", D, "published", "author@example.org", "u-2"],
            ["C3", "Old Course", "", D, "RETIRED", "author@example.org", "u-3"],
        ],
    )
    write_csv(
        folder,
        "skill_course.csv",
        ["courseId", "skillId", "levelId", "credits", "assignedBy"],
        [["C1", "S1", "1", "1", "admin"], ["C2", "S1", "1", "1", "admin"], ["C2", "S1", "2", "2.5", "admin"]],
    )
    write_csv(
        folder,
        "course_instance.csv",
        [
            "courseId",
            "almCourseId",
            "instanceId",
            "dateCreated",
            "completionDeadline",
            "name",
            "state",
            "badgeId",
        ],
        [
            ["C1", "", "I1", D, LATER, "Default", "Active", "B1"],
            ["C2", "", "I2", D, LATER, "Default", "active", ""],
            ["", "C3", "I3", D, LATER, "Legacy", "Active", "B2"],
        ],
    )
    write_csv(
        folder,
        "learning_program.csv",
        ["id", "name", "state", "dateAdded", "orderEnforced"],
        [["LP1", "Python Path", "Published", D, "TRUE"]],
    )
    write_csv(
        folder,
        "learning_program_course.csv",
        ["learningProgramId", "courseId", "dateAdded"],
        [["LP1", "C1", D], ["LP1", "C2", D]],
    )
    write_csv(
        folder,
        "learning_program_instance.csv",
        ["instanceId", "learningProgramId", "name", "dateAdded", "deadline", "state", "badgeId", "startDate"],
        [["LPI1", "LP1", "Spring", D, LATER, "Active", "B2", D]],
    )
    write_csv(
        folder,
        "certification.csv",
        ["id", "certificateName", "daysToComplete", "certificationCreationDate", "publishedDate", "badgeId"],
        [["CE1", "Python Certified", "30", D, D, "B5"]],
    )
    write_csv(
        folder,
        "certification_course.csv",
        ["certificationId", "courseId", "dateAdded", "order", "courseInstanceId"],
        [["CE1", "C1", D, "1", "I1"], ["CE1", "C2", D, "2", ""]],
    )
    write_csv(
        folder,
        "user_course_grade.csv",
        [
            "userId",
            "courseId",
            "moduleId",
            "completion",
            "started",
            "success",
            "scoreRaw",
            "scoreMin",
            "scoreMax",
            "startedDate",
            "successDate",
            "completionDate",
            "retrofit",
        ],
        [
            ["ada@example.org", "C1", "M1", "TRUE", "TRUE", "TRUE", "80", "0", "100", D, D, D, "FALSE"],
            ["ADA@example.org", "C2", "M2", "true", "true", "", "", "", "", D, "", D, ""],
            ["grace@example.org", "C1", "M1", "FALSE", "TRUE", "", "", "", "", D, "", "", ""],
            ["grace@example.org", "C3", "M3", "TRUE", "TRUE", "", "", "", "", D, "", D, ""],
        ],
    )
    return folder
