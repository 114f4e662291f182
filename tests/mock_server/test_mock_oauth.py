"""OAuth 2.0 client credentials: the token endpoint, Bearer calls, scopes and expiry (on the manual clock)."""

from __future__ import annotations

import base64

import pytest

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID


@pytest.fixture
def application(client):
    response = client.post(
        f"/_mock/organizations/{DEFAULT_ORGANIZATION_ID}/oauth_applications",
        json={"name": "LMS", "scopes": ["issued_badges", "badge_templates"], "expires_in": 60},
    )
    assert response.status_code == 201
    return response.get_json()


def test_the_control_api_makes_an_application_with_credentials(application):
    assert set(application) == {"id", "name", "client_id", "client_secret", "scopes", "expires_in"}
    assert application["client_id"] != application["client_secret"]
    assert application["expires_in"] == 60


@pytest.mark.parametrize("path", ["/oauth/token", "/v1/oauth/token"])
def test_client_credentials_as_basic_auth_give_a_bearer_token(client, application, path):
    response = token_by_basic(client, application, path)

    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 60
    assert body["scope"] == "issued_badges badge_templates"
    assert body["access_token"]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("as_json", [False, True])
def test_client_credentials_in_the_body_with_a_scope(client, application, as_json):
    body = {
        "grant_type": "client_credentials",
        "client_id": application["client_id"],
        "client_secret": application["client_secret"],
        "scope": "issued_badges",
    }
    response = client.post("/oauth/token", **({"json": body} if as_json else {"data": body}))

    assert response.status_code == 200
    assert response.get_json()["scope"] == "issued_badges"


def test_a_bearer_token_issues_badges_and_reads_templates(api, client, application):
    access = token_by_basic(client, application).get_json()["access_token"]

    assert api.bearer("GET", "/badge_templates", access).status_code == 200
    issued = api.bearer(
        "POST",
        "/badges",
        access,
        json={
            "recipient_email": "oauth@example.org",
            "badge_template_id": api.get("/badge_templates").get_json()["data"][0]["id"],
            "issued_at": "2026-01-15",
        },
    )
    assert issued.status_code == 201
    assert [b["id"] for b in client.get("/_mock/state").get_json()["badges"]] == [
        issued.get_json()["data"]["id"]
    ]


def test_a_bearer_token_expires_on_the_mocks_clock(api, client, clock, application):
    access = token_by_basic(client, application).get_json()["access_token"]
    clock.advance(59.9)
    assert api.bearer("GET", "/badges", access).status_code == 200

    clock.advance(0.2)
    response = api.bearer("GET", "/badges", access)

    assert response.status_code == 401
    assert response.get_json() == {"data": {"message": "You specified an invalid authorization token."}}
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    renewed = token_by_basic(client, application).get_json()["access_token"]
    assert api.bearer("GET", "/badges", renewed).status_code == 200


def test_an_operation_outside_the_tokens_scopes_is_403(api, client, application):
    access = token_by_basic(client, application, scope="issued_badges").get_json()["access_token"]

    response = api.bearer("GET", "/badge_templates", access)

    assert response.status_code == 403
    assert (
        response.get_json()["data"]["message"] == "The access token does not have the badge_templates scope."
    )
    assert api.bearer("GET", "/events", access).status_code == 403
    assert api.bearer("GET", "", access).status_code == 200


@pytest.mark.parametrize(
    ("form", "signed", "status", "error"),
    [
        ({"grant_type": "password"}, True, 400, "unsupported_grant_type"),
        ({}, True, 400, "invalid_request"),
        ({"grant_type": "client_credentials", "scope": "workforce"}, True, 400, "invalid_scope"),
        ({"grant_type": "client_credentials"}, False, 401, "invalid_client"),
        (
            {"grant_type": "client_credentials", "client_id": "nope", "client_secret": "x"},
            False,
            401,
            "invalid_client",
        ),
    ],
)
def test_token_endpoint_errors_are_in_oauths_shape(client, application, form, signed, status, error):
    headers = token_headers(application) if signed else {}

    response = client.post("/oauth/token", data=form, headers=headers)

    assert response.status_code == status
    assert response.get_json()["error"] == error
    assert response.get_json()["error_description"]


def token_headers(application):
    pair = f"{application['client_id']}:{application['client_secret']}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


def token_by_basic(client, application, path="/oauth/token", **form):
    return client.post(
        path, data={"grant_type": "client_credentials", **form}, headers=token_headers(application)
    )


def test_a_wrong_secret_is_401(client, application):
    response = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": application["client_id"],
            "client_secret": "wrong",
        },
    )

    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"


def test_applications_are_listed_on_v1_without_their_secret(api, application):
    listed = api.get("/oauth_applications").get_json()["data"]
    one = api.get(f"/oauth_applications/{application['id']}").get_json()["data"]

    assert [a["uid"] for a in listed] == [application["client_id"]]
    assert one["secret"] is None
    assert application["client_secret"] not in str(listed)


def test_an_application_for_an_unknown_organization_is_404(client):
    response = client.post("/_mock/organizations/nope/oauth_applications", json={"name": "x"})

    assert response.status_code == 404
