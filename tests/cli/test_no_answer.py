"""An issue request that got no answer at all (a read timeout: no status) may still land on Credly,
so the award waits at least a minute before it is looked up and sent again, however small
``--retry-base`` is.

The command runs in-process (click's runner) so that Credly's client can be routed through a
transport that lets every call reach the mock except the issue, which times out.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import httpx
import pytest

from badgebridge.mock_server import create_app
from tests.cli.conftest import connect_default_organization, credly_through

EMAIL = "ada@example.org"


class IssuesGetNoAnswer(httpx.BaseTransport):
    """The mock app behind httpx's WSGI transport, except that issuing a badge times out."""

    def __init__(self) -> None:
        self.mock = httpx.WSGITransport(app=create_app())
        self.issue_attempts = 0
        self.lookups = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/badges"):
            if request.method == "POST":
                self.issue_attempts += 1
                raise httpx.ReadTimeout("timed out reading Credly's answer", request=request)
            self.lookups += 1
        return self.mock.handle_request(request)


@pytest.fixture
def credly():
    with credly_through(IssuesGetNoAnswer()) as transport:
        yield transport


def test_an_issue_that_got_no_answer_waits_a_minute_before_the_lookup(bb, credly, manual_clock):
    connect_default_organization(bb)
    badge = json.loads(bb("badges", "list", "--json"))[0]
    bb("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    sent_at = manual_clock.now
    assert "did not reach the provider" in bb(
        "awards", "grant", "--badge", badge["id"], "--learner", EMAIL, code=1
    )
    (award,) = json.loads(bb("awards", "list", "--json"))
    assert award["state"] == "queued" and "no answer" in award["error"]
    retry_at = datetime.fromisoformat(award["next_attempt_at"])
    assert sent_at + timedelta(seconds=60) <= retry_at < sent_at + timedelta(seconds=61), (
        "--retry-base 0, yet the wait is a minute"
    )
    assert credly.issue_attempts == 1

    manual_clock.now = retry_at - timedelta(seconds=1)
    assert "nothing was due" in bb("worker", "--once")
    assert (credly.issue_attempts, credly.lookups) == (1, 0)

    manual_clock.now = retry_at
    bb("worker", "--once")
    assert credly.lookups >= 1, "the badge is looked up before it is sent again"
    assert credly.issue_attempts == 2
