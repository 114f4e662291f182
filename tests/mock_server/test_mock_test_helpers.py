"""The request log (`GET /_mock/requests`) and scripted answers (`POST /_mock/script`)."""

from __future__ import annotations

import base64

import pytest

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN


def test_the_log_holds_each_api_request_with_the_token_masked(api, client):
    api.issue(recipient_email="logged@example.org")
    api.get("/badges", query_string={"filter": "state::pending"})
    client.get("/_mock/state")

    log = client.get("/_mock/requests").get_json()

    assert [(e["method"], e["operation"], e["status"]) for e in log] == [
        ("POST", "issue_badge", 201),
        ("GET", "list_badges", 200),
    ]
    issue, listing = log
    assert issue["path"] == f"/v1/organizations/{DEFAULT_ORGANIZATION_ID}/badges"
    assert issue["body"]["recipient_email"] == "logged@example.org"
    assert listing["query"] == {"filter": "state::pending"}
    assert issue["headers"]["Authorization"] == "Basic " + "*" * (len(DEFAULT_TOKEN) - 4) + DEFAULT_TOKEN[-4:]
    assert DEFAULT_TOKEN not in str(log)


def test_refused_requests_and_oauth_secrets_are_logged_masked(api, client):
    api.get("/badges", token="wrong-token-1234")
    client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "c", "client_secret": "s3cr3t-value"},
    )

    log = client.get("/_mock/requests").get_json()

    assert [e["status"] for e in log] == [401, 401]
    assert log[1]["body"]["client_secret"] == "********alue"
    assert "s3cr3t-value" not in str(log) and "wrong-token-1234" not in str(log)


def test_the_log_is_cleared_by_delete_and_by_reset(api, client):
    api.get("/badges")
    assert client.delete("/_mock/requests").status_code == 204
    assert client.get("/_mock/requests").get_json() == []
    api.get("/badges")
    client.post("/_mock/reset")
    assert client.get("/_mock/requests").get_json() == []


def test_a_script_answers_the_next_calls_of_one_operation(api, client):
    response = client.post(
        "/_mock/script", json={"operation": "issue_badge", "times": 2, "status": 503, "retry_after": 7}
    )
    assert response.status_code == 201
    assert response.get_json()["remaining"] == 2

    first, second, third = api.issue(), api.issue(), api.issue()

    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 201)
    assert first.headers["Retry-After"] == "7"
    assert "Scripted answer 503 for issue_badge" in first.get_json()["data"]["message"]
    assert api.get("/badges").status_code == 200
    assert len(client.get("/_mock/state").get_json()["badges"]) == 1
    assert client.get("/_mock/script").get_json() == []


def test_scripts_answer_before_the_token_is_checked(api, client):
    client.post("/_mock/script", json={"operation": "list_badges", "status": 429})

    assert api.get("/badges", token="bad").status_code == 429
    assert api.get("/badges", token="bad").status_code == 401


def test_a_script_for_the_token_endpoint(client):
    client.post("/_mock/script", json={"operation": "oauth_token", "status": 500})

    assert client.post("/oauth/token", data={"grant_type": "client_credentials"}).status_code == 500


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"operation": "nope", "status": 500}, "nope"),
        ({"operation": "issue_badge", "status": 200}, "status"),
        ({"operation": "issue_badge"}, "status"),
        ({"operation": "issue_badge", "status": 500, "times": 0}, "times"),
    ],
)
def test_a_bad_script_is_400_naming_the_field(client, body, named):
    response = client.post("/_mock/script", json=body)

    assert response.status_code == 400
    assert named in response.get_json()["data"]["message"]


def test_reset_drops_the_script(api, client):
    client.post("/_mock/script", json={"operation": "list_badges", "status": 500})
    client.post("/_mock/reset")

    assert api.get("/badges").status_code == 200


def test_a_basic_header_in_oauths_form_is_masked_to_the_client_id(client):
    pair = base64.b64encode(b"client-id-abcd:secret-xyz").decode()
    client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {pair}"}
    )

    (entry,) = client.get("/_mock/requests").get_json()

    assert entry["headers"]["Authorization"] == "Basic **********abcd"
    assert "secret-xyz" not in str(entry)
