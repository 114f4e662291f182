"""Authorization tokens: list, create, rotate (the old token refused at once), flags, 180-day expiry."""

from __future__ import annotations

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN


def create(api, token=DEFAULT_TOKEN, **body):
    response = api.post("/authorization_tokens", json=body, token=token)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def test_the_seeded_token_is_listed_with_its_fields(api):
    body = api.get("/authorization_tokens").get_json()

    (token,) = body["data"]
    assert token["token"] == DEFAULT_TOKEN
    assert token["owner_id"] == token["owner"]["id"] == DEFAULT_ORGANIZATION_ID
    assert (token["read_enabled"], token["write_enabled"], token["delete_enabled"]) == (True, True, True)
    assert token["expires_at"] > token["created_at"]
    assert body["metadata"]["total_count"] == 1


def test_a_created_token_works_and_carries_its_flags(api):
    made = create(api, description="reporting", write_enabled=False, delete_enabled="false")

    assert (made["description"], made["write_enabled"], made["delete_enabled"]) == ("reporting", False, False)
    assert api.get("/badges", token=made["token"]).status_code == 200
    assert len(api.get("/authorization_tokens").get_json()["data"]) == 2


def test_a_read_only_token_may_not_write_and_sees_only_read_only_tokens(api):
    reader = create(api, write_enabled=False, delete_enabled=False)

    refused = api.issue_with(reader["token"])
    listed = api.get("/authorization_tokens", token=reader["token"]).get_json()["data"]

    assert refused.status_code == 403
    assert refused.get_json()["data"]["message"] == "This authorization token is not write-enabled."
    assert [t["id"] for t in listed] == [reader["id"]]


def test_a_token_without_delete_may_not_delete(api):
    writer = create(api, delete_enabled=False)
    badge = api.issued()

    response = api.delete(f"/badges/{badge['id']}", token=writer["token"])

    assert response.status_code == 403
    assert api.get(f"/badges/{badge['id']}").status_code == 200


def test_rotate_gives_a_new_token_and_refuses_the_old_one_at_once(api, client):
    response = api.post("/authorization_tokens/rotate")

    assert response.status_code == 200
    new = response.get_json()["data"]["token"]
    assert new != DEFAULT_TOKEN
    assert api.get("/badges").status_code == 401
    assert api.get("/badges", token=new).status_code == 200
    assert client.get("/_mock/state").get_json()["tokens"][DEFAULT_ORGANIZATION_ID] == new


def test_rotate_renews_the_180_days(api, clock):
    clock.advance(179 * 86400)
    new = api.post("/authorization_tokens/rotate").get_json()["data"]

    clock.advance(2 * 86400)

    assert api.get("/badges", token=new["token"]).status_code == 200


def test_a_token_expires_after_180_days(api, clock):
    clock.advance(179 * 86400)
    assert api.get("/badges").status_code == 200

    clock.advance(86400 + 1)
    response = api.get("/badges")

    assert response.status_code == 401
    assert response.get_json()["data"]["message"] == "You specified an invalid authorization token."


def test_an_oauth_access_token_cannot_be_rotated(api, client):
    application = client.post(
        f"/_mock/organizations/{DEFAULT_ORGANIZATION_ID}/oauth_applications", json={"name": "a"}
    ).get_json()
    access = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": application["client_id"],
            "client_secret": application["client_secret"],
        },
    ).get_json()["access_token"]

    response = api.bearer("POST", "/authorization_tokens/rotate", access)

    assert response.status_code == 403
    assert api.get("/badges").status_code == 200


def test_the_clock_can_be_advanced_through_the_control_api(api, client):
    before = client.get("/_mock/clock").get_json()["now"]

    after = client.post("/_mock/clock", json={"advance_seconds": 181 * 86400}).get_json()["now"]

    assert after > before
    assert api.get("/badges").status_code == 401
    assert client.post("/_mock/clock", json={"advance_seconds": -1}).status_code == 400
