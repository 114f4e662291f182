"""Issuing, listing, revoking and deleting badges."""

from __future__ import annotations

import json

import pytest

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_SEED, create_app

TEMPLATES = {t["name"]: t["id"] for t in DEFAULT_SEED["organizations"][0]["badge_templates"]}
PYTHON = TEMPLATES["Python Fundamentals"]
STEWARD = TEMPLATES["Data Steward"]
TEAM_LEAD = TEMPLATES["Team Lead"]  # allow_duplicate_badges
ARCHIVED = TEMPLATES["Legacy Web Basics"]
REQUIRED = ("recipient_email", "badge_template_id", "issued_at")
NAMES = ("issued_to_first_name", "issued_to_last_name")


def message(response) -> str:
    return response.get_json()["data"]["message"]


def test_issue_answers_201_with_a_pending_badge(api):
    response = api.issue()

    assert response.status_code == 201
    assert set(response.get_json()) == {"data", "metadata"}
    badge = response.get_json()["data"]
    assert badge["state"] == "pending"
    assert badge["badge_template"]["id"] == PYTHON
    assert badge["badge_template"]["name"] == "Python Fundamentals"
    assert badge["recipient_email"] == "ada@example.org"
    assert (badge["issued_to"], badge["issued_to_first_name"], badge["issued_to_last_name"]) == (
        "Ada Lovelace",
        "Ada",
        "Lovelace",
    )
    assert (badge["issued_at"], badge["issued_at_date"]) == ("2014-04-01T14:41:00.000Z", "2014-04-01")
    assert badge["expires_at"] is None
    assert badge["revocation_reason"] is None
    assert badge["issuer_earner_id"] is None
    assert badge["user"] is None
    assert badge["locale"] == "en"
    assert badge["badge_url"] == f"http://localhost/badges/{badge['id']}"
    assert badge["created_at"].endswith("Z") and len(badge["created_at"]) == 24


def test_the_issued_badge_can_be_read_back(api):
    badge = api.issued()

    body = api.get(f"/badges/{badge['id']}").get_json()

    assert body["data"]["id"] == badge["id"]
    assert body["data"]["state"] == "pending"


@pytest.mark.parametrize("field", REQUIRED)
@pytest.mark.parametrize("absent", [..., "", "   ", None])
def test_each_missing_required_field_is_422_naming_it(api, field, absent):
    response = api.issue(**{field: absent})

    assert response.status_code == 422
    assert message(response) == f"Validation failed: {field} can't be blank."


def test_an_empty_body_names_every_required_field(api):
    response = api.post("/badges", json={})

    assert response.status_code == 422
    assert all(field in message(response) for field in REQUIRED)


@pytest.mark.parametrize("absent", [NAMES, NAMES[1:]])
def test_names_may_be_left_out_by_default(api, client, absent):
    badge = api.issued(**dict.fromkeys(absent, ...))

    assert badge["issued_to_last_name"] is None
    assert badge["issued_to"] == ("ada@example.org" if len(absent) == 2 else "Ada")
    on_mock = client.get("/_mock/state").get_json()["badges"]
    assert [b["id"] for b in on_mock] == [badge["id"]]


@pytest.mark.parametrize("field", NAMES)
def test_strict_mode_refuses_a_missing_name(api, client, field):
    assert client.put("/_mock/settings", json={"strict": True}).get_json() == {"strict": True}

    response = api.issue(**{field: ...})

    assert response.status_code == 422
    assert message(response) == f"Validation failed: {field} can't be blank."
    assert client.get("/_mock/state").get_json()["badges"] == []
    client.post("/_mock/reset")
    assert client.get("/_mock/settings").get_json() == {"strict": False}


def test_a_strict_app_refuses_names_left_out_from_the_start(api):
    strict = type(api)(create_app(strict=True).test_client())

    assert strict.issue(issued_to_first_name=...).status_code == 422
    assert strict.issue().status_code == 201


