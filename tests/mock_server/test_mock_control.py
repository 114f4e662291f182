"""The control API under /_mock: its exact shapes, validation, reset and the earner's actions."""

from __future__ import annotations

import pytest

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_SEED, DEFAULT_TOKEN, create_app


def test_create_organization_returns_id_name_and_a_working_token(api, client):
    response = client.post("/_mock/organizations", json={"name": "Bars Org"})

    assert response.status_code == 201
    org = response.get_json()
    assert set(org) == {"id", "name", "token"}
    assert org["name"] == "Bars Org"
    assert org["token"] != DEFAULT_TOKEN
    shown = api.get(f"/v1/organizations/{org['id']}", token=org["token"]).get_json()["data"]
    assert (shown["id"], shown["name"]) == (org["id"], "Bars Org")


def test_create_organization_with_a_chosen_id_and_token(api, client):
    response = client.post("/_mock/organizations", json={"name": "Fixed", "id": "org-1", "token": "tok-1"})

    assert response.get_json() == {"id": "org-1", "name": "Fixed", "token": "tok-1"}
    assert api.get("/v1/organizations/org-1", token="tok-1").status_code == 200


@pytest.mark.parametrize(
    "body",
    [{"name": "Again", "id": DEFAULT_ORGANIZATION_ID}, {"name": "Again", "token": DEFAULT_TOKEN}],
)
def test_reusing_an_organization_id_or_token_is_409(client, body):
    response = client.post("/_mock/organizations", json=body)

    assert response.status_code == 409
    assert response.get_json()["data"]["message"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({}, "name is required"),
        ({"name": ""}, "name:"),
        ({"name": 7}, "name:"),
        ({"name": "X", "colour": "red"}, "colour: is not a known field"),
    ],
)
def test_a_bad_organization_body_is_400_naming_the_field(client, body, named):
    response = client.post("/_mock/organizations", json=body)

    assert response.status_code == 400
    assert named in response.get_json()["data"]["message"]


@pytest.mark.parametrize("raw", ["[1, 2]", "not json", '"name"'])
def test_a_body_that_is_not_a_json_object_is_400(client, raw):
    response = client.post("/_mock/organizations", data=raw, content_type="application/json")

    assert response.status_code == 400
    assert response.get_json() == {"data": {"message": "The body must be a JSON object."}}


def test_create_template_returns_the_bare_template_as_v1_shows_it(api, client):
    response = client.post(
        f"/_mock/organizations/{DEFAULT_ORGANIZATION_ID}/badge_templates",
        json={"name": "Mentor", "description": "Guides newcomers", "allow_duplicate_badges": True},
    )

    assert response.status_code == 201
    template = response.get_json()
    assert "data" not in template
    assert (template["name"], template["state"], template["description"]) == (
        "Mentor",
        "active",
        "Guides newcomers",
    )
    assert template["allow_duplicate_badges"] is True
    assert template["owner"]["id"] == DEFAULT_ORGANIZATION_ID
    assert api.get(f"/badge_templates/{template['id']}").get_json()["data"] == template


@pytest.mark.parametrize("state", ["active", "archived", "draft"])
def test_create_template_in_each_state(api, state):
    assert api.template(f"In {state}", state=state)["state"] == state


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({}, "name is required"),
        ({"name": "X", "state": "retired"}, "state:"),
        ({"name": "X", "allow_duplicate_badges": "yes"}, "allow_duplicate_badges:"),
        ({"name": "X", "description": 3}, "description:"),
    ],
)
def test_a_bad_template_body_is_400_naming_the_field(client, body, named):
    response = client.post(f"/_mock/organizations/{DEFAULT_ORGANIZATION_ID}/badge_templates", json=body)

    assert response.status_code == 400
    assert named in response.get_json()["data"]["message"]


def test_a_template_for_an_unknown_organization_is_404(client):
    response = client.post("/_mock/organizations/nope/badge_templates", json={"name": "X"})

    assert response.status_code == 404
    assert response.get_json() == {"data": {"message": "Organization nope not found."}}


def test_a_template_id_used_twice_is_409(client):
    path = f"/_mock/organizations/{DEFAULT_ORGANIZATION_ID}/badge_templates"
    client.post(path, json={"name": "X", "id": "t-1"})

    assert client.post(path, json={"name": "Y", "id": "t-1"}).status_code == 409


def test_state_holds_every_object_as_v1_shows_it(api, client):
    badge = api.issued()

    state = client.get("/_mock/state").get_json()

    assert {"organizations", "badge_templates", "badges", "events", "tokens", "stats"} <= set(state)
    assert [o["id"] for o in state["organizations"]] == [DEFAULT_ORGANIZATION_ID]
    assert len(state["badge_templates"]) == 5
    assert state["badges"] == [api.get(f"/badges/{badge['id']}").get_json()["data"]]
    assert [e["event_type"] for e in state["events"]] == ["badge.created"]
    assert state["tokens"] == {DEFAULT_ORGANIZATION_ID: DEFAULT_TOKEN}


