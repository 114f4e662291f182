"""A 503 with ``Retry-After`` from the command line: the award waits at least that long, and at most
a fifth longer (jitter), whatever ``--retry-base`` says; the attempt counts.

In-process (click's runner), Credly's client routed to the mock app; the mock's script answers
the issues 503 with ``Retry-After: 30``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import httpx
import pytest

from badgebridge.mock_server import create_app
from tests.cli.conftest import connect_default_organization, credly_through

LEARNERS = [f"learner{n}@example.org" for n in range(4)]


@pytest.fixture
def mock() -> httpx.WSGITransport:
    with credly_through(httpx.WSGITransport(app=create_app())) as transport:
        yield transport


def test_a_503_with_retry_after_waits_that_long_and_at_most_a_fifth_more(bb, mock, manual_clock):
    connect_default_organization(bb)
    badge = json.loads(bb("badges", "list", "--json"))[0]
    with httpx.Client(transport=mock, base_url="http://credly.test") as control:
        script = {"operation": "issue_badge", "status": 503, "retry_after": 30, "times": len(LEARNERS)}
        control.post("/_mock/script", json=script).raise_for_status()
    for email in LEARNERS:
        bb("learners", "add", email, "--first-name", "Ada", "--last-name", "Lovelace")
        bb("awards", "grant", "--badge", badge["id"], "--learner", email, code=1)

    queued = json.loads(bb("awards", "list", "--json"))
    assert [(award["state"], award["attempts"]) for award in queued] == [("queued", 1)] * len(LEARNERS)
    for award in queued:
        waited = datetime.fromisoformat(award["next_attempt_at"]) - manual_clock.now
        assert timedelta(seconds=30) <= waited <= timedelta(seconds=36), award
