"""The mock's badges through their states, as a client sees them: what Credly answers when a badge
cannot move, and what the mock's state holds afterwards."""

from __future__ import annotations


def held(client, badge_id: str) -> dict:
    """The badge as the mock's state holds it."""
    (badge,) = [b for b in client.get("/_mock/state").get_json()["badges"] if b["id"] == badge_id]
    return badge


def test_revoking_a_revoked_badge_is_refused_by_name(api, client):
    badge = api.issued()
    assert api.put(f"/badges/{badge['id']}/revoke", json={"reason": "Mistake"}).status_code == 200

    again = api.put(f"/badges/{badge['id']}/revoke", json={"reason": "Again"})
    assert again.status_code == 422
    assert again.get_json()["data"]["message"] == (
        f"Validation failed: badge {badge['id']} is revoked and cannot be revoked."
    )
    assert held(client, badge["id"])["state"] == "revoked"


def events_of(client, badge_id: str) -> list[str]:
    return [
        event["event_type"]
        for event in client.get("/_mock/state").get_json()["events"]
        if event.get("badge", {}).get("id") == badge_id
    ]


def test_replacing_a_revoked_badge_records_no_second_revocation(api, client):
    old = api.issued()
    api.put(f"/badges/{old['id']}/revoke", json={"reason": "Mistake"})
    revoked_at = held(client, old["id"])["state_updated_at"]
    client.post("/_mock/clock", json={"advance_seconds": 60})

    new = api.post(f"/badges/{old['id']}/replace", json={})
    assert new.status_code == 201
    assert events_of(client, old["id"]) == ["badge.created", "badge.state.changed"], "revoked once"
    after = held(client, old["id"])
    assert (after["state"], after["state_updated_at"]) == ("revoked", revoked_at)


def test_a_deleted_badge_is_recorded_as_deleted(api, client):
    badge = api.issued()
    assert api.delete(f"/badges/{badge['id']}").status_code == 200
    assert events_of(client, badge["id"]) == ["badge.created", "badge.deleted"]


def test_the_earner_page_lists_the_earners_badges_whatever_the_case_of_the_email(api, client):
    badge = api.issued(recipient_email="Ada.Lovelace@Example.org")
    page = client.get("/earner/ada.lovelace@example.org")
    assert page.status_code == 200
    assert badge["id"] in page.get_data(as_text=True)
