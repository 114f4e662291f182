"""The compiled validator leaves the conditional requirements to ``Condition``: together they accept
exactly the rows the whole schema accepts (``jsonschema``), for every shipped schema."""

from __future__ import annotations

import itertools
from importlib import resources

import pytest

from badgebridge.core.migration import schemas
from badgebridge.core.migration.schemas import load

NAMES = sorted(
    entry.name.removesuffix(".schema.json")
    for entry in resources.files(schemas).iterdir()
    if entry.name.endswith(".schema.json")
)
GIVEN = (None, "TRUE", "true", "FALSE", "x")  # a condition's column: None, it is not given


def _valid(schema, column: str):
    """A value the column accepts (as the row reaches the schema, converted)."""
    spec = schema.schema["properties"][column]
    if spec.get("format") == "alm-date-time":
        return "2024-05-01T10:00:00.000Z"
    if "enum" in spec:
        return spec["enum"][0]
    return {"integer": 1, "number": 1.0}.get(spec.get("type"), "TRUE" if "format" in spec else "v")


def _rows(schema):
    """Rows that give each condition's column in several ways (or not at all), and each column its
    condition requires or not, in every combination; every other required column valid."""
    conditional = sorted({c.column for c in schema.conditions})
    required = sorted({n for c in schema.conditions for n in c.then} - set(conditional))
    base = {column: _valid(schema, column) for column in schema.required}
    choices = [GIVEN] * len(conditional) + [(None, "valid")] * len(required)
    for values in itertools.product(*choices):
        row = dict(base)
        for column, value in zip(conditional + required, values, strict=True):
            if value == "valid":
                row[column] = _valid(schema, column)
            elif value is not None:
                row[column] = value
        yield row


@pytest.mark.parametrize("name", NAMES)
def test_the_fast_path_accepts_what_the_whole_schema_accepts(name):
    schema = load(name)
    verdicts = set()
    for row in _rows(schema):
        whole = schema._validator.is_valid(row)
        assert (schema.problems(row) == []) == whole, row
        verdicts.add(whole)
    if schema.conditions:
        assert verdicts == {True, False}, "the rows tried include valid and invalid ones"


def test_the_grades_and_badges_conditions_are_taken_out_of_the_compiled_schema():
    assert {c.column for c in load("user_course_grade").conditions} == {"started", "completion", "success"}
    assert {c.column for c in load("badge").conditions} == {"externalBadgeId", "externalBadgeProvider"}
