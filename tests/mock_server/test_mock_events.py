"""Events: what is recorded, and how GET /events and /events/<id> show it."""

from __future__ import annotations

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID


def events(api, **query) -> list[dict]:
    response = api.get("/events", query_string=query)
    assert response.status_code == 200
    return response.get_json()["data"]


def test_a_fresh_mock_has_no_events(api):
    assert events(api) == []


def test_each_change_records_one_event_in_order(api, client):
    template = api.template("Mentor")
    accepted = api.issued()
    rejected = api.issued(recipient_email="grace@example.org")
    client.post(f"/_mock/badges/{accepted['id']}/accept")
    client.post(f"/_mock/badges/{rejected['id']}/reject")
    api.put(f"/badges/{accepted['id']}/revoke", json={"reason": "left"})
    api.call("DELETE", f"/badges/{rejected['id']}")

    seen = [(e["event_type"], (e.get("badge") or e.get("badge_template"))["id"]) for e in events(api)]

    assert seen == [
        ("badge_template.created", template["id"]),
        ("badge.created", accepted["id"]),
        ("badge.created", rejected["id"]),
        ("badge.state.changed", accepted["id"]),
        ("badge.state.changed", rejected["id"]),
        ("badge.state.changed", accepted["id"]),
        ("badge.deleted", rejected["id"]),
    ]


def test_a_badge_event_carries_the_webhook_fields_and_the_badge(api):
    badge = api.issued()
    listed = events(api)[0]

    body = api.get(f"/events/{listed['id']}/").get_json()

    event = body["data"]
    assert event["id"] == listed["id"]
    assert event["organization_id"] == DEFAULT_ORGANIZATION_ID
    assert event["event_type"] == "badge.created"
    assert event["occurred_at"].endswith("Z") and len(event["occurred_at"]) == 24
    assert event["badge"]["id"] == badge["id"]
    assert "badge_template" not in event


def test_a_template_event_carries_the_template_with_its_owner(api):
    template = api.template("Mentor", description="Guides newcomers")
    event_id = events(api)[0]["id"]

    event = api.get(f"/events/{event_id}").get_json()["data"]

    shown = event["badge_template"]
    assert (shown["id"], shown["name"], shown["state"], shown["description"]) == (
        template["id"],
        "Mentor",
        "active",
        "Guides newcomers",
    )
    assert shown["owner"]["id"] == DEFAULT_ORGANIZATION_ID
    assert shown["image_url"]


def test_a_deleted_badge_still_shows_in_its_events(api):
    badge = api.issued()
    api.call("DELETE", f"/badges/{badge['id']}")

    deleted = events(api, filter="event_type::badge.deleted")

    assert [e["badge"]["id"] for e in deleted] == [badge["id"]]


def test_events_filter_sort_and_paginate(api):
    for n in range(3):
        api.issued(recipient_email=f"learner{n}@example.org")
    api.template("Mentor")

    created = events(api, filter="event_type::badge.created", sort="-occurred_at")
    page = api.get("/events", query_string={"per": 2}).get_json()

    assert [e["badge"]["recipient_email"] for e in created] == [f"learner{n}@example.org" for n in (2, 1, 0)]
    assert (page["metadata"]["total_count"], page["metadata"]["total_pages"], page["metadata"]["count"]) == (
        4,
        2,
        2,
    )


def test_an_unknown_event_is_404(api):
    response = api.get("/events/nope")

    assert response.status_code == 404
    assert response.get_json() == {"data": {"message": "Event nope not found."}}


def test_events_of_another_organization_are_hidden(api):
    other = api.organization()
    api.template("Theirs", org_id=other["id"])
    theirs = api.get(f"/v1/organizations/{other['id']}/events", token=other["token"]).get_json()["data"]

    assert events(api) == []
    assert len(theirs) == 1
    assert api.get(f"/events/{theirs[0]['id']}").status_code == 404
