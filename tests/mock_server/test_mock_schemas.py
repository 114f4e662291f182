"""Everything the mock serves validates against its response schemas (stripe-mock's TestValidFixtures)."""

from __future__ import annotations

import copy

import pytest
from jsonschema import Draft202012Validator

from badgebridge.mock_server import schemas

ALL_SCHEMAS = schemas.names()


def valid(name: str, instance) -> None:
    problem = schemas.find_problem(name, instance)
    assert problem is None, f"{name}: {problem}"


@pytest.mark.parametrize("name", ALL_SCHEMAS)
def test_each_schema_is_a_valid_draft_2020_12_schema(name):
    Draft202012Validator.check_schema(schemas.load(name))


@pytest.fixture
def busy(api, client):
    """A mock that has seen every kind of object and state."""
    other = api.organization("Other")
    api.template("Draft one", state="draft")
    api.template("Private", public=False, org_id=other["id"])
    pending = api.issued()
    accepted = api.issued(
        recipient_email="grace@example.org", issuer_earner_id="e-2", expires_at="2030-01-01"
    )
    rejected = api.issued(recipient_email="alan@example.org", issued_to_middle_name="M")
    revoked = api.issued(recipient_email="edsger@example.org")
    deleted = api.issued(recipient_email="barbara@example.org")
    client.post(f"/_mock/badges/{accepted['id']}/accept")
    client.post(f"/_mock/badges/{rejected['id']}/reject")
    api.put(f"/badges/{revoked['id']}/revoke", json={"reason": "r"})
    api.call("DELETE", f"/badges/{deleted['id']}")
    return {"pending": pending["id"], "other": other}


LISTS = {
    "/v1/organizations": "organization",
    "/badge_templates": "badge_template",
    "/badges": "badge",
    "/events": "event",
}


@pytest.mark.parametrize(("path", "schema"), LISTS.items())
def test_every_list_page_validates(api, busy, path, schema):
    for query in ({}, {"per": 2}, {"per": 2, "page": 2}, {"page": 99}):
        body = api.get(path, query_string=query).get_json()

        assert set(body) == {"data", "metadata"}
        valid("pagination", body["metadata"])
        for item in body["data"]:
            valid(schema, item)


def test_every_single_object_validates(api, busy):
    for kind, schema in (("badge_templates", "badge_template"), ("badges", "badge"), ("events", "event")):
        for item in api.get(f"/{kind}", query_string={"per": 100}).get_json()["data"]:
            body = api.get(f"/{kind}/{item['id']}").get_json()
            valid(schema, body["data"])
    valid("organization", api.get("").get_json()["data"])


def test_the_whole_control_state_validates(client, busy):
    state = client.get("/_mock/state").get_json()

    for key, schema in (
        ("organizations", "organization"),
        ("badge_templates", "badge_template"),
        ("badges", "badge"),
        ("events", "event"),
    ):
        assert state[key], key
        for item in state[key]:
            valid(schema, item)
    assert {b["state"] for b in state["badges"]} == {"pending", "accepted", "rejected", "revoked"}


def test_control_answers_validate(api, client, busy):
    valid("badge_template", api.template("Fresh"))
    valid("badge", client.post(f"/_mock/badges/{busy['pending']}/accept").get_json())


@pytest.mark.parametrize(
    "call",
    [
        lambda api, client: api.get("/badges", token="bad"),
        lambda api, client: api.get(
            "", token=client.post("/_mock/organizations", json={"name": "o"}).get_json()["token"]
        ),
        lambda api, client: api.get("/badges/nope"),
        lambda api, client: api.get("/v1/nope"),
        lambda api, client: api.issue(recipient_email=...),
        lambda api, client: api.call("PATCH", "/badges"),
        lambda api, client: client.post("/_mock/organizations", json={}),
        lambda api, client: client.put("/_mock/faults", json={"error_rate": 1}) and api.get("/badges"),
        lambda api, client: (
            client.put("/_mock/faults", json={"rate_limit_per_second": 1})
            and api.get("/badges")
            and api.get("/badges")
        ),
    ],
)
def test_every_error_answer_validates(api, client, call):
    response = call(api, client)

    assert response.status_code >= 400
    valid("error", response.get_json())


def test_the_schemas_catch_a_malformed_object(api):
    badge = api.issued()

    for field, bad in (
        ("created_at", "2024-01-15T10:00:00Z"),
        ("state", "replaced"),
        ("badge_url", "/badges/1"),
    ):
        broken = copy.deepcopy(badge)
        broken[field] = bad
        assert schemas.find_problem("badge", broken) is not None, field
    revoked_without_reason = {**badge, "state": "revoked"}
    assert schemas.find_problem("badge", revoked_without_reason) is not None
