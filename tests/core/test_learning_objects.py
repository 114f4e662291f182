"""Attaching a badge to a learning object or one of its instances, and taking it off again."""

from __future__ import annotations

import pytest

from badgebridge.core.errors import NotFound
from badgebridge.core.model import ObjectKind
from badgebridge.core.services import catalog, connections
from badgebridge.core.services import learning_objects as objects
from tests.rows import add_instance

COURSE = ObjectKind.COURSE


@pytest.fixture
def badges(db, host):
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(db, host, "c1")
    objects.add(db, COURSE, "C1", "Intro")
    add_instance(db, COURSE, "C1", "I1")
    return sorted(badge.id for badge in catalog.list_badges(db))


def carried(db) -> tuple[str | None, dict[str, str]]:
    (obj,) = objects.list_objects(db)
    return obj.badge_id, obj.instance_badges


def test_a_badge_goes_on_the_object_or_an_instance_and_comes_off_each(db, badges):
    one, two = badges
    assert objects.assign_badge(db, COURSE, "C1", one) == (True, [])
    assert objects.assign_badge(db, COURSE, "C1", two, instance_id="I1") == (True, [])
    assert objects.assign_badge(db, COURSE, "C1", two, instance_id="I1") == (False, [])
    assert carried(db) == (one, {"I1": two})
    assert objects.detach_badge(db, COURSE, "C1", instance_id="I1") is True
    assert carried(db) == (one, {})
    assert objects.detach_badge(db, COURSE, "C1") is True
    assert objects.detach_badge(db, COURSE, "C1") is False
    assert carried(db) == (None, {})


def test_naming_the_badge_takes_off_only_that_one(db, badges):
    one, two = badges
    objects.assign_badge(db, COURSE, "C1", one)
    objects.assign_badge(db, COURSE, "C1", one, instance_id="I1")
    assert objects.detach_badge(db, COURSE, "C1", two) is False
    assert objects.detach_badge(db, COURSE, "C1", two, instance_id="I1") is False
    assert carried(db) == (one, {"I1": one})
    assert objects.detach_badge(db, COURSE, "C1", one, instance_id="I1") is True
    assert carried(db) == (one, {})


def test_an_unknown_instance_is_named_in_the_error(db, badges):
    for change in (
        lambda: objects.assign_badge(db, COURSE, "C1", badges[0], instance_id="nope"),
        lambda: objects.detach_badge(db, COURSE, "C1", instance_id="nope"),
    ):
        with pytest.raises(NotFound, match="course 'C1' has no instance 'nope'"):
            change()
