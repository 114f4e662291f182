"""Provider events in, end to end: the mock Credly on a socket, ``badgebridge events serve`` in its
own process, deliveries shaped as Credly's, and the local awards and catalog checked afterwards.
"""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.events_support import EMAIL, deliver, mock_events, processed, v1, webhook_body

pytestmark = pytest.mark.e2e


def test_an_acceptance_reaches_the_award_and_a_replay_changes_nothing(
    cli, credly_mock, event_receiver, issued_award
):
    org, award = issued_award
    credly_mock.accept(award["provider_badge_id"])
    (accepted,) = mock_events(credly_mock, "badge.state.changed", org["id"])
    deliver(event_receiver, webhook_body(accepted))
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
    deliver(event_receiver, webhook_body(accepted))
    _, replay = processed(cli, 2)
    assert replay["state"] == "ignored" and "handled already" in replay["outcome"]
    (still,) = cli.json("awards", "list")
    assert still == after

    (revoked,) = [
        e for e in mock_events(credly_mock, "badge.state.changed", org["id"]) if e["id"] != accepted["id"]
    ]
    deliver(event_receiver, webhook_body(revoked))
    processed(cli, 3)
    (done,) = cli.json("awards", "list")
    assert (done["state"], done["provider_state"]) == ("revoked", "revoked")
    badges = {b["id"]: b for b in credly_mock.state()["badges"]}
    assert badges[award["provider_badge_id"]]["state"] == "revoked"


def test_unknown_events_and_other_organizations_events_change_nothing(
    cli, credly_mock, event_receiver, issued_award
):
    org, _ = issued_award
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
        event_receiver,
        {
            "id": "4f0c9a8e-0000-4000-8000-000000000000",
            "organization_id": org["id"],
            "event_type": "badge.state.changed",
            "occurred_at": foreign["occurred_at"],
        },
    )
    deliver(event_receiver, webhook_body(foreign))  # says so: another organization
    deliver(event_receiver, webhook_body(foreign) | {"organization_id": org["id"]})  # lies about it
    rows = processed(cli, 3)
    assert [r["state"] for r in rows] == ["ignored", "ignored", "ignored"]
    assert "does not know event" in rows[0]["outcome"]
    assert "another organization" in rows[1]["outcome"]
    assert "does not know event" in rows[2]["outcome"], "our organization's events endpoint has no such event"
    assert cli.json("awards", "list") == before
    assert cli.json("badges", "list")[0]["state"] == "Active"


def test_a_deleted_badge_can_be_issued_again(cli, credly_mock, event_receiver, issued_award):
    org, award = issued_award
    with v1(credly_mock, org["token"]) as api:
        assert (
            api.delete(f"/organizations/{org['id']}/badges/{award['provider_badge_id']}").status_code == 200
        )
    (deleted,) = mock_events(credly_mock, "badge.deleted", org["id"])
    deliver(event_receiver, webhook_body(deleted))
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
    cli, credly_mock, event_receiver, issued_award
):
    answer = httpx.post(f"{event_receiver}/events/nobody", json={"id": "x"}, timeout=30)
    assert answer.status_code == 404
    assert cli.json("events", "list") == []
