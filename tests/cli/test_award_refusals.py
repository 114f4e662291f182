"""What the awards commands refuse, with the reason they give: a retired badge, an unknown award.

In-process (click's runner), Credly's client routed to the mock app.
"""

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


def test_a_retired_badge_is_not_granted_and_the_refusal_says_why(bb, mock):
    connect_default_organization(bb)
    badge = json.loads(bb("badges", "list", "--json"))[0]
    bb("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    bb("badges", "retire", badge["id"])

    output = bb("awards", "grant", "--badge", badge["id"], "--learner", EMAIL, code=1)
    assert output == f"Error: badge {badge['id']!r} is retired; only active badges are awarded\n"
    assert json.loads(bb("awards", "list", "--json")) == []


def test_an_unknown_award_is_named_and_where_to_find_the_others(bb, mock):
    assert bb("awards", "show", "42", code=1) == "Error: no award with id 42 (awards list shows them)\n"
