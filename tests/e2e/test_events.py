"""Provider events in, end to end: the mock Credly on a socket, ``badgebridge events serve`` in its
own process, deliveries shaped as Credly's, and the local awards and catalog checked afterwards.
"""

from __future__ import annotations

import subprocess
import time

import httpx
import pytest

from tests.e2e.conftest import BADGEBRIDGE

pytestmark = pytest.mark.e2e

EMAIL = "noor@example.org"
WAIT_SECONDS = 60  # an upper bound on waiting for the receiver, never a speed claim


@pytest.fixture
def receiver(cli):
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
def issued(cli, credly_mock):
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
    """The deliveries once ``count`` of them are processed (handled, ignored or failed)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        rows = cli.json("events", "list")
        if len(rows) >= count and all(r["state"] not in ("received", "processing") for r in rows):
            return rows
        assert time.monotonic() < deadline, f"deliveries still waiting: {rows}"
        time.sleep(0.1)


def v1(credly_mock, token: str) -> httpx.Client:
    return httpx.Client(base_url=f"{credly_mock.url}/v1", auth=(token, ""), timeout=30)


def test_an_acceptance_reaches_the_award_and_a_replay_changes_nothing(cli, credly_mock, receiver, issued):
    org, award = issued
    credly_mock.accept(award["provider_badge_id"])
    (accepted,) = mock_events(credly_mock, "badge.state.changed", org["id"])
    deliver(receiver, webhook_body(accepted))
    (row,) = processed(cli, 1)
    assert (row["state"], row["event_id"], row["event_type"]) == (
        "handled",
        accepted["id"],
        "badge.state.changed",
    )
    (after,) = cli.json("awards", "list")
    assert (after["state"], after["provider_state"]) == ("issued", "accepted")

    # Revoked on Credly behind our back; its event is not delivered. A replay of the acceptance
    # must not act again (the mock's event shows the badge as it is now: revoked).
    with v1(credly_mock, org["token"]) as api:
        path = f"/organizations/{org['id']}/badges/{award['provider_badge_id']}/revoke"
        assert api.put(path, json={"reason": "behind our back"}).status_code == 200
    deliver(receiver, webhook_body(accepted))
    _, replay = processed(cli, 2)
    assert replay["state"] == "ignored" and "handled already" in replay["outcome"]
    (still,) = cli.json("awards", "list")
    assert still == after

    (revoked,) = [
        e for e in mock_events(credly_mock, "badge.state.changed", org["id"]) if e["id"] != accepted["id"]
    ]
    deliver(receiver, webhook_body(revoked))
    processed(cli, 3)
    (done,) = cli.json("awards", "list")
    assert (done["state"], done["provider_state"]) == ("revoked", "revoked")
    badges = {b["id"]: b for b in credly_mock.state()["badges"]}
    assert badges[award["provider_badge_id"]]["state"] == "revoked"


def test_unknown_events_and_other_organizations_events_change_nothing(cli, credly_mock, receiver, issued):
    org, _ = issued
    other = credly_mock.create_organization("Other Org")
    template = credly_mock.create_template(other["id"], "Theirs")
    with v1(credly_mock, other["token"]) as api:
        made = api.post(
            f"/organizations/{other['id']}/badges",
            json={
                "recipient_email": EMAIL,
                "issued_to_first_name": "Noor",
                "issued_to_last_name": "Haddad",
                "badge_template_id": template["id"],
                "issued_at": "2024-01-01 10:00:00 +0000",
            },
        )
        assert made.status_code == 201
    credly_mock.accept(made.json()["data"]["id"])
    (foreign,) = mock_events(credly_mock, "badge.state.changed", other["id"])
    before = cli.json("awards", "list")

    deliver(
        receiver,
        {
            "id": "4f0c9a8e-0000-4000-8000-000000000000",
            "organization_id": org["id"],
            "event_type": "badge.state.changed",
            "occurred_at": foreign["occurred_at"],
        },
    )
    deliver(receiver, webhook_body(foreign))  # says so: another organization
    deliver(receiver, webhook_body(foreign) | {"organization_id": org["id"]})  # lies about it
    rows = processed(cli, 3)
    assert [r["state"] for r in rows] == ["ignored", "ignored", "ignored"]
    assert "does not know event" in rows[0]["outcome"]
    assert "another organization" in rows[1]["outcome"]
    assert "does not know event" in rows[2]["outcome"], "our organization's events endpoint has no such event"
    assert cli.json("awards", "list") == before
    assert cli.json("badges", "list")[0]["state"] == "Active"


def test_a_deleted_badge_can_be_issued_again(cli, credly_mock, receiver, issued):
    org, award = issued
    with v1(credly_mock, org["token"]) as api:
        assert (
            api.delete(f"/organizations/{org['id']}/badges/{award['provider_badge_id']}").status_code == 200
        )
    (deleted,) = mock_events(credly_mock, "badge.deleted", org["id"])
    deliver(receiver, webhook_body(deleted))
    (row,) = processed(cli, 1)
    assert row["state"] == "handled"
    (after,) = cli.json("awards", "list")
    assert (after["state"], after["provider_state"]) == ("failed", "deleted")
    assert credly_mock.state()["badges"] == []

    cli.ok("awards", "retry", str(after["id"]))
    (again,) = cli.json("awards", "list")
    assert (again["state"], again["provider_state"]) == ("issued", "pending")
    (held,) = credly_mock.state()["badges"]
    assert (held["id"], held["recipient_email"], held["state"]) == (
        again["provider_badge_id"],
        EMAIL,
        "pending",
    )
    assert held["id"] != award["provider_badge_id"]


def test_a_delivery_for_an_unknown_connection_is_refused_and_stores_nothing(
    cli, credly_mock, receiver, issued
):
    answer = httpx.post(f"{receiver}/events/nobody", json={"id": "x"}, timeout=30)
    assert answer.status_code == 404
    assert cli.json("events", "list") == []
