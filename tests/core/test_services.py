"""Connections, catalog and awards against the in-test provider."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from badgebridge.core.errors import AuthenticationFailed, InvalidInput, NotFound
from badgebridge.core.model import AwardState, ProviderBadge
from badgebridge.core.services import awards, catalog, connections, learners
from badgebridge.core.storage.schema import connections as connections_table

GOOD = {"account": "acme", "api_key": "secret-key-1234"}


def test_connection_is_verified_before_it_is_saved(db, host):
    with pytest.raises(AuthenticationFailed, match=r"connection 'c1' \(Fake\): Fake refused the key"):
        connections.add(db, host, "c1", "fake", GOOD | {"api_key": "wrong-key-0000"})
    with db.begin() as conn:
        assert conn.execute(select(connections_table)).all() == []
    record = connections.add(db, host, "c1", "fake", GOOD)
    assert record.account_name == "Account acme"
    assert record.as_dict()["token"] == "***********1234"
    assert "secret-key-1234" not in repr(record.as_dict())


def test_duplicate_connection_name_is_refused(db, host):
    connections.add(db, host, "c1", "fake", GOOD)
    with pytest.raises(InvalidInput, match="exists already"):
        connections.add(db, host, "c1", "fake", GOOD)


def test_update_verifies_the_new_token(db, host, fake):
    connections.add(db, host, "c1", "fake", GOOD)
    with pytest.raises(AuthenticationFailed):
        connections.update_settings(db, host, "c1", {"api_key": "rotated-key-9999"})
    assert connections.get(db, "c1").secrets["api_key"] == "secret-key-1234"
    fake.key = "rotated-key-9999"
    connections.update_settings(db, host, "c1", {"api_key": "rotated-key-9999"})
    assert connections.get(db, "c1").secrets["api_key"] == "rotated-key-9999"


def test_import_adds_updates_and_retires(db, host, fake):
    connections.add(db, host, "c1", "fake", GOOD)
    first = catalog.import_badges(db, host, "c1")
    assert (first.added, first.updated, first.unchanged, first.retired) == (2, 0, 0, 0)
    ids = {b.external_badge_id: b.id for b in catalog.list_badges(db)}
    assert all(badge_id.startswith("fake-") and len(badge_id) == 13 for badge_id in ids.values())

    fake.templates = [ProviderBadge("t1", "Template One, renamed"), ProviderBadge("t3", "Three")]
    second = catalog.import_badges(db, host, "c1")
    assert (second.added, second.updated, second.unchanged, second.retired) == (1, 1, 0, 1)
    by_external = {b.external_badge_id: b for b in catalog.list_badges(db)}
    assert by_external["t1"].id == ids["t1"], "ids are stable across imports"
    assert by_external["t2"].state == "Retired"
    assert by_external["t1"].name == "Template One, renamed"
    assert catalog.import_badges(db, host, "c1").unchanged == 2


def test_remove_refused_while_badges_use_the_connection(db, host):
    connections.add(db, host, "c1", "fake", GOOD)
    catalog.import_badges(db, host, "c1")
    with pytest.raises(InvalidInput, match="still carries 2 badge"):
        connections.remove(db, "c1")


def test_grant_is_stored_once(db, host):
    connections.add(db, host, "c1", "fake", GOOD)
    catalog.import_badges(db, host, "c1")
    learners.add(db, "Ada@Example.org", "Ada", "Lovelace")
    badge_id = catalog.list_badges(db)[0].id
    award, created = awards.grant(db, badge_id, "ada@example.org")
    again, created_again = awards.grant(db, badge_id, "ADA@example.org ")
    assert (created, created_again) == (True, False)
    assert award.id == again.id
    assert award.state == AwardState.QUEUED
    assert len(awards.list_awards(db)) == 1


def test_grant_of_unknown_badge_or_learner_is_not_found(db, host):
    learners.add(db, "ada@example.org", "Ada", "Lovelace")
    with pytest.raises(NotFound, match="no badge with id 'nope'"):
        awards.grant(db, "nope", "ada@example.org")
    with pytest.raises(NotFound, match="no learner with email"):
        awards.grant(db, "nope", "bob@example.org")


def test_learner_add_reports_what_changed(db):
    assert learners.add(db, "ada@example.org", "Ada", "Lovelace")[1] == "added"
    assert learners.add(db, "ada@example.org", "Ada", "Lovelace")[1] == "unchanged"
    assert learners.add(db, "ada@example.org", "Ada", "King")[1] == "updated"
    with pytest.raises(InvalidInput, match="not an email"):
        learners.add(db, "ada", "Ada", "Lovelace")
