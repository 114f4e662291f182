"""A new award's first attempt from the command line: one issue request, no lookup before it (only a
request that may have landed earlier is looked up), and an award waiting for its retry is not
linked to any badge.

In-process (click's runner), Credly's client routed to the mock app through a counting transport.
"""

from __future__ import annotations

import json

import httpx
import pytest

from badgebridge.mock_server import create_app
from badgebridge.plugins.credly import client as credly_client
from tests.cli.conftest import connect_default_organization

EMAIL = "ada@example.org"


class CountingCredly(httpx.BaseTransport):
    """The mock app, counting issues and badge lookups; with ``refuse_issues``, an issue request
    never reaches it (a refused connection: nothing can have been created)."""

    def __init__(self) -> None:
        self.app = httpx.WSGITransport(app=create_app())
        self.refuse_issues = False
        self.issues = 0
        self.lookups = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/badges"):
            if request.method == "POST":
                self.issues += 1
                if self.refuse_issues:
                    raise httpx.ConnectError("connection refused", request=request)
            else:
                self.lookups += 1
        return self.app.handle_request(request)


@pytest.fixture
def credly():
    transport = CountingCredly()
    credly_client.set_transport(transport)
    yield transport
    credly_client.set_transport(None)


@pytest.fixture
def badge_id(bb, credly) -> str:
    connect_default_organization(bb)
    bb("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    return json.loads(bb("badges", "list", "--json"))[0]["id"]


def test_a_new_award_is_issued_with_one_request_and_no_lookup_first(bb, credly, badge_id):
    bb("awards", "grant", "--badge", badge_id, "--learner", EMAIL)

    (award,) = json.loads(bb("awards", "list", "--json"))
    assert (award["state"], award["linked"]) == ("issued", False)
    assert (credly.issues, credly.lookups) == (1, 0)


def test_an_award_whose_issue_never_left_is_retried_without_a_lookup_and_is_not_linked(
    bb, credly, badge_id, manual_clock
):
    credly.refuse_issues = True
    bb("awards", "grant", "--badge", badge_id, "--learner", EMAIL, code=1)

    (award,) = json.loads(bb("awards", "list", "--json"))
    assert (award["state"], award["linked"], award["attempts"]) == ("queued", False, 1)
    assert award["error"]

    credly.refuse_issues = False
    bb("awards", "retry", str(award["id"]))
    (award,) = json.loads(bb("awards", "list", "--json"))
    assert (award["state"], award["linked"]) == ("issued", False)
    assert (credly.issues, credly.lookups) == (2, 0)
