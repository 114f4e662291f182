"""``awards revoke`` from the command line: what it records in the award's history, a badge Credly
revoked or deleted already, a revocation Credly refuses or that cannot reach it, and the awards
that cannot be revoked.

In-process (click's runner), Credly's client routed to the mock app through a transport that can
cut the revocation off, so the mock's state is read directly.
"""

from __future__ import annotations

import json

import httpx
import pytest

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN, create_app
from tests.cli.conftest import connect_default_organization, credly_through

EMAIL = "ada@example.org"


class Credly(httpx.BaseTransport):
    """The mock app; ``unreachable`` names what never reaches it (a refused connection): "issue",
    "revoke"; with ``revocations_refused``, Credly answers a revocation 422 (and 403 once more)."""

    def __init__(self) -> None:
        self.app = httpx.WSGITransport(app=create_app())
        self.unreachable: set[str] = set()
        self.revocations_refused: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        revoking = request.url.path.endswith("/revoke")
        issuing = request.url.path.endswith("/badges") and request.method == "POST"
        if (revoking and "revoke" in self.unreachable) or (issuing and "issue" in self.unreachable):
            raise httpx.ConnectError("connection refused", request=request)
        if revoking and self.revocations_refused:
            return httpx.Response(
                self.revocations_refused.pop(0), json={"data": {"message": "Not revocable"}}
            )
        return self.app.handle_request(request)

    def call(self, method: str, path: str, **kwargs) -> dict:
        """An API call of the test's own, straight to the mock (not through badgebridge)."""
        with httpx.Client(
            transport=self.app, base_url="http://credly.test", auth=(DEFAULT_TOKEN, "")
        ) as client:
            response = client.request(method, f"/v1/organizations/{DEFAULT_ORGANIZATION_ID}{path}", **kwargs)
        response.raise_for_status()
        return response.json()["data"]


@pytest.fixture
def credly():
    with credly_through(Credly()) as transport:
        yield transport


@pytest.fixture
def award(bb, credly) -> dict:
    """An award issued on the mock."""
    connect_default_organization(bb)
    badge = json.loads(bb("badges", "list", "--json"))[0]
    bb("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    bb("awards", "grant", "--badge", badge["id"], "--learner", EMAIL)
    (issued,) = json.loads(bb("awards", "list", "--json"))
    assert issued["state"] == "issued"
    return issued


def history(bb, award_id: int) -> list[dict]:
    return json.loads(bb("awards", "show", str(award_id), "--json"))["history"]


def test_a_revocation_is_in_the_awards_history_with_its_reason(bb, credly, award):
    assert "revoked on the provider" in bb(
        "awards", "revoke", str(award["id"]), "--reason", "Awarded by mistake"
    )

    on_credly = credly.call("GET", f"/badges/{award['provider_badge_id']}")
    assert (on_credly["state"], on_credly["revocation_reason"]) == ("revoked", "Awarded by mistake")
    (revocation,) = [entry for entry in history(bb, award["id"]) if entry["action"] == "revoke"]
    assert (revocation["outcome"], revocation["message"]) == ("revoked", "Awarded by mistake")
    assert "Awarded by mistake" in bb("awards", "show", str(award["id"]))


def test_a_badge_credly_revoked_already_is_recorded_as_revoked_there(bb, credly, award):
    credly.call("PUT", f"/badges/{award['provider_badge_id']}/revoke", json={"reason": "Revoked in Credly"})

    output = bb("awards", "revoke", str(award["id"]), "--reason", "Course withdrawn")
    assert f"Award {award['id']} was revoked on the provider already; recorded as revoked." in output
    shown = json.loads(bb("awards", "show", str(award["id"]), "--json"))
    assert (shown["state"], shown["provider_state"], shown["revoke_reason"]) == (
        "revoked",
        "revoked",
        "Course withdrawn",
    )
    (revocation,) = [entry for entry in shown["history"] if entry["action"] == "revoke"]
    assert (revocation["outcome"], revocation["message"]) == ("remote", "revoked on the provider already")


def test_a_revocation_that_cannot_reach_credly_names_the_award_and_changes_nothing(bb, credly, award):
    credly.unreachable.add("revoke")

    output = bb("awards", "revoke", str(award["id"]), "--reason", "Awarded by mistake", code=1)
    assert output.startswith(f"Error: revoking award {award['id']} on Credly: cannot reach ")
    shown = json.loads(bb("awards", "show", str(award["id"]), "--json"))
    assert (shown["state"], shown["revoke_reason"]) == ("issued", None)
    assert [entry for entry in shown["history"] if entry["action"] == "revoke"] == []
    assert credly.call("GET", f"/badges/{award['provider_badge_id']}")["state"] == "pending"


def test_a_badge_credly_deleted_already_is_recorded_as_revoked_with_the_reason(bb, credly, award):
    credly.call("DELETE", f"/badges/{award['provider_badge_id']}")

    output = bb("awards", "revoke", str(award["id"]), "--reason", "Course withdrawn")
    assert f"Award {award['id']} was deleted on the provider already; recorded as revoked." in output
    shown = json.loads(bb("awards", "show", str(award["id"]), "--json"))
    assert (shown["state"], shown["provider_state"]) == ("revoked", "deleted")


def test_a_revocation_credly_refuses_names_the_award_and_changes_nothing(bb, credly, award):
    credly.revocations_refused = [422, 403]

    for status in (422, 403):  # a refusal (the badge still held there), then no permission
        output = bb("awards", "revoke", str(award["id"]), "--reason", "Awarded by mistake", code=1)
        assert output.startswith(f"Error: revoking award {award['id']} on Credly: "), output
        assert f"(HTTP {status})" in output
    assert json.loads(bb("awards", "show", str(award["id"]), "--json"))["state"] == "issued"


def test_a_revocation_without_a_reason_is_refused(bb, credly, award):
    output = bb("awards", "revoke", str(award["id"]), "--reason", " ", code=1)
    assert output == "Error: a revocation needs a reason\n"
    assert json.loads(bb("awards", "show", str(award["id"]), "--json"))["state"] == "issued"


def test_an_award_not_issued_yet_cannot_be_revoked(bb, credly):
    connect_default_organization(bb)
    badge = json.loads(bb("badges", "list", "--json"))[0]
    bb("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    credly.unreachable.add("issue")
    bb("awards", "grant", "--badge", badge["id"], "--learner", EMAIL, code=1)
    (queued,) = json.loads(bb("awards", "list", "--json"))

    output = bb("awards", "revoke", str(queued["id"]), "--reason", "Awarded by mistake", code=1)
    assert output == f"Error: award {queued['id']} is queued; only issued awards can be revoked\n"
    assert json.loads(bb("awards", "show", str(queued["id"]), "--json"))["state"] == "queued"
