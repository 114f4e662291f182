"""The whole webhook loop: ``events subscribe`` sets the organization's ``webhook_url`` on the mock,
the mock delivers its events to ``badgebridge events serve``, and the local awards and catalog follow.
"""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.events_support import until

pytestmark = pytest.mark.e2e


@pytest.fixture
def subscribed(cli, credly_mock, event_receiver, issued_award):
    org, award = issued_award
    url = f"{event_receiver}/events/credly-main"
    result = cli.ok("events", "subscribe", "credly-main", "--url", url)
    assert url in result.stdout
    (held,) = [o for o in credly_mock.state()["organizations"] if o["id"] == org["id"]]
    assert held["webhook_url"] == url
    return org, award


def test_an_acceptance_on_credly_turns_the_award_accepted_through_the_webhook(cli, credly_mock, subscribed):
    _, award = subscribed
    credly_mock.accept(award["provider_badge_id"])
    accepted = until(
        lambda: [a for a in cli.json("awards", "list") if a["provider_state"] == "accepted"],
        "the award to turn accepted",
    )
    assert accepted[0]["id"] == award["id"]
    rows = cli.json("events", "list")
    handled = [r for r in rows if r["event_type"] == "badge.state.changed"]
    assert [r["state"] for r in handled] == ["handled"]
    assert "pending -> accepted" in handled[0]["outcome"]


def test_template_changes_on_credly_reach_the_catalog(cli, credly_mock, subscribed):
    (badge,) = cli.json("badges", "list")
    control = httpx.Client(base_url=credly_mock.url, timeout=30)
    changed = control.patch(
        f"/_mock/badge_templates/{badge['external_badge_id']}", json={"name": "Keynote Speaker"}
    )
    assert changed.status_code == 200, changed.text
    until(
        lambda: cli.json("badges", "list")[0]["name"] == "Keynote Speaker", "the catalog badge to be renamed"
    )
    deleted = control.delete(f"/_mock/badge_templates/{badge['external_badge_id']}")
    assert deleted.status_code == 200, deleted.text
    (retired,) = until(
        lambda: [b for b in cli.json("badges", "list") if b["state"] == "Retired"],
        "the catalog badge to retire",
    )
    assert (retired["id"], retired["name"]) == (badge["id"], "Keynote Speaker")
    (award,) = cli.json("awards", "list")
    assert award["badge_id"] == badge["id"], "the award still refers to the retired badge"
    control.close()


def test_a_subscription_to_an_address_that_is_not_http_is_refused(cli, credly_mock, issued_award):
    result = cli("events", "subscribe", "credly-main", "--url", "ftp://example.org/x")
    assert result.returncode == 1
    assert "not an http(s) URL" in result.stderr
