"""Authentication, authorization and routing of /v1: token forms, 401/403/404, slashes and prefixes."""

from __future__ import annotations

import base64

import pytest

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN

ORG_PATH = f"/v1/organizations/{DEFAULT_ORGANIZATION_ID}"
INVALID = {"data": {"message": "You specified an invalid authorization token."}}


def encoded(credential: str) -> str:
    return base64.b64encode(credential.encode()).decode()


@pytest.mark.parametrize(
    "authorization",
    [
        f"Basic {encoded(DEFAULT_TOKEN + ':')}",  # token as user name, empty password (most clients)
        f"Basic {encoded(DEFAULT_TOKEN)}",  # no colon (openedx)
        f"Basic {encoded(DEFAULT_TOKEN + '|')}",  # pipe (credly-go)
        f"Basic {encoded(DEFAULT_TOKEN + '|ignored')}",
        f"Basic {encoded(DEFAULT_TOKEN + ':password')}",
        f"basic {encoded(DEFAULT_TOKEN + ':')}",
        f"Basic {encoded(DEFAULT_TOKEN + ':').rstrip('=')}",  # padding left off
        f"Bearer {DEFAULT_TOKEN}",
    ],
)
def test_every_token_form_is_accepted(client, authorization):
    response = client.get(ORG_PATH, headers={"Authorization": authorization})

    assert response.status_code == 200
    assert response.get_json()["data"]["id"] == DEFAULT_ORGANIZATION_ID


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": f"Basic {encoded('not-the-token:')}"},
        {"Authorization": "Basic !!!not base64!!!"},
        {"Authorization": f"Basic {encoded(':' + DEFAULT_TOKEN)}"},  # the token as password only
        {"Authorization": f"Token {DEFAULT_TOKEN}"},
        {"Authorization": "Bearer "},
    ],
)
def test_a_missing_or_unknown_token_is_401_with_credlys_text(client, headers):
    response = client.get(ORG_PATH, headers=headers)

    assert response.status_code == 401
    assert response.get_json() == INVALID


def test_a_bad_token_is_401_even_for_an_unknown_organization(api):
    # openedx's live test: token test_api_key, organization invalid_uuid -> the invalid-token text.
    response = api.get("/v1/organizations/invalid_uuid", token="test_api_key")

    assert response.status_code == 401
    assert response.get_json() == INVALID


def test_another_organizations_token_is_403(api):
    other = api.organization("Elsewhere")

    response = api.get(ORG_PATH, token=other["token"])

    assert response.status_code == 403
    assert response.get_json()["data"]["message"]


def test_an_unknown_organization_is_404(api):
    response = api.get("/v1/organizations/4")

    assert response.status_code == 404
    assert response.get_json() == {"data": {"message": "Organization 4 not found."}}


def test_no_accept_header_is_needed_and_any_is_fine(client):
    auth = {"Authorization": f"Basic {encoded(DEFAULT_TOKEN + ':')}"}

    bare = client.get(ORG_PATH, headers=auth)
    star = client.get(ORG_PATH, headers={**auth, "Accept": "*/*"})

    assert (bare.status_code, star.status_code) == (200, 200)
    assert bare.mimetype == "application/json"


def test_list_organizations_shows_the_tokens_own(api):
    body = api.get("/v1/organizations").get_json()

    assert [org["id"] for org in body["data"]] == [DEFAULT_ORGANIZATION_ID]
    assert body["metadata"]["total_count"] == 1


@pytest.mark.parametrize(
    "path",
    [
        f"{ORG_PATH}/",
        f"{ORG_PATH}/badge_templates/",
        f"{ORG_PATH}/badges/",
        f"{ORG_PATH}/events/",
        "/v1/organizations/",
        f"/v1//organizations/{DEFAULT_ORGANIZATION_ID}",
        f"/v1//organizations//{DEFAULT_ORGANIZATION_ID}//badge_templates",
        f"/api/v1/organizations/{DEFAULT_ORGANIZATION_ID}",
        f"/api/v1/organizations/{DEFAULT_ORGANIZATION_ID}/badge_templates/",
    ],
)
def test_trailing_and_double_slashes_and_the_api_prefix_are_served(api, path):
    response = api.get(path)

    assert response.status_code == 200, response.get_json()
    assert "data" in response.get_json()


def test_revoke_with_a_trailing_slash(api):
    badge = api.issued()

    response = api.put(f"/badges/{badge['id']}/revoke/", json={"reason": "issued in error"})

    assert response.status_code == 200
    assert response.get_json()["data"]["state"] == "revoked"


def test_an_unknown_route_under_v1_is_an_enveloped_404(api):
    response = api.get("/v1/organizations/x/high_volume_issued_badge_search/nope")

    assert response.status_code == 404
    assert response.get_json() == {
        "data": {"message": "No route matches GET /v1/organizations/x/high_volume_issued_badge_search/nope."}
    }


def test_a_wrong_method_is_an_enveloped_405(api):
    response = api.call("PATCH", "/badges")

    assert response.status_code == 405
    assert "PATCH" in response.get_json()["data"]["message"]
