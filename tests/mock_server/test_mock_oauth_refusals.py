"""What the mock's OAuth side refuses, as a client sees it: another organization's application (or
an unknown one) is not found, and a token request for scopes the application lacks names them."""

from __future__ import annotations

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID


def application(client, organization_id: str, **fields) -> dict:
    response = client.post(
        f"/_mock/organizations/{organization_id}/oauth_applications", json={"name": "LMS", **fields}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_application_of_another_organization_or_none_is_not_found(api, client):
    other = api.organization()
    theirs = application(client, other["id"])
    ours = application(client, DEFAULT_ORGANIZATION_ID)

    assert api.get(f"/oauth_applications/{ours['id']}").status_code == 200
    assert api.get(f"/oauth_applications/{theirs['id']}").status_code == 404
    assert api.get("/oauth_applications/no-such-application").status_code == 404


def test_a_token_for_scopes_the_application_lacks_names_them(client):
    app = application(client, DEFAULT_ORGANIZATION_ID, scopes=["issued_badges"])

    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "issued_badges workforce events"},
        auth=(app["client_id"], app["client_secret"]),
    )
    assert response.status_code == 400
    assert response.get_json()["error_description"] == "The application may not ask for: workforce events."
