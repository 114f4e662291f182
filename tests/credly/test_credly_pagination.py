"""Walking Credly's pages: next_page_url verbatim, total_pages as the fallback, and no endless walks."""

from __future__ import annotations

import re

import httpx
import pytest

from badgebridge.core.errors import ProviderUnavailable
from badgebridge.plugins.credly import provider
from tests.credly.fake_credly import ORG_ID, ORG_URL, page

TEMPLATES_URL = f"{ORG_URL}/badge_templates"
FIRST_URL = f"{TEMPLATES_URL}?filter=state%3A%3Aactive&sort=name"


def templates(*ids: str) -> list[dict[str, str]]:
    return [{"id": i, "name": f"Badge {i}", "state": "active"} for i in ids]


def imported(conn) -> list[str]:
    return [badge.external_id for badge in provider.import_badges(connection=conn)]


def test_next_page_url_is_followed_verbatim(credly, conn):
    second = f"{TEMPLATES_URL}?filter=state::active&sort=name&page=2&per=2&cursor=x%2By"
    third = f"{TEMPLATES_URL}?page=3&per=2&filter=state::active&sort=name&cursor=z"
    credly.json(200, page(templates("a", "b"), 1, 3, second))
    credly.json(200, page(templates("c", "d"), 2, 3, third))
    credly.json(200, page(templates("e"), 3, 3, None))
    assert imported(conn) == ["a", "b", "c", "d", "e"]
    assert credly.urls == [FIRST_URL, second, third]


def test_a_relative_next_page_url_stays_on_our_host(credly, conn):
    credly.json(200, page(templates("a"), 1, 2, f"/v1/organizations/{ORG_ID}/badge_templates?page=2"))
    credly.json(200, page(templates("b"), 2, 2, None))
    assert imported(conn) == ["a", "b"]
    assert credly.urls[1] == f"{TEMPLATES_URL}?page=2"


def test_total_pages_is_honoured_when_next_page_url_is_missing(credly, conn):
    credly.json(200, page(templates("a"), 1, 3, None))
    credly.json(200, page(templates("b"), 2, 3, None))
    credly.json(200, page(templates("c"), 3, 3, None))
    assert imported(conn) == ["a", "b", "c"]
    assert [dict(httpx.URL(url).params) for url in credly.urls] == [
        {"filter": "state::active", "sort": "name"},
        {"filter": "state::active", "sort": "name", "page": "2"},
        {"filter": "state::active", "sort": "name", "page": "3"},
    ]


def test_the_walk_stops_on_the_last_page_and_on_an_empty_page(credly, conn):
    credly.json(200, page(templates("a"), 1, 5, f"{TEMPLATES_URL}?page=2"))
    credly.json(200, page([], 2, 5, f"{TEMPLATES_URL}?page=3"))
    assert imported(conn) == ["a"]
    assert len(credly.requests) == 2


def test_metadata_without_pages_means_one_page(credly, conn):
    credly.reply(httpx.Response(200, json={"data": templates("a", "b")}))
    assert imported(conn) == ["a", "b"]
    assert len(credly.requests) == 1


def test_a_next_page_url_pointing_back_is_a_loop(credly, conn):
    credly.json(200, page(templates("a"), 1, 3, f"{TEMPLATES_URL}?page=2"))
    credly.json(200, page(templates("b"), 2, 3, f"{TEMPLATES_URL}?page=2"))
    walk = provider.import_badges(connection=conn)
    assert [next(walk).external_id, next(walk).external_id] == ["a", "b"]
    with pytest.raises(ProviderUnavailable, match=r"pagination loops: page 3 of 3 is .*page=2"):
        next(walk)
    assert len(credly.requests) == 2


def test_more_pages_than_total_pages_is_a_loop(credly, conn):
    credly.reply(lambda request: httpx.Response(200, json=page(templates("x"), 1, 2, f"{request.url}&n=1")))
    with pytest.raises(ProviderUnavailable, match="pagination loops"):
        imported(conn)
    assert len(credly.requests) == 2


def test_a_next_page_on_another_host_never_gets_the_token(credly, conn):
    credly.json(200, page(templates("a"), 1, 2, "https://evil.example/v1/steal?page=2"))
    credly.json(200, page(templates("b"), 2, 2, None))
    assert imported(conn) == ["a", "b"]
    assert all(request.url.host == "api.credly.com" for request in credly.requests)
    assert dict(credly.requests[1].url.params)["page"] == "2"


def test_a_foreign_next_page_without_page_numbers_fails_rather_than_stopping_short(credly, conn):
    credly.reply(
        httpx.Response(
            200, json={"data": templates("a"), "metadata": {"next_page_url": "https://x.example/"}}
        )
    )
    with pytest.raises(ProviderUnavailable, match=re.escape("next page is not on https://api.credly.com/v1")):
        imported(conn)
    assert len(credly.requests) == 1