def test_state_stats_count_requests_per_operation(api, client):
    api.issued()
    api.issue()  # a duplicate: counted too
    api.get("/badge_templates", token="wrong")

    stats = client.get("/_mock/state").get_json()["stats"]

    assert stats["requests"] == {"issue_badge": 2, "list_badge_templates": 1}
    assert (stats["injected_errors"], stats["rate_limited"]) == (0, 0)


def test_accept_as_the_earner(api, client):
    badge = api.issued()

    response = client.post(f"/_mock/badges/{badge['id']}/accept")

    assert response.status_code == 200
    accepted = response.get_json()
    assert "data" not in accepted
    assert accepted["state"] == "accepted"
    assert accepted["user"]["email"] == "ada@example.org"
    assert api.get(f"/badges/{badge['id']}").get_json()["data"]["state"] == "accepted"


def test_reject_as_the_earner(client, api):
    badge = api.issued()

    response = client.post(f"/_mock/badges/{badge['id']}/reject")

    assert response.status_code == 200
    assert (response.get_json()["state"], response.get_json()["user"]) == ("rejected", None)


@pytest.mark.parametrize(
    ("first", "then"), [("accept", "accept"), ("accept", "reject"), ("reject", "accept")]
)
def test_only_a_pending_badge_can_be_accepted_or_rejected(api, client, first, then):
    badge = api.issued()
    client.post(f"/_mock/badges/{badge['id']}/{first}")

    response = client.post(f"/_mock/badges/{badge['id']}/{then}")

    assert response.status_code == 422
    assert f"is {first}ed and cannot be {then}ed" in response.get_json()["data"]["message"]


def test_a_revoked_badge_cannot_be_accepted(api, client):
    badge = api.issued()
    api.put(f"/badges/{badge['id']}/revoke", json={"reason": "x"})

    assert client.post(f"/_mock/badges/{badge['id']}/accept").status_code == 422


def test_accepting_an_unknown_badge_is_404(client):
    assert client.post("/_mock/badges/nope/accept").status_code == 404


def test_faults_answer_all_four_settings(client):
    response = client.put("/_mock/faults", json={"latency_ms": 5})

    assert response.status_code == 200
    assert response.get_json() == {
        "latency_ms": 5,
        "error_rate": 0.0,
        "rate_limit_per_second": None,
        "seed": None,
    }


def test_faults_left_out_keep_their_value(client):
    client.put("/_mock/faults", json={"error_rate": 0.25, "seed": 3})

    settings = client.put("/_mock/faults", json={"rate_limit_per_second": 10}).get_json()

    assert settings == {"latency_ms": 0, "error_rate": 0.25, "rate_limit_per_second": 10, "seed": 3}
    assert client.get("/_mock/faults").get_json() == settings


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"error_rate": 2}, "error_rate:"),
        ({"latency_ms": -1}, "latency_ms:"),
        ({"rate_limit_per_second": "fast"}, "rate_limit_per_second:"),
        ({"seed": 1.5}, "seed:"),
        ({"latency": 5}, "latency: is not a known field"),
    ],
)
def test_bad_fault_settings_are_400_naming_the_field(client, body, named):
    response = client.put("/_mock/faults", json=body)

    assert response.status_code == 400
    assert named in response.get_json()["data"]["message"]
    assert client.get("/_mock/faults").get_json()["error_rate"] == 0.0


def test_reset_clears_everything_and_reloads_the_seed(api, client):
    other = api.organization()
    api.template("Mentor")
    api.issued()
    client.put("/_mock/faults", json={"latency_ms": 1, "error_rate": 0.5})

    response = client.post("/_mock/reset")

    assert (response.status_code, response.data) == (204, b"")
    state = client.get("/_mock/state").get_json()
    assert [o["id"] for o in state["organizations"]] == [DEFAULT_ORGANIZATION_ID]
    assert [t["id"] for t in state["badge_templates"]] == [
        t["id"] for t in DEFAULT_SEED["organizations"][0]["badge_templates"]
    ]
    assert (state["badges"], state["events"], state["stats"]["requests"]) == ([], [], {})
    assert client.get("/_mock/faults").get_json()["error_rate"] == 0.0
    assert api.get("/v1/organizations", token=other["token"]).status_code == 401


def test_reset_reloads_the_seed_the_app_was_made_with():
    seed = {
        "organizations": [
            {"name": "Seeded", "id": "org-s", "token": "tok-s", "badge_templates": [{"name": "Only"}]}
        ]
    }
    client = create_app(seed).test_client()
    auth = {"Authorization": "Bearer tok-s"}
    before = client.get("/v1/organizations/org-s/badge_templates", headers=auth).get_json()["data"]
    client.post("/_mock/organizations/org-s/badge_templates", json={"name": "Extra"})

    client.post("/_mock/reset")

    after = client.get("/v1/organizations/org-s/badge_templates", headers=auth).get_json()["data"]
    assert [t["name"] for t in after] == ["Only"]
    assert after[0]["id"] == before[0]["id"]
    assert client.get(f"/v1/organizations/{DEFAULT_ORGANIZATION_ID}", headers=auth).status_code == 404
