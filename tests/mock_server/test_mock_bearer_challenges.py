"""The mock's answer to a Bearer token it will not take names the reason in ``WWW-Authenticate``
(RFC 6750), as Credly's does: expired or invalid; a Basic
token it does not know gets no such challenge."""

from __future__ import annotations

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID


def challenge(description: str) -> str:
    return f'Bearer error="invalid_token", error_description="{description}"'


def access_token(client) -> str:
    made = client.post(
        f"/_mock/organizations/{DEFAULT_ORGANIZATION_ID}/oauth_applications",
        json={"name": "LMS", "scopes": ["issued_badges"], "expires_in": 60},
    ).get_json()
    answer = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(made["client_id"], made["client_secret"]),
    )
    return answer.get_json()["access_token"]


def test_a_bearer_token_past_its_lifetime_is_refused_as_expired(api, client, clock):
    access = access_token(client)
    clock.advance(60.1)

    response = api.bearer("GET", "/badges", access)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == challenge("The access token expired")


def test_an_unknown_bearer_token_is_invalid_and_an_unknown_basic_token_has_no_bearer_challenge(api):
    response = api.bearer("GET", "/badges", "no-such-token")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == challenge("The access token is invalid")

    basic = api.get("/badges", token="no-such-token")
    assert basic.status_code == 401
    assert "Bearer" not in basic.headers.get("WWW-Authenticate", "")