@pytest.mark.parametrize(
    ("issued_at", "stored"),
    [
        ("2014-04-01 09:41:00 -0500", "2014-04-01T14:41:00.000Z"),
        ("2019-04-23T01:00:00.000-05:00", "2019-04-23T06:00:00.000Z"),
        ("2019-04-23T01:00:00 Z", "2019-04-23T01:00:00.000Z"),
        ("2024-01-15", "2024-01-15T00:00:00.000Z"),
        ("2024-01-15 09:41:00 pm", "2024-01-15T21:41:00.000Z"),
        ("2024-01-15  09:41:00 AM", "2024-01-15T09:41:00.000Z"),
        ("2024-01-15T10:00:00Z", "2024-01-15T10:00:00.000Z"),
        ("2024-01-15T10:00:00.123Z", "2024-01-15T10:00:00.123Z"),
        ("2024-01-15 10:00:00", "2024-01-15T10:00:00.000Z"),
        ("2014-04-01T09:41:00-0500", "2014-04-01T14:41:00.000Z"),
    ],
)
def test_issued_at_is_read_leniently(api, issued_at, stored):
    assert api.issued(issued_at=issued_at)["issued_at"] == stored


@pytest.mark.parametrize("issued_at", ["yesterday", "2024-13-01", "01/15/2024 10:00", 1705312800])
def test_an_unreadable_issued_at_is_422_naming_it(api, issued_at):
    response = api.issue(issued_at=issued_at)

    assert response.status_code == 422
    assert "issued_at" in message(response)


def test_an_invalid_email_is_422_naming_it(api):
    response = api.issue(recipient_email="ada.example.org")

    assert response.status_code == 422
    assert "recipient_email" in message(response)


def test_form_encoded_bodies_are_accepted(api):
    response = api.post(
        "/badges",
        data={
            "recipient_email": "grace@example.org",
            "issued_to_first_name": "Grace",
            "issued_to_last_name": "Hopper",
            "badge_template_id": PYTHON,
            "issued_at": "2024-01-15",
            "suppress_badge_notification_email": "true",
        },
    )

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["data"]["recipient_email"] == "grace@example.org"
    assert response.get_json()["data"]["suppress_badge_notification_email"] is True


def test_a_json_body_without_content_type_is_read(api):
    body = {
        "recipient_email": "alan@example.org",
        "issued_to_first_name": "Alan",
        "issued_to_last_name": "Turing",
        "badge_template_id": PYTHON,
        "issued_at": "2024-01-15",
    }

    response = api.post("/badges", data=json.dumps(body), content_type="text/plain")

    assert response.status_code == 201
    assert response.get_json()["data"]["issued_to"] == "Alan Turing"


def test_a_json_body_sent_as_a_form_is_read_as_json(api):
    body = {
        "recipient_email": "alan@example.org",
        "issued_to_first_name": "Alan",
        "issued_to_last_name": "Turing",
        "badge_template_id": PYTHON,
        "issued_at": "2024-01-15",
    }

    response = api.post("/badges", data=json.dumps(body), content_type="application/x-www-form-urlencoded")

    assert response.status_code == 201


