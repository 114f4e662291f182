"""What goes on the wire for each hook, and what the hooks make of Credly's answers."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import httpcore
import pytest

from badgebridge import __version__
from badgebridge.core.errors import ProviderUnavailable
from badgebridge.core.model import ConnectionInfo, IssuedBadge, ProviderBadge
from badgebridge.plugins.credly import client as credly_client
from badgebridge.plugins.credly import provider
from badgebridge.plugins.credly.client import base_url_for
from tests.credly.fake_credly import (
    BADGE_ID,
    ORG_ID,
    ORG_URL,
    TEMPLATE_ID,
    TOKEN,
    badge,
    envelope,
    issue_request,
    make_conn,
    page,
)

ORGANIZATION = {"id": ORG_ID, "name": "Acme Academy", "website_url": None}


@pytest.mark.parametrize(
    ("host", "base"),
    [
        (None, "https://api.credly.com/v1"),
        ("api.credly.com", "https://api.credly.com/v1"),
        ("https://sandbox-api.credly.com/", "https://sandbox-api.credly.com/v1"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123/v1"),
        ("http://127.0.0.1:8123/v1", "http://127.0.0.1:8123/v1"),
        ("https://sandbox-api.credly.com/v1/", "https://sandbox-api.credly.com/v1"),
        ("https://www.youracclaim.com/api/v1", "https://www.youracclaim.com/api/v1"),
    ],
)
def test_connect_requests_the_organization_under_v1_once(credly, host, base):
    credly.json(200, envelope(ORGANIZATION))
    info = provider.connect(connection=make_conn(host=host))
    assert info == ConnectionInfo(account_name="Acme Academy", account_id=ORG_ID)
    [request] = credly.requests
    assert (request.method, str(request.url)) == ("GET", f"{base}/organizations/{ORG_ID}")


@pytest.mark.parametrize(
    ("host", "base"),
    [
        (None, "https://api.credly.com/v1"),
        ("", "https://api.credly.com/v1"),
        ("api.credly.com", "https://api.credly.com/v1"),
        ("https://sandbox-api.credly.com/", "https://sandbox-api.credly.com/v1"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123/v1"),
        ("http://127.0.0.1:8123/v1/", "http://127.0.0.1:8123/v1"),
    ],
)
def test_base_url_adds_v1_exactly_once_even_to_raw_hosts(host, base):
    assert base_url_for(host) == base


def test_every_request_carries_basic_auth_json_accept_user_agent_and_timeouts(credly, conn):
    credly.json(200, envelope(ORGANIZATION))
    provider.connect(connection=conn)
    [request] = credly.requests
    scheme, credential = request.headers["Authorization"].split(" ")
    assert (scheme, base64.b64decode(credential).decode()) == ("Basic", f"{TOKEN}:"), "the token, no password"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"].startswith(f"badgebridge/{__version__}")
    assert request.extensions["timeout"] == {"connect": 5, "read": 20, "write": 10, "pool": 5}


@pytest.mark.parametrize(("refusals", "works"), [(2, True), (3, False)])
def test_a_refused_connection_is_tried_twice_more_on_the_network(monkeypatch, credly_mock, refusals, works):
    """Over a real socket to the mock, the first ``refusals`` TCP connects fail: two retries get
    through two refusals; a third refusal is the end (nothing was sent, so retrying was safe)."""
    connect_tcp, attempts = httpcore.SyncBackend.connect_tcp, []

    def refuse_at_first(backend, *args, **kwargs):
        attempts.append(kwargs.get("port"))
        if len(attempts) <= refusals:
            raise httpcore.ConnectError("connection refused (injected)")
        return connect_tcp(backend, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", refuse_at_first)
    monkeypatch.setattr(httpcore.SyncBackend, "sleep", lambda backend, seconds: None)
    credly_client.set_transport(None)
    conn = make_conn(
        f"network-{refusals}",
        host=credly_mock.url,
        token=credly_mock.token,
        org_id=credly_mock.organization_id,
    )
    try:
        if works:
            assert provider.connect(connection=conn).account_id == credly_mock.organization_id
        else:
            with pytest.raises(ProviderUnavailable, match="cannot reach"):
                provider.connect(connection=conn)
    finally:
        credly_client.close_all()
    assert len(attempts) == 3, "one connect and two retries"


def test_issue_posts_exactly_the_documented_fields(credly, conn):
    credly.json(201, envelope(badge(state="pending")))
    issued = provider.issue_badge(connection=conn, request=issue_request())
    assert issued == IssuedBadge(BADGE_ID, "pending", f"https://www.credly.com/badges/{BADGE_ID}")
    [request] = credly.requests
    assert (request.method, str(request.url)) == ("POST", f"{ORG_URL}/badges")
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "recipient_email": "ada@example.com",
        "issued_to_first_name": "Ada",
        "issued_to_last_name": "Lovelace",
        "badge_template_id": TEMPLATE_ID,
        "issued_at": "2014-04-01 09:41:00 +0000",
        "issuer_earner_id": "learner-7",
    }


def test_issued_at_keeps_the_offset_it_is_given(credly, conn):
    credly.json(201, envelope(badge()))
    minus_five = timezone(timedelta(hours=-5))
    provider.issue_badge(conn, issue_request(issued_at=datetime(2014, 4, 1, 9, 41, 7, tzinfo=minus_five)))
    assert json.loads(credly.requests[0].content)["issued_at"] == "2014-04-01 09:41:07 -0500"


def test_issue_accepts_200_and_a_badge_without_url(credly, conn):
    credly.json(200, envelope({"id": 42, "state": "pending", "badge_url": None}))
    assert provider.issue_badge(conn, issue_request()) == IssuedBadge("42", "pending", None)


def test_import_asks_for_active_templates_by_name_and_drops_any_other(credly, conn):
    templates = [
        {
            "id": "t1",
            "name": "Archery",
            "description": "Bows",
            "image_url": "https://img/1.png",
            "state": "active",
        },
        {"id": "t2", "name": "Baking", "description": None, "image_url": None, "state": "active"},
        {"id": "t3", "name": "Cooking", "state": "archived"},
        {"id": "t4", "name": "Diving", "state": "draft"},
        {"id": "t5", "name": "Etching"},
    ]
    credly.json(200, page(templates, 1, 1, None))
    badges = provider.import_badges(connection=conn)
    assert credly.requests == [], "the host consumes the import lazily"
    assert list(badges) == [
        ProviderBadge("t1", "Archery", "Bows", "https://img/1.png", "active"),
        ProviderBadge("t2", "Baking", "", "", "active"),
    ]
    [request] = credly.requests
    assert request.url.path == f"/v1/organizations/{ORG_ID}/badge_templates"
    assert dict(request.url.params) == {"filter": "state::active", "sort": "name"}


def test_find_badge_looks_up_by_earner_id_first(credly, conn):
    credly.json(200, page([badge(state="accepted")], 1, 1, None))
    found = provider.find_badge(connection=conn, request=issue_request())
    assert found == IssuedBadge(BADGE_ID, "accepted", f"https://www.credly.com/badges/{BADGE_ID}")
    [request] = credly.requests
    assert request.url.path == f"/v1/organizations/{ORG_ID}/badges"
    assert request.url.params["filter"] == (
        f"badge_template_id::{TEMPLATE_ID}|issuer_earner_id::learner-7|state::pending,accepted"
    )


def test_find_badge_falls_back_to_the_recipient_email(credly, conn):
    by_email = badge("b-by-email", issuer_earner_id=None, recipient_email="Ada@Example.com")
    credly.json(200, page([], 1, 0, None)).json(200, page([by_email], 1, 1, None))
    assert provider.find_badge(conn, issue_request()).provider_badge_id == "b-by-email"
    assert [request.url.params["filter"] for request in credly.requests] == [
        f"badge_template_id::{TEMPLATE_ID}|issuer_earner_id::learner-7|state::pending,accepted",
        f"badge_template_id::{TEMPLATE_ID}|recipient_email::ada@example.com|state::pending,accepted",
    ]


def test_find_badge_returns_none_when_credly_holds_none(credly, conn):
    credly.json(200, page([], 1, 0, None))
    assert provider.find_badge(conn, issue_request()) is None
    assert len(credly.requests) == 2


def test_find_badge_ignores_revoked_badges_and_partial_matches(credly, conn):
    revoked = badge("b-revoked", state="revoked")
    someone_else = badge("b-other", issuer_earner_id="learner-77", recipient_email="grace@example.com")
    credly.json(200, page([revoked, someone_else], 1, 1, None))
    assert provider.find_badge(conn, issue_request()) is None


def test_fetch_badge_reads_one_badge(credly, conn):
    credly.json(200, envelope(badge(state="accepted")))
    assert provider.fetch_badge(connection=conn, provider_badge_id=BADGE_ID).state == "accepted"
    assert credly.urls == [f"{ORG_URL}/badges/{BADGE_ID}"]


def test_revoke_puts_the_reason(credly, conn):
    credly.json(200, envelope(badge(state="revoked")))
    revoked = provider.revoke_badge(connection=conn, provider_badge_id=BADGE_ID, reason="Issued in error")
    assert revoked == IssuedBadge(BADGE_ID, "revoked", f"https://www.credly.com/badges/{BADGE_ID}")
    [request] = credly.requests
    assert (request.method, str(request.url)) == ("PUT", f"{ORG_URL}/badges/{BADGE_ID}/revoke")
    assert json.loads(request.content) == {"reason": "Issued in error"}


def test_ids_are_escaped_in_paths(credly, conn):
    credly.json(200, envelope(badge("a/b?c")))
    provider.fetch_badge(conn, "a/b?c")
    assert credly.requests[0].url.raw_path.decode() == f"/v1/organizations/{ORG_ID}/badges/a%2Fb%3Fc"


def test_issued_at_from_the_host_is_utc(credly, conn):
    credly.json(201, envelope(badge()))
    provider.issue_badge(conn, issue_request(issued_at=datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)))
    assert json.loads(credly.requests[0].content)["issued_at"] == "2025-12-31 23:59:59 +0000"
