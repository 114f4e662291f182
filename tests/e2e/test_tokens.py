"""Credly tokens end to end: age warnings, rotation through Credly, OAuth mode."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import httpx
import pytest

from tests.e2e.conftest import one_line_error
from tests.rows import age_tokens

pytestmark = pytest.mark.e2e


def age_token(cli, days: int) -> None:
    """Pretend the stored token was set ``days`` ago (nothing else can move the clock)."""
    age_tokens(cli.env["BADGEBRIDGE_DB"], days)


def test_an_old_token_is_warned_about_by_connections_list_and_the_worker(cli, credly_mock):
    org = credly_mock.create_organization("Token Org")
    cli.connect(credly_mock, org["id"], org["token"])
    fresh = cli.ok("connections", "list")
    assert "warning" not in fresh.stderr
    age_token(cli, 151)
    listed = cli.ok("connections", "list", "--json")
    (row,) = json.loads(listed.stdout)
    assert row["token_set_at"] is not None
    lifetime = datetime.fromisoformat(row["token_expires_at"]) - datetime.fromisoformat(row["token_set_at"])
    assert lifetime == timedelta(days=180), "Credly's tokens live 180 days"
    assert (
        "connection 'credly-main': its token was set 151 days ago and expires in 29 day(s)" in listed.stderr
    )
    assert "badgebridge connections rotate credly-main" in listed.stderr
    worker = cli.ok("worker", "--once")
    assert "its token was set 151 days ago" in worker.stderr
    assert org["token"] not in "".join(cli.outputs)


def test_rotation_goes_through_credly_and_stores_the_new_token(cli, credly_mock):
    org = credly_mock.create_organization("Rotating Org")
    cli.connect(credly_mock, org["id"], org["token"])
    age_token(cli, 170)
    rotated = cli.ok("connections", "rotate", "credly-main")
    assert "stored and verified" in rotated.stdout
    assert "warning" not in cli.ok("connections", "list").stderr, "the new token is fresh"
    with httpx.Client(base_url=f"{credly_mock.url}/v1", timeout=30) as api:
        old = api.get(f"/organizations/{org['id']}", auth=(org["token"], ""))
        assert old.status_code == 401, "Credly refuses the old token at once"
    credly_mock.create_template(org["id"], "After Rotation")
    cli.ok("badges", "import", "credly-main")  # works with the stored new token
    assert [b["name"] for b in cli.json("badges", "list")] == ["After Rotation"]
    (row,) = cli.json("connections", "list")
    assert row["token"].startswith("*") and row["token"][-4:] != org["token"][-4:]
    assert org["token"] not in "".join(cli.outputs)


def oauth_application(credly_mock, org_id: str, **fields) -> dict:
    made = httpx.post(
        f"{credly_mock.url}/_mock/organizations/{org_id}/oauth_applications",
        json={"name": "badgebridge"} | fields,
        timeout=30,
    )
    assert made.status_code == 201, made.text
    return made.json()


def connect_oauth(cli, credly_mock, org_id: str, app: dict, name: str = "credly-oauth"):
    return cli(
        "connections",
        "add",
        name,
        "--provider",
        "credly",
        "--org-id",
        org_id,
        "--host",
        credly_mock.url,
        "--auth",
        "oauth",
        "--client-id",
        app["client_id"],
        "--client-secret-env",
        "CREDLY_SECRET",
        env={"CREDLY_SECRET": app["client_secret"]},
    )


def test_an_oauth_connection_imports_and_issues_with_bearer_tokens(cli, credly_mock):
    org = credly_mock.create_organization("OAuth Org")
    credly_mock.create_template(org["id"], "Bearer Badge")
    app = oauth_application(credly_mock, org["id"])
    assert connect_oauth(cli, credly_mock, org["id"], app).returncode == 0
    cli.ok("badges", "import", "credly-oauth")
    (badge,) = cli.json("badges", "list")
    cli.ok("learners", "add", "ola@example.org", "--first-name", "Ola", "--last-name", "Nordmann")
    cli.ok("awards", "grant", "--badge", badge["id"], "--learner", "ola@example.org")
    (held,) = credly_mock.state()["badges"]
    assert (held["recipient_email"], held["state"]) == ("ola@example.org", "pending")
    requests = httpx.get(f"{credly_mock.url}/_mock/requests", timeout=30).json()
    token_calls = [r for r in requests if r["path"].endswith("/oauth/token")]
    api_calls = [r for r in requests if r["path"].startswith("/v1/organizations/")]
    assert token_calls and api_calls
    authorizations = {str(r["headers"].get("Authorization", "")).split(" ")[0] for r in api_calls}
    assert authorizations == {"Bearer"}
    output = "".join(cli.outputs)
    assert app["client_secret"] not in output
    (row,) = cli.json("connections", "list")
    assert app["client_secret"] not in json.dumps(row)


def test_wrong_client_credentials_are_one_line_and_save_nothing(cli, credly_mock):
    org = credly_mock.create_organization("OAuth Org")
    app = oauth_application(credly_mock, org["id"]) | {"client_secret": "not-the-secret-1234"}
    result = connect_oauth(cli, credly_mock, org["id"], app)
    assert "refused the OAuth client credentials" in one_line_error(result)
    assert "not-the-secret" not in result.stderr
    assert cli.json("connections", "list") == []
