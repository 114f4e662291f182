"""docs/migration-files.md is what the row schemas render, and it lists every column of every file."""

from __future__ import annotations

from pathlib import Path

import pytest

from badgebridge.core.migration import columns
from badgebridge.core.migration.files import FILE_NAMES
from badgebridge.core.migration.schemas import load

PAGE = Path(__file__).resolve().parents[2] / "docs" / "migration-files.md"


def test_the_page_is_what_the_schemas_render():
    assert PAGE.read_text() == columns.render(), (
        "docs/migration-files.md differs from the schemas: "
        "python -m badgebridge.core.migration.columns > docs/migration-files.md"
    )


@pytest.mark.parametrize("name", FILE_NAMES)
def test_every_column_of_every_file_is_on_the_page_with_whether_it_is_required(name):
    schema = load(name.removesuffix(".csv"))
    section = PAGE.read_text().split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
    for column in schema.columns:
        line = next(line for line in section.splitlines() if line.startswith(f"| `{column}` |"))
        assert (f"| `{column}` | required |" in line) == (column in schema.required), line


def test_conditions_and_alternatives_say_when_a_column_is_required():
    page = PAGE.read_text()
    assert "| `startedDate` | when started is TRUE |" in page
    assert "| `externalBadgeProvider` | when externalBadgeId is given |" in page
    assert "| `almCourseId` | exactly one of `courseId` or `almCourseId` |" in page
    assert "| `lastName` | one of `firstName` and `lastName` or `name` |" in page
