"""Replace, batch issue and `high_volume_issued_badge_search`."""

from __future__ import annotations

import pytest

from badgebridge.mock_server import DEFAULT_SEED

TEMPLATES = {t["name"]: t["id"] for t in DEFAULT_SEED["organizations"][0]["badge_templates"]}
PYTHON, STEWARD = TEMPLATES["Python Fundamentals"], TEMPLATES["Data Steward"]
REPLACED_TWICE = "Validation failed: This badge cannot be replaced because it has already been replaced."


def replace(api, target, **body):
    return api.post(f"/badges/{target}/replace", json=body)


def test_replace_makes_a_new_badge_linked_both_ways(api, client):
    old = api.issued()
    client.post(f"/_mock/badges/{old['id']}/accept")

    response = replace(api, old["id"], badge_template_id=PYTHON, issued_at="2026-02-01", badge_id=old["id"])

    assert response.status_code == 201
    new = response.get_json()["data"]
    assert new["id"] != old["id"]
    assert (new["state"], new["replaces_badge_id"], new["recipient_email"]) == (
        "pending",
        old["id"],
        "ada@example.org",
    )
    assert new["issued_at"] == "2026-02-01T00:00:00.000Z"
    shown_old = api.get(f"/badges/{old['id']}").get_json()["data"]
    assert (shown_old["state"], shown_old["replacement_badge_id"]) == ("revoked", new["id"])
    assert shown_old["revocation_reason"] == f"Replaced by badge {new['id']}."
    types = [e["event_type"] for e in client.get("/_mock/state").get_json()["events"]]
    assert types[-2:] == ["badge.created", "badge.state.changed"]


def test_replace_may_change_the_template_and_names(api):
    old = api.issued()

    new = replace(api, old["id"], badge_template_id=STEWARD, issued_to_first_name="Augusta").get_json()[
        "data"
    ]

    assert new["badge_template"]["id"] == STEWARD
    assert (new["issued_to_first_name"], new["issued_to_last_name"]) == ("Augusta", "Lovelace")


def test_replacing_twice_is_422_naming_the_current_badge(api):
    first = api.issued()
    second = replace(api, first["id"]).get_json()["data"]
    third = replace(api, second["id"]).get_json()["data"]

    response = replace(api, first["id"])

    assert response.status_code == 422
    assert response.get_json() == {
        "data": {"message": REPLACED_TWICE},
        "metadata": {"current_badge_id": third["id"]},
    }


def test_a_failed_replace_leaves_the_old_badge_as_it_was(api):
    old = api.issued()

    response = replace(api, old["id"], badge_template_id=TEMPLATES["Legacy Web Basics"])

    assert response.status_code == 422
    shown = api.get(f"/badges/{old['id']}").get_json()["data"]
    assert (shown["state"], shown["replacement_badge_id"]) == ("pending", None)
    assert api.issue().status_code == 422, "the old badge still holds"


def test_an_unknown_badge_is_404_before_its_body_is_read(api):
    response = api.post("/badges/nope/replace", data="{not json", content_type="application/json")

    assert response.status_code == 404


def test_batch_issues_each_badge_and_names_the_refused(api, client):
    body = {
        "badges": [
            {"recipient_email": "a@example.org", "badge_template_id": PYTHON, "issued_at": "2026-01-15"},
            {"recipient_email": "a@example.org", "badge_template_id": PYTHON, "issued_at": "2026-01-15"},
            {"recipient_email": "b@example.org", "badge_template_id": PYTHON},
            {"recipient_email": "c@example.org", "badge_template_id": STEWARD, "issued_at": "2026-01-15"},
        ]
    }

    response = api.post("/badges/batch", json=body)

    assert response.status_code == 201
    result = response.get_json()
    assert [b["recipient_email"] for b in result["data"]] == ["a@example.org", "c@example.org"]
    assert result["metadata"]["count"] == 2
    assert [(e["index"], e["status"]) for e in result["metadata"]["errors"]] == [(1, 422), (2, 422)]
    assert "already has this badge" in result["metadata"]["errors"][0]["message"]
    assert "issued_at" in result["metadata"]["errors"][1]["message"]
    assert len(client.get("/_mock/state").get_json()["badges"]) == 2


def test_a_batch_that_issues_nothing_is_422(api):
    response = api.post("/badges/batch", json={"badges": [{"recipient_email": "x@example.org"}]})

    assert response.status_code == 422
    assert response.get_json()["metadata"]["count"] == 0


@pytest.mark.parametrize("body", [{}, {"badges": []}, {"badges": "x"}])
def test_a_malformed_batch_is_422(api, body):
    assert api.post("/badges/batch", json=body).status_code == 422


def test_high_volume_search_walks_every_badge_in_creation_order(api):
    ids = [api.issued(recipient_email=f"learner{n}@example.org")["id"] for n in range(5)]

    seen, url = [], "/high_volume_issued_badge_search?per=2&badge_format=minimal"
    first = api.get(url).get_json()
    while url:
        body = api.get(url).get_json()
        seen += body["data"]
        next_url = body["metadata"]["next_page_url"]
        url = next_url.removeprefix("http://localhost") if next_url else None

    assert [b["id"] for b in seen] == ids
    assert "badge_format=minimal" in first["metadata"]["next_page_url"]
    assert set(seen[0]) == {
        "id",
        "state",
        "badge_template_id",
        "recipient_email",
        "issued_to_first_name",
        "issued_to_last_name",
        "issuer_earner_id",
        "issued_at",
        "expires_at",
        "updated_at",
        "badge_url",
    }


def test_high_volume_search_filters_by_expiry_and_shows_full_badges_by_default(api):
    api.issued(recipient_email="soon@example.org", expires_at="2026-06-01")
    api.issued(recipient_email="later@example.org", expires_at="2027-06-01")
    api.issued(recipient_email="never@example.org")

    body = api.get("/high_volume_issued_badge_search?filter=expires_at_date_max::2026-12-31").get_json()

    assert [b["recipient_email"] for b in body["data"]] == ["soon@example.org"]
    assert "badge_template" in body["data"][0]
    assert api.get("/high_volume_issued_badge_search?badge_format=huge").status_code == 422


def test_the_duplicate_rule_follows_each_change_of_state(api, client):
    badge = api.issued()
    assert api.issue().status_code == 422
    client.post(f"/_mock/badges/{badge['id']}/reject")
    again = api.issued()
    api.put(f"/badges/{again['id']}/revoke", json={"reason": "r"})
    third = api.issued()
    api.delete(f"/badges/{third['id']}")
    fourth = api.issued(issuer_earner_id="e-9", recipient_email="other@example.org")

    assert api.issue(issuer_earner_id="e-9", recipient_email="new@example.org").status_code == 422
    assert replace(api, fourth["id"]).status_code == 201
    assert api.issue(issuer_earner_id="e-9", recipient_email="new@example.org").status_code == 422