def test_a_multipart_form_is_read(api):
    response = api.post(
        "/badges",
        data={
            "recipient_email": "alan@example.org",
            "issued_to_first_name": "Alan",
            "issued_to_last_name": "Turing",
            "badge_template_id": PYTHON,
            "issued_at": "2024-01-15",
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 201


@pytest.mark.parametrize(("sent", "stored"), [("false", False), ("true", True), (False, False), (True, True)])
def test_suppress_notification_accepts_booleans_and_strings(api, sent, stored):
    assert api.issued(suppress_badge_notification_email=sent)["suppress_badge_notification_email"] is stored


def test_optional_fields_are_echoed(api):
    evidence = [{"type": "IdEvidence", "title": "Course", "description": "Completed", "id": "c-1"}]

    badge = api.issued(
        issued_to_middle_name="Augusta",
        issuer_earner_id=42,
        expires_at="2030-01-01 00:00:00 +0000",
        locale="fr",
        evidence=evidence,
        country_name="United Kingdom",
        state_or_province="London",
        notification_message="Well done",
    )

    assert badge["issued_to"] == "Ada Augusta Lovelace"
    assert badge["issuer_earner_id"] == "42"
    assert (badge["expires_at"], badge["expires_at_date"]) == ("2030-01-01T00:00:00.000Z", "2030-01-01")
    assert badge["locale"] == "fr"
    assert badge["evidence"] == evidence
    assert (badge["country"], badge["state_or_province"]) == ("United Kingdom", "London")


@pytest.mark.parametrize("never", [False, "false", None])
def test_expires_at_false_or_null_means_never(api, never):
    assert api.issued(expires_at=never)["expires_at"] is None


def test_an_unreadable_expires_at_is_422(api):
    response = api.issue(expires_at="someday")

    assert response.status_code == 422
    assert "expires_at" in message(response)


def test_a_numeric_template_id_is_looked_up_as_text(api):
    response = api.issue(badge_template_id=4)

    assert response.status_code == 422
    assert "badge_template_id 4" in message(response)


def test_an_unknown_template_is_422(api):
    response = api.issue(badge_template_id="no-such-template")

    assert response.status_code == 422
    assert "badge_template_id" in message(response)


def test_another_organizations_template_is_422(api):
    other = api.organization()
    theirs = api.template("Theirs", org_id=other["id"])

    assert api.issue(badge_template_id=theirs["id"]).status_code == 422


@pytest.mark.parametrize("state", ["archived", "draft"])
def test_an_archived_or_draft_template_cannot_issue(api, state):
    template = api.template(f"A {state} one", state=state)

    response = api.issue(badge_template_id=template["id"])

    assert response.status_code == 422
    assert state in message(response)


def test_the_seed_archived_template_cannot_issue(api):
    assert api.issue(badge_template_id=ARCHIVED).status_code == 422


def test_a_duplicate_is_422_already_has_this_badge(api):
    api.issued()

    response = api.issue(recipient_email="ADA@Example.org", issued_at="2024-01-01")

    assert response.status_code == 422
    assert "already has this badge" in message(response)
    assert len(api.get("/badges").get_json()["data"]) == 1


def test_the_same_issuer_earner_id_is_a_duplicate_even_with_another_email(api):
    api.issued(issuer_earner_id="learner-7")

    response = api.issue(recipient_email="ada@work.example.org", issuer_earner_id="learner-7")

    assert response.status_code == 422
    assert "already has this badge" in message(response)


def test_the_same_earner_may_hold_different_templates(api):
    api.issued()

    assert api.issue(badge_template_id=STEWARD).status_code == 201


@pytest.mark.parametrize("ending", ["revoke", "reject"])
def test_a_revoked_or_rejected_badge_does_not_block_a_new_one(api, client, ending):
    badge = api.issued()
    if ending == "revoke":
        api.put(f"/badges/{badge['id']}/revoke", json={"reason": "typo"})
    else:
        client.post(f"/_mock/badges/{badge['id']}/reject")

    assert api.issue().status_code == 201


def test_an_accepted_badge_blocks_a_new_one(api, client):
    badge = api.issued()
    client.post(f"/_mock/badges/{badge['id']}/accept")

    assert api.issue().status_code == 422


def test_allow_duplicate_badges_lets_the_same_earner_hold_two(api):
    first = api.issued(badge_template_id=TEAM_LEAD)
    second = api.issued(badge_template_id=TEAM_LEAD)

    assert first["id"] != second["id"]
    assert first["badge_template"]["allow_duplicate_badges"] is True


def test_issuing_counts_on_the_template(api):
    api.issued()
    api.issued(recipient_email="grace@example.org")

    assert api.get(f"/badge_templates/{PYTHON}").get_json()["data"]["badges_count"] == 2


@pytest.fixture
def three_badges(api, client):
    """ada: Python (accepted, earner id e-1); grace: Python (pending); ada: Data Steward (pending)."""
    ada = api.issued(issuer_earner_id="e-1")
    client.post(f"/_mock/badges/{ada['id']}/accept")
    grace = api.issued(recipient_email="grace@example.org", issued_to_first_name="Grace")
    steward = api.issued(badge_template_id=STEWARD)
    return ada["id"], grace["id"], steward["id"]


def listed(api, query_string) -> list[str]:
    response = api.get("/badges", query_string=query_string)
    assert response.status_code == 200
    return [badge["id"] for badge in response.get_json()["data"]]


def test_list_filters(api, three_badges):
    ada, grace, steward = three_badges

    assert listed(api, {"filter": "recipient_email::ada@example.org"}) == [steward, ada]
    assert listed(api, {"filter": "recipient_email::ADA@example.org"}) == [steward, ada]
    assert listed(api, {"filter": "recipient_email_all::grace@example.org"}) == [grace]
    assert listed(api, {"filter": f"badge_template_id::{PYTHON}"}) == [grace, ada]
    assert listed(api, {"filter": "issuer_earner_id::e-1"}) == [ada]
    assert listed(api, {"filter": "state::pending"}) == [steward, grace]
    assert listed(api, {"filter": "state::pending,accepted"}) == [steward, grace, ada]
    assert listed(api, {"filter": "state::revoked"}) == []
    assert listed(api, {"filter": "public::true"}) == [steward, grace, ada]
    assert listed(api, {"filter": f"recipient_email::ada@example.org|badge_template_id::{STEWARD}"}) == [
        steward
    ]
    assert listed(api, "filter=recipient_email%3A%3Agrace%40example.org") == [grace]


def test_list_sort(api, three_badges):
    ada, grace, steward = three_badges

    assert listed(api, {"sort": "created_at"}) == [ada, grace, steward]
    assert listed(api, {"sort": "-created_at"}) == [steward, grace, ada]
    assert listed(api, {"sort": "-recipient_email|created_at"}) == [grace, ada, steward]


def test_an_unknown_badge_is_404(api):
    response = api.get("/badges/nope")

    assert response.status_code == 404
    assert message(response) == "Badge nope not found."


def test_revoke(api):
    badge = api.issued()

    response = api.put(
        f"/badges/{badge['id']}/revoke",
        json={"reason": "Issued in error", "suppress_revoke_notification_email": True},
    )

    assert response.status_code == 200
    revoked = response.get_json()["data"]
    assert (revoked["state"], revoked["revocation_reason"]) == ("revoked", "Issued in error")
    assert revoked["state_updated_at"] >= badge["state_updated_at"]
    assert api.get(f"/badges/{badge['id']}").get_json()["data"]["state"] == "revoked"


def test_revoke_reads_form_bodies(api):
    badge = api.issued()

    response = api.put(
        f"/badges/{badge['id']}/revoke",
        data={"reason": "typo", "suppress_revoke_notification_email": "false"},
    )

    assert response.get_json()["data"]["revocation_reason"] == "typo"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": None}])
def test_revoke_without_a_reason_is_422(api, body):
    badge = api.issued()

    response = api.put(f"/badges/{badge['id']}/revoke", json=body)

    assert response.status_code == 422
    assert message(response) == "Validation failed: reason can't be blank."


def test_revoking_twice_is_422(api):
    badge = api.issued()
    api.put(f"/badges/{badge['id']}/revoke", json={"reason": "first"})

    response = api.put(f"/badges/{badge['id']}/revoke", json={"reason": "second"})

    assert response.status_code == 422
    assert "revoked" in message(response)
    assert api.get(f"/badges/{badge['id']}").get_json()["data"]["revocation_reason"] == "first"


def test_revoking_an_unknown_badge_is_404(api):
    assert api.put("/badges/nope/revoke", json={"reason": "x"}).status_code == 404


def test_delete_removes_the_badge(api):
    badge = api.issued()

    response = api.call("DELETE", f"/badges/{badge['id']}")

    assert response.status_code == 200
    assert response.get_json()["data"]["id"] == badge["id"]
    assert api.get(f"/badges/{badge['id']}").status_code == 404
    assert api.get(f"/badge_templates/{PYTHON}").get_json()["data"]["badges_count"] == 0
    assert api.issue().status_code == 201


def test_the_public_badge_page_shows_the_badge(api, client):
    badge = api.issued()

    page = client.get(f"/badges/{badge['id']}")

    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert b"Python Fundamentals" in page.data and b"Ada Lovelace" in page.data
    assert client.get("/badges/nope").status_code == 404


def test_badges_of_one_organization_are_invisible_to_another(api):
    other = api.organization()
    api.issued()

    response = api.get(f"/v1/organizations/{other['id']}/badges", token=other["token"])

    assert response.get_json()["data"] == []
    assert (
        api.get(f"/v1/organizations/{DEFAULT_ORGANIZATION_ID}/badges", token=other["token"]).status_code
        == 403
    )
