"""What ``awards show`` tells about each request a send made (action, outcome, HTTP status, Credly's
message, the worker), and what the commands print when an award is issued or given up.

In-process (click's runner), Credly's client routed to the mock app; the mock's script makes the
issues fail as the test says.
"""

from __future__ import annotations

import json

import httpx
import pytest

from badgebridge.mock_server import create_app
from tests.cli.conftest import connect_default_organization, credly_through

EMAIL = "ada@example.org"


@pytest.fixture
def mock() -> httpx.WSGITransport:
    with credly_through(httpx.WSGITransport(app=create_app())) as transport:
        yield transport


@pytest.fixture
def badge_id(bb, mock) -> str:
    connect_default_organization(bb)
    bb("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    return json.loads(bb("badges", "list", "--json"))[0]["id"]


def script(mock, status: int, times: int = 1) -> None:
    with httpx.Client(transport=mock, base_url="http://credly.test") as control:
        entry = {"operation": "issue_badge", "status": status, "times": times}
        control.post("/_mock/script", json=entry).raise_for_status()


def shown(bb) -> dict:
    (award,) = json.loads(bb("awards", "list", "--json"))
    return json.loads(bb("awards", "show", str(award["id"]), "--json"))


def test_an_unavailable_answer_then_the_issue_are_in_the_history(bb, mock, badge_id):
    script(mock, 503)
    bb("awards", "grant", "--badge", badge_id, "--learner", EMAIL, code=1)
    award = shown(bb)
    (failed,) = award["history"]
    assert (failed["action"], failed["outcome"], failed["status"]) == ("issue", "unavailable", 503)
    assert failed["message"] == award["error"] and failed["message"]
    assert failed["worker"]

    output = bb("awards", "retry", str(award["id"]))
    award = shown(bb)
    assert f"issued on Credly as {award['provider_badge_id']} (pending)" in output
    assert [(a["action"], a["outcome"], a["status"]) for a in award["history"]] == [
        ("issue", "unavailable", 503),
        ("retry", "requeued", None),
        ("lookup", "not_found", None),  # a 503 to a POST may still have created the badge
        ("issue", "issued", None),
    ]


def test_a_refusal_is_in_the_history_with_its_status(bb, mock, badge_id):
    script(mock, 422)
    bb("awards", "grant", "--badge", badge_id, "--learner", EMAIL, code=1)
    award = shown(bb)
    assert award["state"] == "failed"
    assert [(a["action"], a["outcome"], a["status"]) for a in award["history"]] == [("issue", "refused", 422)]


def test_an_award_given_up_says_after_how_many_attempts(bb, mock, badge_id):
    script(mock, 503)
    bb("--max-attempts", "1", "awards", "grant", "--badge", badge_id, "--learner", EMAIL, code=1)
    award = shown(bb)
    assert award["state"] == "failed"
    assert award["error"].endswith(" (gave up after 1 attempts)")


def test_the_worker_counts_its_provider_requests(bb, mock, badge_id, manual_clock):
    bb("awards", "grant", "--badge", badge_id, "--learner", EMAIL)
    bb("learners", "add", "bob@example.org", "--first-name", "Bob", "--last-name", "Builder")
    script(mock, 503)
    bb("awards", "grant", "--badge", badge_id, "--learner", "bob@example.org", code=1)
    script(mock, 503)
    manual_clock.advance(hours=2)

    output = bb("worker", "--once")
    assert "Provider requests: 2 (1 answered, 1 failed, 0 rate-limited = 0.0%)." in output, (
        "a lookup, an issue"
    )
