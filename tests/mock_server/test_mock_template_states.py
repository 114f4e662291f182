"""The mock's templates keep their own times and refuse a second template with the same id: what a
client reads back (``updated_at``, ``state_updated_at``, the events) on the mock's manual clock."""

from __future__ import annotations

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_SEED

PYTHON = DEFAULT_SEED["organizations"][0]["badge_templates"][0]["id"]


def template(api) -> dict:
    return api.get(f"/badge_templates/{PYTHON}").get_json()["data"]


def advance(client, seconds: int) -> str:
    response = client.post("/_mock/clock", json={"advance_seconds": seconds})
    assert response.status_code == 200
    return response.get_json()["now"]


def test_an_edit_moves_updated_at_and_only_a_change_of_state_moves_state_updated_at(api, client):
    before = template(api)

    renamed_at = advance(client, 60)
    assert client.patch(f"/_mock/badge_templates/{PYTHON}", json={"name": "Python I"}).status_code == 200
    renamed = template(api)
    assert (renamed["updated_at"], renamed["state_updated_at"]) == (renamed_at, before["state_updated_at"])

    archived_at = advance(client, 60)
    assert client.patch(f"/_mock/badge_templates/{PYTHON}", json={"state": "archived"}).status_code == 200
    archived = template(api)
    assert (archived["state"], archived["updated_at"], archived["state_updated_at"]) == (
        "archived",
        archived_at,
        archived_at,
    )


def test_a_template_added_through_the_control_api_is_dated_now_and_recorded(api, client):
    now = advance(client, 3600)
    added = api.template("Welding")

    shown = api.get(f"/badge_templates/{added['id']}").get_json()["data"]
    assert (shown["created_at"], shown["updated_at"], shown["state_updated_at"]) == (now, now, now)
    recorded = [
        (event["event_type"], event["badge_template"]["id"])
        for event in client.get("/_mock/state").get_json()["events"]
        if "badge_template" in event
    ]
    assert recorded == [("badge_template.created", added["id"])]


def test_a_second_template_with_the_same_id_is_a_conflict(client):
    response = client.post(
        f"/_mock/organizations/{DEFAULT_ORGANIZATION_ID}/badge_templates",
        json={"name": "Again", "id": PYTHON},
    )

    assert response.status_code == 409
    assert response.get_json()["data"]["message"] == f"A badge template with id {PYTHON} already exists."
    assert (
        client.post(
            f"/_mock/organizations/{DEFAULT_ORGANIZATION_ID}/badge_templates",
            json={"name": "Fresh", "id": "fresh-1"},
        ).status_code
        == 201
    )
