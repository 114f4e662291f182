"""Templates created, updated, archived and deleted, on /v1 and through the control API, with events."""

from __future__ import annotations

import pytest

from badgebridge.mock_server import DEFAULT_SEED

PYTHON = DEFAULT_SEED["organizations"][0]["badge_templates"][0]["id"]


def events(client) -> list[tuple[str, str, str]]:
    return [
        (e["event_type"], e["badge_template"]["name"], e["badge_template"]["state"])
        for e in client.get("/_mock/state").get_json()["events"]
        if "badge_template" in e
    ]


def test_create_on_v1_records_badge_template_created(api, client):
    response = api.post(
        "/badge_templates", json={"badge_template": {"name": "Welder", "skills": ["welding"]}}
    )

    assert response.status_code == 201
    made = response.get_json()["data"]
    assert (made["name"], made["state"], made["skills"]) == ("Welder", "active", ["welding"])
    assert made["recommending_templates"] == [] and made["criterion_for"] == []
    assert api.get(f"/badge_templates/{made['id']}").status_code == 200
    assert events(client) == [("badge_template.created", "Welder", "active")]


def test_create_needs_a_name(api):
    response = api.post("/badge_templates", json={"description": "no name"})

    assert response.status_code == 422
    assert response.get_json()["data"]["message"] == "Validation failed: name can't be blank."


def test_update_on_v1_records_the_change_as_it_was(api, client):
    api.put(f"/badge_templates/{PYTHON}", json={"name": "Python I", "unknown": "ignored"})
    api.put(f"/badge_templates/{PYTHON}", json={"name": "Python II"})
    api.put(f"/badge_templates/{PYTHON}", json={"name": "Python II"})

    assert events(client) == [
        ("badge_template.changed", "Python I", "active"),
        ("badge_template.changed", "Python II", "active"),
    ]
    assert api.get(f"/badge_templates/{PYTHON}").get_json()["data"]["name"] == "Python II"


def test_an_invalid_update_is_422_and_changes_nothing(api, client):
    response = api.put(f"/badge_templates/{PYTHON}", json={"state": "retired"})

    assert response.status_code == 422
    assert events(client) == []


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_archive_on_v1_stops_issuing(api, client, method):
    response = api.call(method, f"/badge_templates/{PYTHON}/archive")

    assert response.status_code == 200
    assert response.get_json()["data"]["state"] == "archived"
    assert api.issue().status_code == 422
    assert events(client) == [("badge_template.changed", "Python Fundamentals", "archived")]


def test_delete_on_v1_records_badge_template_deleted_and_keeps_its_badges(api, client):
    badge = api.issued()

    response = api.delete(f"/badge_templates/{PYTHON}")

    assert response.status_code == 200
    assert api.get(f"/badge_templates/{PYTHON}").status_code == 404
    assert api.get(f"/badges/{badge['id']}").get_json()["data"]["badge_template"]["id"] == PYTHON
    assert events(client) == [("badge_template.deleted", "Python Fundamentals", "active")]
    assert api.issue(recipient_email="new@example.org").status_code == 422


def test_the_control_api_edits_archives_and_deletes(client):
    edited = client.patch(
        f"/_mock/badge_templates/{PYTHON}", json={"description": "new", "state": "archived"}
    )
    deleted = client.delete(f"/_mock/badge_templates/{PYTHON}")

    assert edited.status_code == 200
    assert (edited.get_json()["description"], edited.get_json()["state"]) == ("new", "archived")
    assert deleted.status_code == 200
    assert events(client) == [
        ("badge_template.changed", "Python Fundamentals", "archived"),
        ("badge_template.deleted", "Python Fundamentals", "archived"),
    ]
    assert client.patch("/_mock/badge_templates/nope", json={"name": "x"}).status_code == 404
    assert client.delete(f"/_mock/badge_templates/{PYTHON}").status_code == 404


def test_a_bad_control_edit_is_400(client):
    response = client.patch("/_mock/badge_templates/any", json={"colour": "red"})

    assert response.status_code == 400
    assert "colour" in response.get_json()["data"]["message"]
