"""Employees (the workforce), invitations, issuer authorizations and the public OBI documents."""

from __future__ import annotations

import hashlib

import pytest

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_SEED

PYTHON = DEFAULT_SEED["organizations"][0]["badge_templates"][0]["id"]


def add(api, **body):
    return api.post("/employees", json=body)


def test_add_list_get_update_delete(api, client):
    made = add(api, email="Ada@Example.org", first_name="Ada", last_name="Lovelace", external_id="u-1")
    assert made.status_code == 201
    employee = made.get_json()["data"]

    assert api.get("/employees").get_json()["metadata"]["total_count"] == 1
    assert api.get(f"/employees/{employee['id']}").get_json()["data"]["external_id"] == "u-1"
    updated = api.put(f"/employees/{employee['id']}", json={"employee": {"department": "Research"}})
    assert updated.get_json()["data"]["department"] == "Research"
    assert api.get("").get_json()["data"]["has_employees"] is True
    assert api.delete(f"/employees/{employee['id']}").status_code == 200
    assert api.get(f"/employees/{employee['id']}").status_code == 404
    assert client.get("/_mock/state").get_json()["employees"] == []


def test_an_email_already_there_is_422_naming_the_employee(api):
    first = add(api, email="ada@example.org").get_json()["data"]

    again = add(api, email="ADA@example.org", first_name="Ada")

    assert again.status_code == 422
    assert again.get_json()["data"]["message"] == "Validation failed: Email has already been taken."
    assert again.get_json()["metadata"] == {"employee_id": first["id"]}


@pytest.mark.parametrize("body", [{}, {"email": "not-an-email"}, {"first_name": "No email"}])
def test_an_employee_needs_a_valid_email(api, body):
    response = add(api, **body)

    assert response.status_code == 422
    assert "email" in response.get_json()["data"]["message"]


def test_employees_filter_by_email(api):
    add(api, email="ada@example.org")
    add(api, email="grace@example.org")

    found = api.get("/employees", query_string={"filter": "email::GRACE@example.org"}).get_json()["data"]

    assert [e["email"] for e in found] == ["grace@example.org"]


def test_employee_data_lists_their_badges(api):
    employee = add(api, email="ada@example.org").get_json()["data"]
    badge = api.issued()

    data = api.get(f"/employees/{employee['id']}/data").get_json()["data"]

    assert [b["id"] for b in data["badges"]] == [badge["id"]]


@pytest.mark.parametrize("path", ["/employees/send_invitations", "/employees/invitations"])
def test_invitations(api, path):
    ada = add(api, email="ada@example.org").get_json()["data"]
    grace = add(api, email="grace@example.org").get_json()["data"]

    first = api.post(path, json={"employee_ids": [ada["id"]]}).get_json()
    rest = api.post(path, json={}).get_json()

    assert first["data"]["invited"] == [ada["id"]]
    assert rest["data"]["invited"] == [grace["id"]]
    assert api.get(f"/employees/{ada['id']}").get_json()["data"]["invitation_sent_at"]
    assert api.post(path, json={"employee_ids": ["nope"]}).status_code == 404


def test_issuer_lists_are_empty_and_deauthorizing_is_404(api):
    for path in ("/issuers", "/grantors", "/issuer_authorizations"):
        body = api.get(path).get_json()
        assert (body["data"], body["metadata"]["total_count"]) == ([], 0)
    assert api.delete("/issuers/nope").status_code == 404


@pytest.mark.parametrize("prefix", ["", "/v1"])
def test_obi_documents_are_public(api, client, prefix):
    badge = api.issued()

    assertion = client.get(f"{prefix}/obi/v2/badge_assertions/{badge['id']}").get_json()
    badge_class = client.get(assertion["badge"].removeprefix("http://localhost")).get_json()
    issuer = client.get(badge_class["issuer"].removeprefix("http://localhost")).get_json()

    assert (assertion["type"], badge_class["type"], issuer["type"]) == ("Assertion", "BadgeClass", "Issuer")
    salt = assertion["recipient"]["salt"]
    assert (
        assertion["recipient"]["identity"]
        == "sha256$" + hashlib.sha256(f"ada@example.org{salt}".encode()).hexdigest()
    )
    assert badge_class["name"] == "Python Fundamentals"
    assert issuer["id"].endswith(DEFAULT_ORGANIZATION_ID)
    assert assertion["revoked"] is False
    assert client.get(f"{prefix}/obi/v2/badge_assertions/nope").status_code == 404
