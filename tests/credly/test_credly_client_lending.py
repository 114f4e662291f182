"""A Credly client lends each request an ``httpx.Client`` of its own: one per request at once."""

from __future__ import annotations

import threading

import httpx
import pytest

from badgebridge.plugins.credly.client import CredlyClient
from tests.credly.fake_credly import ORG_ID, badge, envelope


def lending_client(handler) -> CredlyClient:
    transport = httpx.MockTransport(handler)
    return CredlyClient(
        base_url="https://api.credly.com/v1", org_id=ORG_ID, token="t" * 20, transport=transport
    )


def test_requests_one_after_another_reuse_one_http_client():
    client = lending_client(lambda request: httpx.Response(200, json=envelope(badge())))
    for _ in range(3):
        client.get_badge("b1")
    assert len(client._clients) == 1


def test_requests_made_at_once_each_get_an_http_client_and_close_closes_them_all():
    together = threading.Barrier(3)
    first_three = iter(range(3))

    def handler(request: httpx.Request) -> httpx.Response:
        if next(first_three, None) is not None:
            together.wait(timeout=10)  # the first three pass only while all three are in flight
        return httpx.Response(200, json=envelope(badge()))

    client = lending_client(handler)
    threads = [threading.Thread(target=client.get_badge, args=("b1",)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(client._clients) == 3
    client.get_badge("b1")
    assert len(client._clients) == 3, "a lent client is given back for the next request"
    client.close()
    assert all(http.is_closed for http in client._clients)


def test_a_closed_client_refuses_requests_and_opens_no_new_http_client():
    client = lending_client(lambda request: httpx.Response(200, json=envelope(badge())))
    client.close()
    with pytest.raises(RuntimeError):
        client.get_badge("b1")
    assert len(client._clients) == 1


def test_issues_go_to_the_organizations_badges_path():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(201, json=envelope(badge()))

    lending_client(handler).issue_badge({"badge_template_id": "t1"})
    assert seen == [f"https://api.credly.com/v1/organizations/{ORG_ID}/badges"]
