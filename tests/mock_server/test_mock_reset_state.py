"""``POST /_mock/reset`` brings back the seed and nothing else: what was added (employees, OAuth
applications, badges) is gone, and each can be added again, the same email included."""

from __future__ import annotations

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID


def add_employee(api):
    return api.post(
        "/employees", json={"email": "ada@example.org", "first_name": "Ada", "last_name": "Lovelace"}
    )


def add_application(client):
    return client.post(
        f"/_mock/organizations/{DEFAULT_ORGANIZATION_ID}/oauth_applications", json={"name": "LMS"}
    )


def test_a_reset_forgets_what_was_added_and_it_can_be_added_again(api, client):
    assert add_employee(api).status_code == 201
    assert add_application(client).status_code == 201
    api.issued()

    assert client.post("/_mock/reset").status_code == 204
    state = client.get("/_mock/state").get_json()
    assert (state["employees"], state["badges"]) == ([], [])

    assert add_employee(api).status_code == 201, "the email is free again"
    application = add_application(client)
    assert application.status_code == 201
    token = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(application.get_json()["client_id"], application.get_json()["client_secret"]),
    )
    assert token.status_code == 200, token.get_json()
