"""The learner accepts on the mock's earner page, in headless Chromium; the mock's webhook reaches
``badgebridge events serve`` and the local award turns accepted, with no polling of Credly. The
browser is ``tests.browser``'s (skipped, saying why, only where Chromium is missing outside CI)."""

from __future__ import annotations

import pytest

from tests.e2e.events_support import EMAIL, until

pytestmark = pytest.mark.e2e


def test_accepting_on_the_earner_page_turns_the_award_accepted(
    cli, credly_mock, event_receiver, issued_award, browser
):
    _, award = issued_award
    cli.ok("events", "subscribe", "credly-main", "--url", f"{event_receiver}/events/credly-main")
    page = browser.new_page()
    try:
        page.goto(f"{credly_mock.url}/earner/{EMAIL}")
        badge = page.locator(f"#badge-{award['provider_badge_id']}")
        assert badge.locator(".state").inner_text() == "pending"
        badge.locator("button[name=accept]").click()
        page.wait_for_load_state()
        assert page.locator(f"#badge-{award['provider_badge_id']} .state").inner_text() == "accepted"
    finally:
        page.close()
    (accepted,) = until(
        lambda: [a for a in cli.json("awards", "list") if a["provider_state"] == "accepted"],
        "the award to turn accepted through the webhook",
    )
    assert accepted["id"] == award["id"]
    requests = credly_mock.requests
    reads = [r for r in requests if r["method"] == "GET" and "/badges/" in r["path"]]
    assert reads == [], "the award learned of the acceptance from the webhook, not by reading the badge"
    (delivery,) = [r for r in cli.json("events", "list") if r["event_type"] == "badge.state.changed"]
    assert delivery["state"] == "handled"
