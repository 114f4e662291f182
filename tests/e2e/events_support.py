"""Shared by the event tests: ``badgebridge events serve`` in its own process, an issued award,
Credly-shaped deliveries and waiting for them to be processed."""

from __future__ import annotations

import subprocess
import time

import httpx
import pytest

from badgebridge.core.services import events as event_service
from badgebridge.core.storage import open_database
from tests.e2e.conftest import BADGEBRIDGE

EMAIL = "noor@example.org"
WAIT_SECONDS = 60  # an upper bound on waiting for the receiver, never a speed claim


@pytest.fixture
def event_receiver(cli):
    """``badgebridge events serve`` on a free port; yields its base URL."""
    process = subprocess.Popen(
        [BADGEBRIDGE, "events", "serve", "--port", "0", "--poll", "0.1"],
        env=cli.env,
        cwd=cli.home,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        assert banner.startswith("Receiving provider events at "), banner
        yield banner.split(" at ")[1].split("/events/")[0]
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0, "SIGTERM ends the receiver cleanly"


@pytest.fixture
def issued_award(cli, credly_mock):
    """An organization, connected and imported, with one badge issued to one learner."""
    org = credly_mock.create_organization("Events Org")
    credly_mock.create_template(org["id"], "Speaker")
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("badges", "import", "credly-main")
    (badge,) = cli.json("badges", "list")
    cli.ok("learners", "add", EMAIL, "--first-name", "Noor", "--last-name", "Haddad")
    cli.ok("awards", "grant", "--badge", badge["id"], "--learner", EMAIL)
    (award,) = cli.json("awards", "list")
    assert award["provider_state"] == "pending"
    return org, award


def mock_events(credly_mock, event_type: str, org_id: str) -> list[dict]:
    return [
        e
        for e in credly_mock.state()["events"]
        if e["event_type"] == event_type and e["organization_id"] == org_id
    ]


def webhook_body(event: dict) -> dict:
    """What Credly POSTs: the four fields, nothing else (credly-api.md §4.5)."""
    return {key: event[key] for key in ("id", "organization_id", "event_type", "occurred_at")}


def deliver(receiver: str, body: dict, connection: str = "credly-main") -> None:
    answer = httpx.post(f"{receiver}/events/{connection}", json=body, timeout=30)
    assert answer.status_code == 200, answer.text


def processed(cli, count: int) -> list[dict]:
    """``events list`` once ``count`` deliveries are processed (handled, ignored or failed).

    The wait reads the database directly (a CLI call per poll is slow on a busy machine)."""
    db = open_database(cli.env["BADGEBRIDGE_DB"])
    try:
        until(
            lambda: (
                len(rows := event_service.list_events(db)) >= count
                and all(r.state not in ("received", "processing") for r in rows)
            ),
            f"{count} deliveries to be processed",
        )
    finally:
        db.dispose()
    return cli.json("events", "list")


def v1(credly_mock, token: str) -> httpx.Client:
    return httpx.Client(base_url=f"{credly_mock.url}/v1", auth=(token, ""), timeout=30)


def until(check, what: str):
    """``check()``'s first truthy answer, polled; fails after WAIT_SECONDS (a bound, not a speed claim)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        answer = check()
        if answer:
            return answer
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
