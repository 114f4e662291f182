"""Every answer the mock gives validates against its schema (stripe-mock's discipline): a drive calls
every endpoint, an `after_request` hook keeps every answer, and each is checked against the schema the
endpoint table (`mock_server/endpoints.py`) names. Meta-tests keep the table, the URL map and the
README's endpoint table in step."""

from __future__ import annotations

import base64
import copy
import json
import re
from pathlib import Path

import pytest
from flask import request
from jsonschema import Draft202012Validator

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_SEED, schemas
from badgebridge.mock_server.endpoints import ENDPOINTS

PYTHON = DEFAULT_SEED["organizations"][0]["badge_templates"][0]["id"]
README = Path(schemas.__file__).resolve().parent.parent / "README.md"


def valid(name: str, instance) -> None:
    problem = schemas.find_problem(name, instance)
    assert problem is None, f"{name}: {problem}"


def valid_any(names: str, instance) -> None:
    problems = [schemas.find_problem(name, instance) for name in names.split("|")]
    assert None in problems, f"{names}: {problems}"


@pytest.mark.parametrize("name", schemas.names())
def test_each_schema_is_a_valid_draft_2020_12_schema(name):
    Draft202012Validator.check_schema(schemas.load(name))


@pytest.fixture
def answers(app):
    """(endpoint, blueprint, status, mimetype, body bytes) of every answer the app gives."""
    kept = []

    @app.after_request
    def keep(response):
        kept.append(
            (
                request.endpoint,
                request.blueprint,
                response.status_code,
                response.mimetype,
                response.get_data(),
            )
        )
        return response

    return kept


def drive(api, client) -> None:
    """Call every endpoint at least once with success, and a few with errors."""
    other = api.organization("Other")
    api.template("Draft one", state="draft")
    api.template("Private", public=False, org_id=other["id"])
    client.get("/_mock/state")
    # organizations
    api.get("/v1/organizations")
    api.get("")
    api.put("", json={"organization": {"website_url": "https://academy.example", "webhook_url": None}})
    # templates on /v1
    made = api.post("/badge_templates", json={"name": "Welder", "skills": ["welding"]}).get_json()["data"]
    api.get("/badge_templates", query_string={"per": 2, "page": 2})
    api.get(f"/badge_templates/{made['id']}")
    api.put(f"/badge_templates/{made['id']}", json={"description": "Joins metal."})
    api.post(f"/badge_templates/{made['id']}/archive")
    api.delete(f"/badge_templates/{made['id']}")
    # badges in every state
    pending = api.issued(country_name="United States")
    accepted = api.issued(
        recipient_email="grace@example.org", issuer_earner_id="e-2", expires_at="2030-01-01"
    )
    rejected = api.issued(recipient_email="alan@example.org", issued_to_middle_name="M")
    revoked = api.issued(
        recipient_email="edsger@example.org", issued_to_first_name=..., issued_to_last_name=...
    )
    client.post(f"/_mock/badges/{accepted['id']}/accept")
    client.post(f"/_mock/badges/{rejected['id']}/reject")
    api.put(f"/badges/{revoked['id']}/revoke", json={"reason": "r"})
    replacement = api.post(f"/badges/{pending['id']}/replace", json={"issued_at": "2026-01-20"}).get_json()[
        "data"
    ]
    api.post(f"/badges/{pending['id']}/replace", json={})
    api.post(
        "/badges/batch",
        json={
            "badges": [
                {"recipient_email": "b@example.org", "badge_template_id": PYTHON, "issued_at": "2026-01-15"},
                {},
            ]
        },
    )
    api.get("/badges")
    api.get(f"/badges/{replacement['id']}")
    api.delete(f"/badges/{replacement['id']}")
    api.get("/high_volume_issued_badge_search", query_string={"badge_format": "minimal", "per": 2})
    api.get("/high_volume_issued_badge_search")
    # events
    events = api.get("/events", query_string={"per": 100}).get_json()["data"]
    for event in events:
        api.get(f"/events/{event['id']}")
    # tokens and OAuth
    api.get("/authorization_tokens")
    spare = api.post("/authorization_tokens", json={"description": "spare"}).get_json()["data"]
    api.post("/authorization_tokens/rotate", token=spare["token"])
    application = client.post(
        f"/_mock/organizations/{DEFAULT_ORGANIZATION_ID}/oauth_applications",
        json={"name": "LMS", "expires_in": 300},
    ).get_json()
    pair = base64.b64encode(f"{application['client_id']}:{application['client_secret']}".encode()).decode()
    client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {pair}"}
    )
    client.post("/v1/oauth/token", data={"grant_type": "client_credentials"})
    api.get("/oauth_applications")
    api.get(f"/oauth_applications/{application['id']}")
    # workforce and issuers
    employee = api.post("/employees", json={"email": "ada@example.org", "first_name": "Ada"}).get_json()[
        "data"
    ]
    api.post("/employees", json={"email": "ada@example.org"})
    api.get("/employees")
    api.get(f"/employees/{employee['id']}")
    api.put(f"/employees/{employee['id']}", json={"department": "Research"})
    api.get(f"/employees/{employee['id']}/data")
    api.post("/employees/send_invitations", json={})
    api.post("/employees/invitations", json={"employee_ids": [employee["id"]]})
    api.delete(f"/employees/{employee['id']}")
    for path in ("/issuers", "/grantors", "/issuer_authorizations"):
        api.get(path)
    api.delete("/issuers/nope")
    # OBI
    client.get(f"/obi/v2/badge_assertions/{revoked['id']}")
    client.get(f"/v1/obi/v2/badge_classes/{PYTHON}")
    client.get(f"/obi/v2/issuers/{DEFAULT_ORGANIZATION_ID}")
    # control API
    client.patch(f"/_mock/badge_templates/{PYTHON}", json={"description": "edited"})
    removable = api.template("Removable")
    client.delete(f"/_mock/badge_templates/{removable['id']}")
    client.get("/_mock/faults")
    client.put("/_mock/faults", json={"latency_ms": 0})
    client.get("/_mock/requests")
    client.post("/_mock/script", json={"operation": "list_badges", "status": 503, "retry_after": 2})
    client.get("/_mock/script")
    api.get("/badges")
    client.get("/_mock/webhooks")
    client.put("/_mock/webhooks", json={"max_attempts": 2})
    client.get("/_mock/clock")
    client.post("/_mock/clock", json={"advance_seconds": 1})
    client.get("/_mock/settings")
    client.put("/_mock/settings", json={"strict": False})
    client.get(pending["image_url"].removeprefix("http://localhost"))
    client.get("/earner/grace@example.org")
    waiting = api.issued(recipient_email="new@example.org")
    client.post(f"/earner/new@example.org/badges/{waiting['id']}/accept")
    client.get(f"/badges/{accepted['id']}")
    client.get("/_mock/state")
    # errors of every kind
    api.get("/badges", token="bad")
    api.get("", token=other["token"])
    api.get("/badges/nope")
    api.get("/v1/nope")
    api.issue(recipient_email=...)
    api.post("/badges", data="{bad", content_type="application/json")
    api.call("PATCH", "/badges")
    client.post("/_mock/organizations", json={})
    client.put("/_mock/faults", json={"error_rate": 1})
    api.get("/badges")
    client.put("/_mock/faults", json={"error_rate": 0, "rate_limit_per_second": 1})
    api.get("/badges")
    api.get("/badges")
    client.delete("/_mock/requests")
    client.post("/_mock/reset")


