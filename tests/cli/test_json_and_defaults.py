"""What scripts rely on: the ``--json`` shape of awards, and the retry defaults the README gives."""

from __future__ import annotations

import json

import httpx
import pytest

from badgebridge.mock_server import create_app
from tests.cli.conftest import connect_default_organization, credly_through

EMAIL = "ada@example.org"


@pytest.fixture
def mock():
    with credly_through(httpx.WSGITransport(app=create_app())):
        yield


def test_awards_list_json_names_every_field(bb, mock):
    connect_default_organization(bb)
    badge = json.loads(bb("badges", "list", "--json"))[0]
    bb("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    bb("awards", "grant", "--badge", badge["id"], "--learner", EMAIL, "--date", "2024-02-03")
    (award,) = json.loads(bb("awards", "list", "--json"))
    assert award["provider_badge_id"] and award["provider_url"].endswith(award["provider_badge_id"])
    assert award == {
        "id": award["id"],
        "learner_email": EMAIL,
        "badge_id": badge["id"],
        "badge_name": badge["name"],
        "reason": "manual",
        "connection": "mock",
        "state": "issued",
        "provider_state": "pending",
        "provider_badge_id": award["provider_badge_id"],
        "provider_url": award["provider_url"],
        "linked": False,
        "error": None,
        "attempts": 1,
        "next_attempt_at": None,
        "earned_at": "2024-02-03T00:00:00.000Z",
        "revoke_reason": None,
    }
    bb("awards", "revoke", str(award["id"]), "--reason", "a test")
    (revoked,) = json.loads(bb("awards", "list", "--json"))
    assert (revoked["state"], revoked["provider_state"], revoked["revoke_reason"]) == (
        "revoked",
        "revoked",
        "a test",
    )


def test_the_retry_defaults_are_the_readmes(bb):
    shown = " ".join(bb("--help").split())
    assert "--retry-base SECONDS" in shown and "[default: 2.0;" in shown
    assert "--max-attempts INTEGER RANGE" in shown and "[default: 12;" in shown


def test_skills_create_refuses_a_name_another_skill_has(bb):
    bb("skills", "create", "Leadership")
    output = bb("skills", "create", "leadership", "--id", "lead-2", code=1)
    assert output == (
        "Error: a skill named 'Leadership' exists already, with id 'leadership': give that id to add "
        "a level to it, or choose another name\n"
    )
    assert "Skill 'leadership' (Leadership) updated: level 2" in bb(
        "skills", "create", "LEADERSHIP", "--level", "2"
    )
