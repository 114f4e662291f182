"""The schemas, their custom formats, and the words they explain a failed row in."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from jsonschema import Draft202012Validator

from badgebridge.core.migration.files import FILE_NAMES
from badgebridge.core.migration.formats import FORMATS, parse_boolean, parse_date_time
from badgebridge.core.migration.schemas import Problem, load

NOT_ISO = "is not an ISO-8601 date-time like 2016-08-17T08:56:21.000Z"
SCHEMA_NAMES = [name.removesuffix(".csv") for name in FILE_NAMES] + ["learners"]


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_schema_is_valid_draft_2020_12_and_compiles(name):
    text = (
        resources.files("badgebridge.core.migration.schemas")
        .joinpath(f"{name}.schema.json")
        .read_text("utf-8")
    )
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    loaded = load(name)
    assert set(loaded.required) <= set(loaded.columns)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2016-08-17T08:56:21.000Z", None),
        ("1981-01-01T00:00:00.000Z", None),
        ("2038-12-31T23:59:59.999Z", None),
        ("2024-02-29T00:00:00.000Z", None),
        ("1980-12-31T23:59:59.999Z", "'1980-12-31T23:59:59.999Z' is outside the years 1981–2038"),
        ("2039-01-01T00:00:00.000Z", "'2039-01-01T00:00:00.000Z' is outside the years 1981–2038"),
        ("2023-02-29T00:00:00.000Z", "'2023-02-29T00:00:00.000Z' is not a real date and time"),
        ("2023-04-31T00:00:00.000Z", "'2023-04-31T00:00:00.000Z' is not a real date and time"),
        ("2023-01-01T24:00:00.000Z", "'2023-01-01T24:00:00.000Z' is not a real date and time"),
        ("yesterday", f"'yesterday' {NOT_ISO}"),
        ("17/08/2016 08:56", f"'17/08/2016 08:56' {NOT_ISO}"),
        # ISO-8601, but not as ALM writes it: what it lacks, and the value ALM takes
        ("2024-05-01T10:00:00Z", "'2024-05-01T10:00:00Z' needs milliseconds: 2024-05-01T10:00:00.000Z"),
        ("2016-08-17", "'2016-08-17' needs a time and Z (UTC): 2016-08-17T00:00:00.000Z"),
        (
            "2016-08-17T08:56:21.000+00:00",
            "'2016-08-17T08:56:21.000+00:00' needs Z for UTC: 2016-08-17T08:56:21.000Z",
        ),
        (
            "2016-08-17T10:56:21.000+02:00",
            "'2016-08-17T10:56:21.000+02:00' needs the time in UTC, with Z: 2016-08-17T08:56:21.000Z",
        ),
        ("2016-08-17T08:56:21.000", "'2016-08-17T08:56:21.000' needs Z (UTC): 2016-08-17T08:56:21.000Z"),
        (
            "2016-08-17T08:56:21.123456Z",
            "'2016-08-17T08:56:21.123456Z' needs 3 digits of milliseconds: 2016-08-17T08:56:21.123Z",
        ),
        (
            "2016-08-17 08:56Z",
            "'2016-08-17 08:56Z' needs a T between the date and the time and milliseconds: "
            "2016-08-17T08:56:00.000Z",
        ),
        ("2016-08-17T08:56Z", "'2016-08-17T08:56Z' needs seconds and milliseconds: 2016-08-17T08:56:00.000Z"),
        (
            "1980-05-01T10:00:00Z",
            "'1980-05-01T10:00:00Z' needs milliseconds: 1980-05-01T10:00:00.000Z, "
            "and is outside the years 1981–2038",
        ),
        ("2023-02-30T10:00:00Z", "'2023-02-30T10:00:00Z' is not a real date and time"),
    ],
)
def test_alm_date_time(value, problem):
    fmt = FORMATS["alm-date-time"]
    assert fmt.problem(value) == problem
    assert fmt.check(value) is (problem is None)


def test_parsers():
    assert parse_date_time("2016-08-17T08:56:21.123Z").isoformat() == "2016-08-17T08:56:21.123000+00:00"
    assert [parse_boolean(v) for v in ("TRUE", "true", "False", None)] == [True, True, False, False]
    assert FORMATS["alm-boolean"].problem("yes") == "'yes' is not TRUE or FALSE"
    assert [FORMATS["alm-boolean"].check(v) for v in ("TRUE", "fAlse", "yes", "")] == [
        True,
        True,
        False,
        False,
    ]


def test_enumerations_are_read_case_insensitively_and_stored_canonically():
    schema = load("badge")
    assert schema.converters["state"]("ACTIVE") == "Active"
    assert schema.converters["state"]("retired") == "Retired"
    assert schema.converters["state"]("Sleeping") == "Sleeping"


def test_numbers_are_converted_and_text_that_is_not_a_number_is_reported():
    schema = load("skill_level")
    row = {
        "skillId": "S1",
        "levelId": schema.converters["levelId"]("2"),
        "maxCredits": schema.converters["maxCredits"]("2.5"),
    }
    assert row == {"skillId": "S1", "levelId": 2, "maxCredits": 2.5}
    assert schema.problems(row) == []
    bad = {
        "skillId": "S1",
        "levelId": schema.converters["levelId"]("1.5"),
        "maxCredits": schema.converters["maxCredits"]("lots"),
    }
    assert schema.problems(bad) == [
        Problem("levelId", "'1.5' is not a whole number"),
        Problem("maxCredits", "'lots' is not a number"),
    ]
    assert schema.problems({"skillId": "S1", "levelId": 1, "maxCredits": 70000.0}) == [
        Problem("maxCredits", "70000 is out of range (1 to 65535)")
    ]


def test_alternative_columns():
    schema = load("course_instance")
    base = {
        "instanceId": "I1",
        "dateCreated": "2020-01-01T00:00:00.000Z",
        "completionDeadline": "2021-01-01T00:00:00.000Z",
        "name": "n",
        "state": "Active",
    }
    assert schema.problems(base | {"courseId": "C1"}) == []
    assert schema.problems(base | {"almCourseId": "C1"}) == []
    assert schema.problems(base) == [Problem("courseId", "a value is required (or give almCourseId)")]
    assert schema.problems(base | {"courseId": "C1", "almCourseId": "C1"}) == [
        Problem("almCourseId", "give courseId or almCourseId, not both")
    ]


def test_conditional_requirements():
    schema = load("badge")
    base = {
        "id": "B",
        "badgeName": "n",
        "badgeCreationDate": "2020-01-01T00:00:00.000Z",
        "state": "Active",
        "imageUrl": "i",
    }
    assert schema.problems(base) == []
    assert schema.problems(base | {"externalBadgeId": "t1", "externalBadgeProvider": "fake"}) == []
    assert schema.problems(base | {"externalBadgeProvider": "fake"}) == [
        Problem("externalBadgeId", "a value is required when externalBadgeProvider is given")
    ]
