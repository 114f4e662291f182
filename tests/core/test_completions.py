"""What a completion earns: the object's badges (direct or through instances), skill levels by credits."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import InvalidInput, NotFound
from badgebridge.core.model import ObjectKind
from badgebridge.core.services import awards, catalog, connections, learners, skills
from badgebridge.core.services import learning_objects as objects
from badgebridge.core.storage.schema import badges, object_instances

COURSE = ObjectKind.COURSE


@pytest.fixture
def world(db, host):
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(db, host, "c1")
    learners.add(db, "ada@example.org", "Ada", "Lovelace")
    objects.add(db, COURSE, "C1", "Course one")
    objects.add(db, COURSE, "C2", "Course two")
    return {b.external_badge_id: b.id for b in catalog.list_badges(db)}


def _platform_badge(db, badge_id="LOCAL1"):
    now = utcnow()
    with db.begin() as conn:
        conn.execute(
            badges.insert().values(id=badge_id, name="Local", state="Active", created_at=now, updated_at=now)
        )
    return badge_id


def test_instance_badges_are_earned_with_the_object(db, world):
    now = utcnow()
    with db.begin() as conn:
        conn.execute(
            object_instances.insert().values(
                kind=COURSE,
                object_id="C1",
                id="I1",
                name="Default",
                state="Active",
                badge_id=world["t2"],
                created_at=now,
                updated_at=now,
            )
        )
    objects.assign_badge(db, COURSE, "C1", world["t1"])
    new = objects.complete(db, "ada@example.org", COURSE, "C1")
    assert sorted(a.badge_id for a in awards.list_awards(db, ids=new)) == sorted([world["t1"], world["t2"]])


def test_retired_badges_are_not_awarded(db, world):
    objects.assign_badge(db, COURSE, "C1", world["t1"])
    with db.begin() as conn:
        conn.execute(update(badges).where(badges.c.id == world["t1"]).values(state="Retired"))
    assert objects.complete(db, "ada@example.org", COURSE, "C1") == []


def test_platform_only_badge_is_awarded_locally_and_never_queued(db, world):
    local = _platform_badge(db)
    objects.assign_badge(db, COURSE, "C1", local)
    (award_id,) = objects.complete(db, "ada@example.org", COURSE, "C1")
    award = awards.get(db, award_id)
    assert (award.state, award.connection, award.next_attempt_at) == ("awarded", None, None)


def test_skill_levels_sum_credits_across_objects(db, world):
    skills.create(db, "Data", badge_id=world["t1"], level=1, max_credits=2)
    skills.create(db, "Data", badge_id=world["t2"], level=2, max_credits=5)
    objects.assign_skill(db, COURSE, "C1", "data", 1, 1.5)
    objects.assign_skill(db, COURSE, "C2", "data", 1, 0.5)
    objects.assign_skill(db, COURSE, "C2", "data", 2, 2)
    assert objects.complete(db, "ada@example.org", COURSE, "C1") == []
    (award_id,) = objects.complete(db, "ada@example.org", COURSE, "C2")
    award = awards.get(db, award_id)
    assert (award.badge_id, award.reason) == (world["t1"], "skill_level:data:1")


def test_skill_create_validates_and_reports(db, world):
    skill, outcome = skills.create(db, "Data Science", badge_id=world["t1"])
    assert (skill.id, outcome, skill.levels[0].max_credits) == ("data-science", "created", 1)
    assert skills.create(db, "Data Science", badge_id=world["t1"])[1] == "unchanged"
    assert skills.create(db, "Data Science", badge_id=world["t2"])[1] == "updated"
    with pytest.raises(InvalidInput, match="level must be 1, 2 or 3"):
        skills.create(db, "Data Science", badge_id=None, level=4)
    with pytest.raises(NotFound, match="no badge with id 'nope'"):
        skills.create(db, "Other", badge_id="nope")
    with pytest.raises(NotFound, match="has no level 3"):
        objects.assign_skill(db, COURSE, "C1", "data-science", 3, 1)
