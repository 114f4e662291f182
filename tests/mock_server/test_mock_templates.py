"""GET badge_templates: filters (unencoded and percent-encoded), sort, pagination, single template."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_SEED

SEED_NAMES = [t["name"] for t in DEFAULT_SEED["organizations"][0]["badge_templates"]]
ACTIVE = ["Python Fundamentals", "Data Steward", "Public Speaker", "Team Lead"]


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [template["name"] for template in response.get_json()["data"]]


def test_the_default_seed_lists_four_active_templates_and_one_archived(api):
    response = api.get("/badge_templates")

    assert names(response) == SEED_NAMES
    assert [t["state"] for t in response.get_json()["data"]].count("archived") == 1
    assert response.get_json()["metadata"] == {
        "count": 5,
        "current_page": 1,
        "total_count": 5,
        "total_pages": 1,
        "per": 50,
        "previous_page_url": None,
        "next_page_url": None,
    }


@pytest.mark.parametrize(
    "query_string",
    ["filter=state::active", "filter=state%3A%3Aactive", "filter=state%3a%3aactive&sort="],
)
def test_state_filter_unencoded_or_percent_encoded(api, query_string):
    assert names(api.get("/badge_templates", query_string=query_string)) == ACTIVE


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ("state::archived", ["Legacy Web Basics"]),
        ("state::active,archived", SEED_NAMES),
        ("state::ACTIVE", ACTIVE),
        ("state::draft", []),
        ("name::speak", ["Public Speaker"]),
        ('name::"Data Steward"', ["Data Steward"]),
        ('name::"data steward"', ["Data Steward"]),
        ('name::"Data"', []),
        ("name::python,team", ["Python Fundamentals", "Team Lead"]),
        ("query::debugs", ["Python Fundamentals"]),
        ("query::LEAD", ["Team Lead"]),
        ("state::active|query::web", []),
        ("state::archived|query::web", ["Legacy Web Basics"]),
        ("colour::red|state::archived", ["Legacy Web Basics"]),
        ("public::true|state::archived", ["Legacy Web Basics"]),
        ("public::false", []),
        ("created_at_min::2000-01-01|state::archived", ["Legacy Web Basics"]),
        ("created_at_max::2000-01-01", []),
        ("owner_id::" + DEFAULT_ORGANIZATION_ID + "|name::lead", ["Team Lead"]),
        ("not a clause", SEED_NAMES),
    ],
)
def test_filters(api, filter_, expected):
    assert names(api.get("/badge_templates", query_string={"filter": filter_})) == expected


def test_public_filter_finds_private_templates(api):
    api.template("Internal Auditor", public=False)

    assert names(api.get("/badge_templates", query_string={"filter": "public::false"})) == [
        "Internal Auditor"
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", sorted(SEED_NAMES)),
        ("-name", sorted(SEED_NAMES, reverse=True)),
        ("created_at", SEED_NAMES),
        ("unknown_key", SEED_NAMES),
        ("state|name", [*sorted(ACTIVE), "Legacy Web Basics"]),
        ("-state|-name", ["Legacy Web Basics", *sorted(ACTIVE, reverse=True)]),
    ],
)
def test_sort(api, sort, expected):
    assert names(api.get("/badge_templates", query_string={"sort": sort})) == expected


def test_sort_by_creation_time_descending(api):
    api.template("Newest")

    assert names(api.get("/badge_templates", query_string={"sort": "-created_at"}))[0] == "Newest"


def test_pages_link_absolutely_and_keep_filter_sort_and_per(api):
    first = api.get("/badge_templates", query_string="filter=state::active&sort=-name&per=3").get_json()

    meta = first["metadata"]
    assert (meta["count"], meta["total_count"], meta["total_pages"], meta["per"]) == (3, 4, 2, 3)
    assert meta["previous_page_url"] is None
    link = urlsplit(meta["next_page_url"])
    assert (link.scheme, link.netloc) == ("http", "localhost")
    assert link.path == f"/v1/organizations/{DEFAULT_ORGANIZATION_ID}/badge_templates"
    assert parse_qs(link.query) == {
        "filter": ["state::active"],
        "sort": ["-name"],
        "per": ["3"],
        "page": ["2"],
    }

    second = api.get(f"{link.path}?{link.query}").get_json()

    assert [t["name"] for t in first["data"] + second["data"]] == sorted(ACTIVE, reverse=True)
    assert second["metadata"]["current_page"] == 2
    assert second["metadata"]["next_page_url"] is None
    assert parse_qs(urlsplit(second["metadata"]["previous_page_url"]).query)["page"] == ["1"]


def test_page_urls_keep_badge_format_and_drop_unknown_parameters(api):
    meta = api.get("/badge_templates", query_string="per=1&badge_format=minimal&foo=bar").get_json()[
        "metadata"
    ]

    assert parse_qs(urlsplit(meta["next_page_url"]).query) == {
        "per": ["1"],
        "badge_format": ["minimal"],
        "page": ["2"],
    }


def test_a_page_past_the_end_is_empty(api):
    body = api.get("/badge_templates", query_string="page=9").get_json()

    assert body["data"] == []
    assert (body["metadata"]["count"], body["metadata"]["total_pages"]) == (0, 1)
    assert body["metadata"]["next_page_url"] is None


def test_an_empty_list_still_has_one_page(api):
    meta = api.get("/badges").get_json()["metadata"]

    assert (meta["count"], meta["total_count"], meta["total_pages"], meta["current_page"]) == (0, 0, 1, 1)


@pytest.mark.parametrize(("per", "effective"), [("0", 50), ("abc", 50), ("-3", 50), ("2", 2), ("500", 100)])
def test_per_is_read_leniently_and_capped_at_100(api, per, effective):
    assert api.get("/badge_templates", query_string={"per": per}).get_json()["metadata"]["per"] == effective


@pytest.mark.parametrize("page", ["0", "-1", "x"])
def test_an_unreadable_page_is_page_one(api, page):
    assert (
        api.get("/badge_templates", query_string={"page": page}).get_json()["metadata"]["current_page"] == 1
    )


def test_get_one_template(api):
    template_id = DEFAULT_SEED["organizations"][0]["badge_templates"][1]["id"]

    body = api.get(f"/badge_templates/{template_id}").get_json()

    assert body["metadata"] == {}
    template = body["data"]
    assert (template["id"], template["name"], template["state"]) == (template_id, "Data Steward", "active")
    assert template["owner"]["id"] == DEFAULT_ORGANIZATION_ID
    assert template["image_url"].startswith("http://localhost/")
    assert template["allow_duplicate_badges"] is False


def test_an_unknown_template_is_404(api):
    response = api.get("/badge_templates/nope")

    assert response.status_code == 404
    assert response.get_json() == {"data": {"message": "Badge template nope not found."}}


def test_another_organizations_template_is_404_under_this_one(api):
    other = api.organization()
    theirs = api.template("Theirs", org_id=other["id"])

    assert api.get(f"/badge_templates/{theirs['id']}").status_code == 404
    assert (
        api.get(
            f"/v1/organizations/{other['id']}/badge_templates/{theirs['id']}", token=other["token"]
        ).status_code
        == 200
    )


def test_template_image_urls_resolve(api, client):
    template = api.get("/badge_templates").get_json()["data"][0]

    response = client.get(urlsplit(template["image_url"]).path)

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG")