def test_every_answer_validates_and_every_endpoint_is_driven(app, api, client, answers):
    drive(api, client)

    succeeded = set()
    for endpoint, blueprint, status, mimetype, raw in answers:
        spec = ENDPOINTS.get(endpoint)
        if status >= 400:
            valid("oauth_error" if blueprint == "oauth" else "error", json.loads(raw))
            if spec is not None and spec.shape == "error" and status == spec.status:
                succeeded.add(endpoint)
            continue
        assert status == spec.status, endpoint
        succeeded.add(endpoint)
        if spec.shape == "empty":
            assert raw == b"", endpoint
        elif spec.shape == "html":
            assert mimetype == "text/html", endpoint
        elif spec.shape == "png":
            assert mimetype == "image/png" and raw.startswith(b"\x89PNG"), endpoint
        else:
            body = json.loads(raw)
            if spec.shape == "bare":
                valid_any(spec.response, body)
            elif spec.shape == "one":
                assert set(body) == {"data", "metadata"}, endpoint
                valid("empty_metadata", body["metadata"])
                valid_any(spec.response, body["data"])
            else:
                valid("pagination", body["metadata"])
                for item in body["data"]:
                    valid_any(spec.response, item)

    assert succeeded == set(ENDPOINTS)


def test_the_endpoint_table_covers_the_url_map(app):
    served = {rule.endpoint for rule in app.url_map.iter_rules()}

    assert served == set(ENDPOINTS)
    for spec in ENDPOINTS.values():
        for name in filter(None, (spec.request, *(spec.response or "").split("|"))):
            assert name in schemas.names()


def test_the_readme_lists_every_route(app):
    text = README.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([A-Z/, ]+) ([^`]+)` \|", text, re.MULTILINE))

    for rule in app.url_map.iter_rules():
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        path = re.sub(r"<(?:[a-z]+\([^)]*\):)?([a-z_]+)>", r"<\1>", rule.rule)
        assert ("/".join(methods), path) in listed, f"{'/'.join(methods)} {path} is not in the README's table"


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
    assert schemas.find_problem("badge", {**badge, "state": "revoked"}) is not None
