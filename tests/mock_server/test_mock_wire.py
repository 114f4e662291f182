"""Wire details clients trip on: page_size, newest first, 405 Allow, 400 for bad JSON, the order of
checks, forwarded hosts, template fields, country codes."""

from __future__ import annotations

import pytest

from badgebridge.mock_server import DEFAULT_SEED

PYTHON = DEFAULT_SEED["organizations"][0]["badge_templates"][0]["id"]


def test_page_size_is_read_like_per(api):
    body = api.get("/badge_templates", query_string={"page_size": 2}).get_json()

    assert (body["metadata"]["per"], body["metadata"]["count"], body["metadata"]["total_pages"]) == (2, 2, 3)
    assert "page_size=2" in body["metadata"]["next_page_url"]


def test_badges_are_listed_newest_first_so_a_reissue_comes_first(api):
    old = api.issued()
    api.put(f"/badges/{old['id']}/revoke", json={"reason": "mistake"})
    new = api.issued()

    listed = api.get("/badges", query_string={"filter": "recipient_email::ada@example.org"}).get_json()[
        "data"
    ]

    assert [b["id"] for b in listed] == [new["id"], old["id"]]


def test_a_wrong_method_names_the_allowed_ones(api):
    response = api.call("PATCH", "/badges")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"'])
def test_a_body_that_is_not_a_json_object_is_400(api, raw):
    response = api.post("/badges", data=raw, content_type="application/json")

    assert response.status_code == 400
    assert response.get_json()["data"]["message"].startswith("The request body")


def test_the_organization_is_checked_before_the_body(api):
    other = api.organization()

    unknown = api.post("/v1/organizations/nope/badges", json={})
    foreign = api.post(
        f"/v1/organizations/{other['id']}/badges", data="{bad", content_type="application/json"
    )

    assert unknown.status_code == 404
    assert foreign.status_code == 403


def test_the_badge_is_checked_before_the_body(api):
    assert api.put("/badges/nope/revoke", json={}).status_code == 404
    assert api.put("/badge_templates/nope", json={"state": "nonsense"}).status_code == 404


def test_page_urls_follow_forwarded_proto_and_host(api):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "credly.example.test"}

    body = api.get("/badge_templates", query_string={"per": 1}, headers=headers).get_json()

    assert body["metadata"]["next_page_url"].startswith("https://credly.example.test/v1/organizations/")
    assert body["data"][0]["image_url"].startswith("https://credly.example.test/")


def test_templates_carry_the_fields_real_ones_have(api):
    listed = api.get("/badge_templates").get_json()["data"][0]
    single = api.get(f"/badge_templates/{PYTHON}").get_json()["data"]

    assert {"get_issue_count", "show_template_settings"} <= set(listed)
    assert "recommending_templates" not in listed
    assert (single["recommending_templates"], single["criterion_for"]) == ([], [])


@pytest.mark.parametrize(
    ("country", "code"), [("United States", "USA"), ("Germany", "DEU"), ("FR", "FRA"), ("Atlantis", None)]
)
def test_country_code_is_derived_from_the_country(api, country, code):
    badge = api.issued(country_name=country)

    assert (badge["country"], badge["country_code"]) == (country, code)


def test_the_organization_profile_is_updated_and_cleared(api):
    changed = api.put("", json={"organization_type": "School", "city": "Leeds", "colour": "ignored"})
    cleared = api.put("", json={"city": None})

    assert changed.status_code == 200
    assert (changed.get_json()["data"]["organization_type"], changed.get_json()["data"]["city"]) == (
        "School",
        "Leeds",
    )
    assert "colour" not in changed.get_json()["data"]
    assert cleared.get_json()["data"]["city"] is None
    assert api.put("", json={"name": ""}).status_code == 422
