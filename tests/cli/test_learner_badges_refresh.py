"""``learners badges`` reads each issued badge again from Credly: one it cannot read keeps its stored
state without stopping the others, and revoked badges are not read at all.

In-process (click's runner), Credly's client routed to the mock app through a transport that can
cut off the reads of chosen badges.
"""

from __future__ import annotations

import json

import httpx
import pytest

from badgebridge.mock_server import create_app
from tests.cli.conftest import connect_default_organization, credly_through

EMAIL = "ada@example.org"


class Credly(httpx.BaseTransport):
    """The mock app; a read of a badge in ``unreadable`` never reaches it; ``reads`` counts badge reads."""

    def __init__(self) -> None:
        self.app = httpx.WSGITransport(app=create_app())
        self.unreadable: set[str] = set()
        self.reads = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and "/badges/" in request.url.path:
            self.reads += 1
            if request.url.path.rsplit("/", 1)[-1] in self.unreadable:
                raise httpx.ConnectError("connection refused", request=request)
        return self.app.handle_request(request)

    def accept(self, badge_id: str) -> None:
        """The earner accepts the badge on Credly (the mock's control API)."""
        with httpx.Client(transport=self.app, base_url="http://credly.test") as client:
            client.post(f"/_mock/badges/{badge_id}/accept").raise_for_status()


@pytest.fixture
def credly():
    with credly_through(Credly()) as transport:
        yield transport


@pytest.fixture
def two_awards(bb, credly) -> list[dict]:
    """Two badges issued to the learner on the mock (pending there)."""
    connect_default_organization(bb)
    first, second = json.loads(bb("badges", "list", "--json"))[:2]
    bb("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    for badge in (first, second):
        bb("awards", "grant", "--badge", badge["id"], "--learner", EMAIL)
    awards = json.loads(bb("awards", "list", "--json"))
    assert [award["provider_state"] for award in awards] == ["pending", "pending"]
    return awards


def states(bb) -> dict[int, str]:
    return {row["id"]: row["provider_state"] for row in json.loads(bb("learners", "badges", EMAIL, "--json"))}


def test_a_badge_that_cannot_be_read_keeps_its_state_and_the_next_one_is_read(bb, credly, two_awards):
    first, second = two_awards
    credly.accept(first["provider_badge_id"])
    credly.accept(second["provider_badge_id"])
    credly.unreadable.add(first["provider_badge_id"])

    assert states(bb) == {first["id"]: "pending", second["id"]: "accepted"}
    credly.unreadable.clear()
    assert states(bb) == {first["id"]: "accepted", second["id"]: "accepted"}


def test_a_revoked_badge_is_not_read_again(bb, credly, two_awards):
    first, second = two_awards
    bb("awards", "revoke", str(first["id"]), "--reason", "Awarded by mistake")
    credly.reads = 0

    assert states(bb) == {first["id"]: "revoked", second["id"]: "pending"}
    assert credly.reads == 1, "only the issued badge is read"
