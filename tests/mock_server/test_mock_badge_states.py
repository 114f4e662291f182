"""The mock's badges through their states, as a client sees them: what Credly answers when a badge
cannot move, and what the mock's state holds afterwards."""

from __future__ import annotations


def badge_state(client, badge_id: str) -> str:
    (badge,) = [b for b in client.get("/_mock/state").get_json()["badges"] if b["id"] == badge_id]
    return badge["state"]


def test_revoking_a_revoked_badge_is_refused_by_name(api, client):
    badge = api.issued()
    assert api.put(f"/badges/{badge['id']}/revoke", json={"reason": "Mistake"}).status_code == 200

    again = api.put(f"/badges/{badge['id']}/revoke", json={"reason": "Again"})
    assert again.status_code == 422
    assert again.get_json()["data"]["message"] == (
        f"Validation failed: badge {badge['id']} is revoked and cannot be revoked."
    )
    assert badge_state(client, badge["id"]) == "revoked"
