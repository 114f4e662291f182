"""A skill's name is its own: another skill (another id) may not take it, whatever the case."""

from __future__ import annotations

import pytest

from badgebridge.core.errors import InvalidInput
from badgebridge.core.services import skills


def test_a_name_another_skill_has_is_refused_whatever_its_case_and_spaces(db):
    skills.create(db, "Data Science", badge_id=None)
    for name in ("Data Science", "data science", "  DATA SCIENCE "):
        with pytest.raises(
            InvalidInput,
            match=r"a skill named 'Data Science' exists already, with id 'data-science': give that id",
        ):
            skills.create(db, name, badge_id=None, skill_id="ds-2")
    assert [skill.id for skill in skills.list_skills(db)] == ["data-science"]


def test_case_is_ignored_in_letters_beyond_ascii_too(db):
    skills.create(db, "Ärger Management", badge_id=None, skill_id="anger")
    with pytest.raises(InvalidInput, match="exists already, with id 'anger'"):
        skills.create(db, "ärger management", badge_id=None, skill_id="anger-2")


def test_the_same_skill_in_another_case_gets_its_level_and_keeps_its_name(db):
    skills.create(db, "Data Science", badge_id=None)
    skill, outcome = skills.create(db, "DATA SCIENCE", badge_id=None, level=2, max_credits=3)
    assert outcome == "updated"
    assert (skill.id, skill.name) == ("data-science", "Data Science")
    assert [level.level for level in skill.levels] == [1, 2]


def test_another_name_is_free_and_the_id_still_belongs_to_its_skill(db):
    skills.create(db, "Data Science", badge_id=None)
    assert skills.create(db, "Data Engineering", badge_id=None)[1] == "created"
    with pytest.raises(InvalidInput, match="skill id 'data-science' belongs to the skill 'Data Science'"):
        skills.create(db, "Statistics", badge_id=None, skill_id="data-science")
