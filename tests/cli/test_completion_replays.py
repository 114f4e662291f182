"""``badgebridge complete`` from the command line: a completion of an object that does not exist is
refused with its name, and a second completion of the same object (another date) changes nothing.
"""

from __future__ import annotations

import json

import pytest

EMAIL = "ada@example.org"


@pytest.mark.parametrize(("option", "label"), [("--course", "course"), ("--learning-path", "learning path")])
def test_completing_an_unknown_object_is_refused_with_its_kind_and_id(bb, option, label):
    bb("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")

    output = bb("complete", EMAIL, option, "nope", code=1)
    assert output == f"Error: no {label} with id 'nope' (learning-objects list shows them)\n"


def test_a_second_completion_of_the_same_course_changes_nothing(bb):
    bb("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    bb("learning-objects", "add", "--course", "c1", "--name", "Course One")
    assert bb("complete", EMAIL, "--course", "c1", "--date", "2024-01-02") == (
        f"Recorded: {EMAIL} completed course 'c1'.\nNo new awards.\n"
    )

    again = bb("complete", EMAIL, "--course", "c1", "--date", "2024-03-04")
    assert again == f"{EMAIL} had completed course 'c1' already; nothing changed.\n"
    assert json.loads(bb("awards", "list", "--json")) == []
