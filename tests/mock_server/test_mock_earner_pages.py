"""The earner's side in a real browser (headless Chromium through Playwright): the earner page lists
the badges, Accept changes the state, records badge.state.changed and delivers the webhook; the
public badge page shows the badge and a LinkedIn add-to-profile link. The browser is
``tests.browser``'s (skipped, saying why, only where Chromium is missing outside CI)."""

from __future__ import annotations

import json
import threading
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_SEED, DEFAULT_TOKEN, MockServer
from badgebridge.mock_server.control_client import MockControl

PYTHON = DEFAULT_SEED["organizations"][0]["badge_templates"][0]["id"]
ORG = f"/v1/organizations/{DEFAULT_ORGANIZATION_ID}"


@pytest.fixture(scope="module")
def server():
    with MockServer() as server:
        yield server


@pytest.fixture
def control(server):
    with MockControl(server.url) as control:
        control.reset()
        control.set_webhooks(retry_base_seconds=0.01)
        yield control
    server.check()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


class Receiver:
    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.port}/events/credly"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @Request.application
    def _app(self, request: Request) -> Response:
        self.bodies.append(json.loads(request.get_data()))
        return Response(status=200)

    def stop(self) -> None:
        self._server.shutdown()


def issue(server, email, **fields):
    body = {
        "recipient_email": email,
        "issued_to_first_name": "Ada",
        "issued_to_last_name": "Lovelace",
        "badge_template_id": PYTHON,
        "issued_at": "2026-03-14 10:00:00 +0000",
        **fields,
    }
    response = httpx.post(f"{server.url}{ORG}/badges", json=body, auth=(DEFAULT_TOKEN, ""))
    assert response.status_code == 201
    return response.json()["data"]


def test_accepting_on_the_earner_page_changes_the_state_and_delivers_the_webhook(server, control, page):
    receiver = Receiver()
    control.set_webhook_url(receiver.url)
    badge = issue(server, "ada@example.org")

    page.goto(f"{server.url}/earner/ada@example.org")
    section = page.locator(f"#badge-{badge['id']}")
    assert section.locator(".state").inner_text() == "pending"
    section.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()

    assert page.locator(f"#badge-{badge['id']} .state").inner_text() == "accepted"
    assert page.locator(f"#badge-{badge['id']}").get_by_role("button").count() == 0
    on_mock = [b for b in control.state()["badges"] if b["id"] == badge["id"]]
    assert on_mock[0]["state"] == "accepted" and on_mock[0]["user"]["email"] == "ada@example.org"
    control.wait_for_deliveries()
    assert [b["event_type"] for b in receiver.bodies] == ["badge.created", "badge.state.changed"]
    event = httpx.get(f"{server.url}{ORG}/events/{receiver.bodies[1]['id']}", auth=(DEFAULT_TOKEN, "")).json()
    assert event["data"]["badge"]["state"] == "accepted"
    receiver.stop()


def test_rejecting_on_the_earner_page(server, control, page):
    badge = issue(server, "grace@example.org")

    page.goto(f"{server.url}/earner/grace@example.org")
    page.locator(f"#badge-{badge['id']}").get_by_role("button", name="Reject").click()
    page.wait_for_load_state()

    assert page.locator(f"#badge-{badge['id']} .state").inner_text() == "rejected"
    assert [b["state"] for b in control.state()["badges"]] == ["rejected"]


def test_the_badge_page_shows_the_badge_and_a_linkedin_link(server, control, page):
    badge = issue(server, "ada@example.org", expires_at="2028-05-01")
    page.goto(f"{server.url}/earner/ada@example.org")

    page.get_by_role("link", name="Python Fundamentals").click()
    page.wait_for_load_state()

    assert page.url == badge["badge_url"]
    assert page.locator("h1").inner_text() == "Python Fundamentals"
    assert page.locator("#earner").inner_text() == "Ada Lovelace"
    assert page.locator("#issuer").inner_text() == "Badgebridge Demo Academy"
    assert (page.locator("#issued").inner_text(), page.locator("#expires").inner_text()) == (
        "2026-03-14",
        "2028-05-01",
    )
    assert page.locator("#state").inner_text() == "pending"
    assert page.locator("img").evaluate("image => image.complete && image.naturalWidth > 0")
    link = urlsplit(page.get_by_role("link", name="Share on LinkedIn").get_attribute("href"))
    assert (link.scheme, link.netloc, link.path) == ("https", "www.linkedin.com", "/profile/add")
    assert {key: values[0] for key, values in parse_qs(link.query).items()} == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Python Fundamentals",
        "organizationName": "Badgebridge Demo Academy",
        "issueYear": "2026",
        "issueMonth": "3",
        "expirationYear": "2028",
        "expirationMonth": "5",
        "certUrl": badge["badge_url"],
        "certId": badge["id"],
    }


def test_a_revoked_badge_page_offers_no_sharing(server, control, page):
    badge = issue(server, "ada@example.org")
    httpx.put(
        f"{server.url}{ORG}/badges/{badge['id']}/revoke", json={"reason": "r"}, auth=(DEFAULT_TOKEN, "")
    )

    page.goto(badge["badge_url"])

    assert page.locator("#state").inner_text() == "revoked"
    assert page.get_by_role("link", name="Share on LinkedIn").count() == 0


def test_an_earner_without_badges_and_an_unknown_badge(server, control, page):
    page.goto(f"{server.url}/earner/nobody@example.org")
    assert page.locator("#no-badges").is_visible()

    response = page.goto(f"{server.url}/badges/nope")
    assert response.status == 404


def test_another_earners_badge_cannot_be_answered(server, control):
    badge = issue(server, "ada@example.org")

    response = httpx.post(f"{server.url}/earner/eve@example.org/badges/{badge['id']}/accept")

    assert response.status_code == 404
    assert [b["state"] for b in control.state()["badges"]] == ["pending"]
