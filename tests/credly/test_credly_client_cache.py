"""One pooled client per connection: reused across hook calls, replaced when the settings change."""

from __future__ import annotations

import base64

from badgebridge.plugins.credly import client as credly_client
from badgebridge.plugins.credly import provider
from badgebridge.plugins.credly.client import client_for
from tests.credly.fake_credly import CREDENTIAL, ORG_ID, badge, envelope, make_conn


def test_hook_calls_for_one_connection_share_one_http_client(credly, conn):
    credly.json(200, envelope({"id": ORG_ID, "name": "Acme"}))
    first = client_for(conn)
    provider.connect(connection=conn)
    provider.connect(connection=make_conn())
    assert client_for(make_conn()) is first
    assert len(credly.requests) == 2
    assert not first._http.is_closed


def test_each_connection_has_its_own_client(credly):
    assert client_for(make_conn("one")) is not client_for(make_conn("two"))


def test_a_changed_token_host_or_organization_replaces_and_closes_the_client(credly):
    old = client_for(make_conn("conn"))
    for changed in (
        make_conn("conn", token="another-token-0000"),
        make_conn("conn", token="another-token-0000", host="sandbox-api.credly.com"),
        make_conn("conn", token="another-token-0000", host="sandbox-api.credly.com", org_id="org-2"),
    ):
        new = client_for(changed)
        assert new is not old
        assert old._http.is_closed
        assert client_for(changed) is new
        old = new
    assert (new.base_url, new.org_id) == ("https://sandbox-api.credly.com/v1", "org-2")


def test_the_new_token_is_the_one_sent(credly):
    credly.json(200, envelope(badge()))
    provider.fetch_badge(make_conn("conn"), "b1")
    provider.fetch_badge(make_conn("conn", token="second-token-1111"), "b1")
    sent = [request.headers["Authorization"] for request in credly.requests]
    assert sent == ["Basic " + CREDENTIAL, "Basic " + base64.b64encode(b"second-token-1111:").decode()]


def test_close_all_closes_and_forgets_every_client(credly):
    clients = [client_for(make_conn(name)) for name in ("a", "b")]
    credly_client.close_all()
    assert all(client._http.is_closed for client in clients)
    assert client_for(make_conn("a")) is not clients[0]


def test_the_client_repr_shows_no_token(conn, credly):
    shown = repr(client_for(conn))
    assert shown == f"CredlyClient(base_url='https://api.credly.com/v1', org_id='{ORG_ID}')"
