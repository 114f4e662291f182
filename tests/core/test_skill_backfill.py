"""Skill credits attached to a course after learners completed it: each completer's credits from the
other courses count once, this course's once (its completion is in the database already), and a
level reached this way is earned at the completion (checked in the database)."""

from __future__ import annotations

import pytest

from badgebridge.core.clock import utcnow
from badgebridge.core.model import ObjectKind
from badgebridge.core.services import awards, catalog, connections, learners, skills
from badgebridge.core.services import learning_objects as objects

COURSE = ObjectKind.COURSE
EMAIL = "ada@example.org"


@pytest.fixture
def badge_id(db, host) -> str:
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(db, host, "c1")
    learners.add(db, EMAIL, "Ada", "Lovelace")
    for course in ("A", "B"):
        objects.add(db, COURSE, course, f"Course {course}")
    return catalog.list_badges(db)[0].id


def test_credits_attached_later_add_to_the_credits_held_from_other_courses(db, badge_id):
    skills.create(db, "Data", badge_id=badge_id, level=1, max_credits=3)
    objects.assign_skill(db, COURSE, "A", "data", 1, 2)
    objects.complete(db, EMAIL, COURSE, "A")
    completed_b = utcnow().replace(year=2024, microsecond=0)
    assert objects.complete(db, EMAIL, COURSE, "B", completed_b) == [], "B grants nothing yet"

    objects.assign_skill(db, COURSE, "B", "data", 1, 1)

    (award,) = awards.list_awards(db, learner=EMAIL)
    assert (award.badge_id, award.reason, award.earned_at.replace(tzinfo=None)) == (
        badge_id,
        "skill_level:data:1",
        completed_b.replace(tzinfo=None),
    )


def test_the_course_given_credits_later_counts_once(db, badge_id):
    skills.create(db, "Data", badge_id=badge_id, level=1, max_credits=3)
    objects.assign_skill(db, COURSE, "A", "data", 1, 1)
    objects.complete(db, EMAIL, COURSE, "A")
    objects.complete(db, EMAIL, COURSE, "B")

    objects.assign_skill(db, COURSE, "B", "data", 1, 1)

    assert awards.list_awards(db, learner=EMAIL) == [], "two credits of three: B's is not counted twice"
