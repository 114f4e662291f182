"""OAuth mode against the mock on a real socket: one connection keeps issuing across a token's expiry."""

from __future__ import annotations

from datetime import UTC, datetime

from badgebridge.core.model import IssueRequest, Recipient
from badgebridge.core.settings import make_connection, split_secrets, validate_settings
from badgebridge.plugins.credly import provider


def oauth_connection(credly_mock, org_id: str, app: dict):
    declaration = provider.declare_provider()
    settings = {
        "org_id": org_id,
        "host": credly_mock.url,
        "auth": "oauth",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    }
    plain, secrets = split_secrets(declaration, validate_settings(declaration, settings))
    return make_connection("oauth-e2e", declaration, plain, secrets)


def request(template_id: str, email: str) -> IssueRequest:
    return IssueRequest(
        award_id=email,
        external_badge_id=template_id,
        recipient=Recipient(email, "Ola", "Nordmann", email),
        issued_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


def test_a_connection_keeps_issuing_after_its_bearer_token_expires(credly_mock):
    org = credly_mock.create_organization("OAuth Org")
    template = credly_mock.create_template(org["id"], "Bearer Badge")
    app = credly_mock.create_oauth_application(org["id"], expires_in=60)
    conn = oauth_connection(credly_mock, org["id"], app)

    first = provider.issue_badge(connection=conn, request=request(template["id"], "one@example.org"))
    credly_mock.advance_clock(120)  # the mock's clock: the Bearer token has expired there
    second = provider.issue_badge(connection=conn, request=request(template["id"], "two@example.org"))

    held = {b["id"]: b["recipient_email"] for b in credly_mock.state()["badges"]}
    assert held == {first.provider_badge_id: "one@example.org", second.provider_badge_id: "two@example.org"}
    log = [(r["method"], r["path"], r.get("status")) for r in credly_mock.requests]
    tokens = [entry for entry in log if entry[1].endswith("/oauth/token")]
    assert len(tokens) == 2, log
    issues = [entry for entry in log if entry[1].endswith("/badges") and entry[0] == "POST"]
    assert [status for *_, status in issues] == [201, 401, 201], "refused once as expired, then renewed"
    assert app["client_secret"] not in str(credly_mock.requests)
