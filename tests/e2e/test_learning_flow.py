"""The learning-platform flow, end to end: objects carry badges and skills, completions issue them.

Every test checks what the mock Credly holds afterwards.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import one_line_error

pytestmark = pytest.mark.e2e

EMAIL = "noor@example.org"


@pytest.fixture
def setup(cli, credly_mock):
    """An organization with three templates, connected and imported, and one learner."""
    org = credly_mock.create_organization("Flow Org")
    templates = {
        name: credly_mock.create_template(org["id"], name)["id"] for name in ("Speaker", "Navigator", "Lead")
    }
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("badges", "import", "credly-main")
    badge_ids = {b["name"]: b["id"] for b in cli.json("badges", "list")}
    cli.ok("learners", "add", EMAIL, "--first-name", "Noor", "--last-name", "Haddad")
    return templates, badge_ids


def held_by_template(credly_mock, email=EMAIL, states=("pending", "accepted")):
    counts: dict[str, int] = {}
    for badge in credly_mock.state()["badges"]:
        if badge["recipient_email"] == email and badge["state"] in states:
            template = badge["badge_template"]["id"]
            counts[template] = counts.get(template, 0) + 1
    return counts


def test_completing_a_course_a_path_and_a_certification_issues_one_badge_each(cli, credly_mock, setup):
    templates, badges = setup
    for flag, object_id, badge in (
        ("--course", "C1", "Speaker"),
        ("--learning-path", "LP1", "Navigator"),
        ("--certification", "CERT1", "Lead"),
    ):
        cli.ok("learning-objects", "add", flag, object_id, "--name", f"{badge} object")
        cli.ok("assign", "--badge", badges[badge], flag, object_id)
        first = cli.ok("complete", EMAIL, flag, object_id)
        assert "issued on Credly" in first.stdout
        again = cli.ok("complete", EMAIL, flag, object_id)
        assert "nothing changed" in again.stdout
    assert held_by_template(credly_mock) == {
        templates["Speaker"]: 1,
        templates["Navigator"]: 1,
        templates["Lead"]: 1,
    }
    reasons = sorted(a["reason"] for a in cli.json("awards", "list"))
    assert reasons == ["certification:CERT1", "course:C1", "learning_path:LP1"]


def test_reaching_a_skill_level_by_credits_issues_its_badge(cli, credly_mock, setup):
    templates, badges = setup
    cli.ok("skills", "create", "Leadership", "--badge", badges["Lead"], "--level", "2", "--max-credits", "3")
    for course in ("C1", "C2"):
        cli.ok("learning-objects", "add", "--course", course, "--name", course)
    cli.ok("assign", "--skill", "leadership", "--level", "2", "--credits", "1", "--course", "C1")
    cli.ok("assign", "--skill", "leadership", "--level", "2", "--credits", "2", "--course", "C2")
    cli.ok("complete", EMAIL, "--course", "C1")
    assert held_by_template(credly_mock) == {}, "one credit of three earns nothing yet"
    cli.ok("complete", EMAIL, "--course", "C2")
    assert held_by_template(credly_mock) == {templates["Lead"]: 1}
    (award,) = cli.json("awards", "list")
    assert award["reason"] == "skill_level:leadership:2"
    over = cli("assign", "--skill", "leadership", "--level", "2", "--credits", "4", "--course", "C1")
    assert "at most the level's maxCredits (3)" in one_line_error(over)


def test_attaching_a_badge_to_a_completed_object_awards_it(cli, credly_mock, setup):
    templates, badges = setup
    cli.ok("learning-objects", "add", "--course", "C1", "--name", "Speaking 101")
    done = cli.ok("complete", EMAIL, "--course", "C1")
    assert "No new awards" in done.stdout
    assert held_by_template(credly_mock) == {}
    attached = cli.ok("assign", "--badge", badges["Speaker"], "--course", "C1")
    assert "1 new award(s) for earlier completers" in attached.stdout
    assert held_by_template(credly_mock) == {templates["Speaker"]: 1}
    assert "carries badge" in cli.ok("assign", "--badge", badges["Speaker"], "--course", "C1").stdout
    assert held_by_template(credly_mock) == {templates["Speaker"]: 1}


def test_revoke_shows_as_revoked_on_the_mock_and_in_the_learners_view(cli, credly_mock, setup):
    _templates, badges = setup
    cli.ok("learning-objects", "add", "--course", "C1", "--name", "Speaking 101")
    cli.ok("assign", "--badge", badges["Speaker"], "--course", "C1")
    cli.ok("complete", EMAIL, "--course", "C1")
    (award,) = cli.json("awards", "list")
    credly_mock.accept(award["provider_badge_id"])
    (view,) = cli.json("learners", "badges", EMAIL)
    assert (view["provider_state"], view["provider_url"]) == ("accepted", award["provider_url"])
    assert view["provider_url"].endswith(award["provider_badge_id"])

    cli.ok("awards", "revoke", str(award["id"]), "--reason", "completed by mistake")
    (on_mock,) = [b for b in credly_mock.state()["badges"] if b["id"] == award["provider_badge_id"]]
    assert (on_mock["state"], on_mock["revocation_reason"]) == ("revoked", "completed by mistake")
    (view,) = cli.json("learners", "badges", EMAIL)
    assert (view["state"], view["provider_state"]) == ("revoked", "revoked")
    assert "nothing changed" in cli.ok("awards", "revoke", str(award["id"]), "--reason", "again").stdout


def test_unknown_objects_and_learners_are_one_line_errors(cli, setup):
    _, badges = setup
    assert "no course with id 'NOPE'" in one_line_error(
        cli("assign", "--badge", badges["Lead"], "--course", "NOPE")
    )
    assert "no learner with email" in one_line_error(cli("complete", "who@example.org", "--course", "NOPE"))
    both = cli("complete", EMAIL, "--course", "C1", "--certification", "X")
    assert "exactly one of --course, --learning-path, --certification" in one_line_error(both)
