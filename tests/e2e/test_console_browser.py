"""The seed's flow in a real browser: headless Chromium (Debian's) driven by Playwright.

An admin who has never seen badgebridge logs in, connects the mock's organization through the
Connect form, imports, makes a skill of a badge, assigns it to a course, records a completion, and
sees the badge issued on the mock and in the learner view; a failed award is retried, cancelled and
reissued from its page.
A viewer and an anonymous visitor are refused; a token near expiry shows on the dashboard; logging
out ends the session, copies of its cookie included. Screenshots go to ``$BADGEBRIDGE_ARTIFACTS`` (or
the test's tmp folder).

The browser is ``tests.browser``'s: skipped, saying why, only where Chromium is missing and CI
is not set; under CI=true it fails instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e.console import ADMIN, VIEWER, add_users, running_console
from tests.rows import age_tokens

pytestmark = pytest.mark.e2e

EMAIL = "noor@example.org"


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("BADGEBRIDGE_ARTIFACTS") or tmp_path) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return shoot


def log_in(page, url: str, user: tuple[str, str]) -> None:
    page.goto(url + "/")
    assert page.url.startswith(url + "/login")
    page.get_by_label("Email").fill(user[0])
    page.get_by_label("Password").fill(user[1])
    page.get_by_role("button", name="Log in").click()


def flash(page) -> str:
    return " ".join(page.locator("p.flash").all_inner_texts())


def held_on_mock(credly_mock, template_name: str) -> list[dict]:
    return [
        badge
        for badge in credly_mock.state()["badges"]
        if badge["recipient_email"] == EMAIL and badge["badge_template"]["name"] == template_name
    ]


def test_the_seed_flow_in_a_browser(cli, credly_mock, browser, shots):
    add_users(cli)
    with running_console(cli, "--max-attempts", "1") as url:
        page = browser.new_page()
        log_in(page, url, ADMIN)
        assert page.get_by_role("heading", name="Dashboard").is_visible()

        # Credly -> Connect: Connection Name, Organization ID, Authorization token, Hostname
        page.get_by_role("link", name="Connections", exact=True).click()
        credly = page.get_by_role("listitem").filter(has_text="Credly")
        credly.get_by_role("link", name="Connect", exact=True).click()
        page.get_by_label("Connection Name").fill("credly-main")
        page.get_by_label("Organization ID").fill(credly_mock.organization_id)
        page.get_by_label("Authorization token").fill(credly_mock.token)
        page.get_by_label("Hostname").fill(credly_mock.url)
        shots(page, "01-connect-form")
        page.get_by_role("button", name="Connect", exact=True).click()
        assert "Connected 'credly-main' to the Credly account 'Badgebridge Demo Academy'." in flash(page)
        assert credly_mock.token not in page.content()
        shots(page, "02-connected")

        page.get_by_role("link", name="Catalog", exact=True).click()
        page.get_by_role("button", name="Import").click()
        assert re.search(r"Imported \d+ active badge\(s\) from 'credly-main'", flash(page))
        shots(page, "03-catalog")

        page.get_by_role("row", name=re.compile("Public Speaker")).get_by_role(
            "link", name="Make a skill"
        ).click()
        page.get_by_label("Name").fill("Public speaking")
        page.get_by_label("Max credits").fill("2")
        page.get_by_role("button", name="Save the skill").click()
        assert "Skill 'public-speaking' (Public speaking) created: level 1, 2 credits." in flash(page)

        page.get_by_role("link", name="Learning objects", exact=True).click()
        add = page.locator("form", has=page.get_by_role("heading", name="Add"))
        add.get_by_label("Id").fill("C1")
        add.get_by_label("Name").fill("Speaking in public")
        add.get_by_role("button", name="Add").click()
        grant = page.locator("form", has=page.get_by_role("heading", name="Grant skill credits"))
        grant.get_by_label("Skill").select_option(label="Public speaking")
        grant.get_by_role("button", name="Grant").click()
        assert "Attached 2 credit(s) towards skill 'public-speaking' level 1 to course 'C1'." in flash(page)
        shots(page, "04-learning-objects")

        page.get_by_role("link", name="Learners", exact=True).click()
        learner = page.locator("form", has=page.get_by_role("heading", name="Add a learner"))
        learner.get_by_label("Email").fill(EMAIL)
        learner.get_by_label("First name").fill("Noor")
        learner.get_by_label("Last name").fill("Haddad")
        learner.get_by_role("button", name="Add").click()
        record = page.locator("form", has=page.get_by_role("heading", name="Record a completion"))
        record.get_by_label("Learning object").select_option(label="course C1: Speaking in public")
        record.get_by_role("button", name="Record").click()
        assert f"Recorded: {EMAIL} completed course 'C1'. 1 award(s): 1 issued." in flash(page)
        (issued,) = held_on_mock(credly_mock, "Public Speaker")
        assert issued["state"] == "pending" and issued["issued_to_first_name"] == "Noor"

        page.get_by_role("link", name="Their badges").click()
        card = page.locator("article", has_text="Public Speaker")
        assert "pending" in card.inner_text()
        assert card.get_by_role("link").get_attribute("href") == issued["badge_url"]
        shots(page, "05-learner-view")
        credly_mock.accept(issued["id"])
        page.reload()
        assert "accepted" in page.locator("article", has_text="Public Speaker").inner_text()

        # a failed award, retried from its page
        credly_mock.set_faults(error_rate=1)
        page.get_by_role("link", name="Learning objects", exact=True).click()
        add = page.locator("form", has=page.get_by_role("heading", name="Add"))
        add.get_by_label("Id").fill("C2")
        add.get_by_label("Name").fill("Leading a team")
        add.get_by_role("button", name="Add").click()
        attach = page.locator("form", has=page.get_by_role("heading", name="Attach a badge"))
        attach.get_by_label("Learning object").select_option(label="course C2: Leading a team")
        badge_choice = attach.get_by_label("Badge")
        badge_choice.select_option(label=badge_choice.locator("option", has_text="Team Lead").inner_text())
        attach.get_by_role("button", name="Attach").click()
        page.get_by_role("link", name="Learners", exact=True).click()
        record = page.locator("form", has=page.get_by_role("heading", name="Record a completion"))
        record.get_by_label("Learning object").select_option(label="course C2: Leading a team")
        record.get_by_role("button", name="Record").click()
        assert "1 award(s): 1 failed." in flash(page)
        assert held_on_mock(credly_mock, "Team Lead") == []

        page.get_by_role("link", name="Dashboard", exact=True).click()
        shots(page, "06-dashboard-with-a-failure")
        page.get_by_role("link", name="Awards", exact=True).click()
        page.get_by_label("State").select_option("failed")
        page.get_by_role("button", name="Filter").click()
        page.get_by_role("row", name=re.compile("Team Lead")).get_by_role("link").first.click()
        assert "failed" in page.get_by_role("heading").first.inner_text()
        shots(page, "07-failed-award")
        page.get_by_role("button", name="Retry now").click()
        # the provider is still down: the look-up first (it may have been created) spends no attempt
        assert "Queued 1 award(s) again; sent them: 1 award(s): 1 queued." in flash(page)
        page.get_by_role("button", name="Cancel", exact=True).click()
        assert re.search(r"Award \d+ cancelled; it will not be sent\.", flash(page))
        assert "cancelled" in page.get_by_role("heading").first.inner_text()
        history = page.locator("table.history")
        assert history.get_by_role("cell", name="cancel", exact=True).count() == 1
        credly_mock.set_faults(error_rate=0)
        page.get_by_role("button", name="Reissue").click()
        assert "queued to be issued again: 1 award(s): 1 issued." in flash(page)
        assert "issued" in page.get_by_role("heading").first.inner_text()
        (reissued,) = held_on_mock(credly_mock, "Team Lead")
        assert reissued["state"] == "pending"
        shots(page, "08-reissued-award")
        page.get_by_role("link", name="Dashboard", exact=True).click()
        shots(page, "09-dashboard")
        assert credly_mock.token not in page.content()


def test_a_viewer_and_an_anonymous_visitor_are_refused_in_a_browser(cli, credly_mock, browser, shots):
    add_users(cli)
    cli.connect(credly_mock, credly_mock.organization_id, credly_mock.token)
    with running_console(cli) as url:
        anonymous = browser.new_page()
        anonymous.goto(url + "/awards/")
        assert anonymous.url == url + "/login?next=/awards/"

        page = browser.new_page()
        log_in(page, url, VIEWER)
        page.get_by_role("link", name="Catalog", exact=True).click()
        assert page.get_by_role("button", name="Import").count() == 0, "no change is offered"
        shots(page, "10-viewer-catalog")
        token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
        refused = page.request.post(
            url + "/badges/import", form={"connection": "credly-main", "csrf_token": token}
        )
        assert refused.status == 403
        forged = page.request.post(url + "/badges/import", form={"connection": "credly-main"})
        assert forged.status == 400
    assert cli.json("badges", "list") == [], "nothing was imported"


def test_tokens_near_expiry_show_and_logging_out_ends_a_copied_session(cli, credly_mock, browser, shots):
    add_users(cli)
    cli.connect(credly_mock, credly_mock.organization_id, credly_mock.token)
    age_tokens(cli.env["BADGEBRIDGE_DB"], days=151)
    with running_console(cli) as url:
        page = browser.new_page()
        log_in(page, url, ADMIN)
        near = page.locator("#tokens-near-expiry")
        assert near.get_by_role("cell", name="credly-main").is_visible()
        assert near.get_by_role("cell", name="29", exact=True).is_visible()
        shots(page, "11-token-near-expiry")

        thief = browser.new_context()
        thief.add_cookies(page.context.cookies())
        stolen = thief.new_page()
        stolen.goto(url + "/awards/")
        assert stolen.url == url + "/awards/", "the copied cookie works while the session lasts"
        page.get_by_role("button", name="Log out").click()
        assert page.url.startswith(url + "/login")
        stolen.goto(url + "/awards/")
        assert stolen.url == url + "/login?next=/awards/", "logging out ended the copy too"
        thief.close()
