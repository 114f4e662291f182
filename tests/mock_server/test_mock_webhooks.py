"""Webhooks over real sockets: `PUT /v1/organizations/<org>` sets `webhook_url`, every event is POSTed
there, retried with growing intervals while the receiver does not answer 2xx, and bounded."""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_SEED, DEFAULT_TOKEN, MockServer
from badgebridge.mock_server.control_client import ControlError, MockControl

AUTH = (DEFAULT_TOKEN, "")
PYTHON = DEFAULT_SEED["organizations"][0]["badge_templates"][0]["id"]
ORG = f"/v1/organizations/{DEFAULT_ORGANIZATION_ID}"


class Receiver:
    """A webhook receiver on a real socket: records each body, answers the next scripted status."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.statuses: list[int] = []
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.port}/events/credly"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @Request.application
    def _app(self, request: Request) -> Response:
        self.bodies.append(json.loads(request.get_data()))
        return Response(status=self.statuses.pop(0) if self.statuses else 200)

    def stop(self) -> None:
        self._server.shutdown()


@pytest.fixture(scope="module")
def server():
    with MockServer() as server:
        yield server


@pytest.fixture
def control(server):
    with MockControl(server.url) as control:
        control.reset()
        control.set_webhooks(retry_base_seconds=0.01, retry_factor=2)
        yield control
    server.check()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, auth=AUTH) as http:
        yield http


def issue(http, email="ada@example.org"):
    body = {"recipient_email": email, "badge_template_id": PYTHON, "issued_at": "2026-01-15"}
    response = http.post(f"{ORG}/badges", json=body)
    assert response.status_code == 201
    return response.json()["data"]


def test_put_organization_sets_the_webhook_url(http, control, receiver):
    response = http.put(ORG, json={"organization": {"webhook_url": receiver.url}})

    assert response.status_code == 200
    assert response.json()["data"]["webhook_url"] == receiver.url
    assert http.get(ORG).json()["data"]["webhook_url"] == receiver.url


@pytest.mark.parametrize(
    "url", ["https://hooks.example.com/credly", "ftp://127.0.0.1/x", "http://10.0.0.1/x"]
)
def test_a_webhook_url_off_loopback_is_refused(http, control, url):
    response = http.put(ORG, json={"webhook_url": url})

    assert response.status_code == 422
    assert "loopback" in response.json()["data"]["message"]
    assert http.get(ORG).json()["data"]["webhook_url"] is None


def test_every_event_is_delivered_with_the_four_fields(http, control, receiver):
    control.set_webhook_url(receiver.url)
    badge = issue(http)
    control.accept(badge["id"])
    http.delete(f"{ORG}/badges/{badge['id']}")
    template = control.create_template(DEFAULT_ORGANIZATION_ID, "Hooked")
    control.update_template(template["id"], description="changed")
    control.delete_template(template["id"])

    deliveries = control.wait_for_deliveries()

    events = {e["id"]: e for e in control.state()["events"]}
    assert [b["event_type"] for b in receiver.bodies] == [
        "badge.created",
        "badge.state.changed",
        "badge.deleted",
        "badge_template.created",
        "badge_template.changed",
        "badge_template.deleted",
    ]
    for body in receiver.bodies:
        assert set(body) == {"id", "organization_id", "event_type", "occurred_at"}
        assert body["organization_id"] == DEFAULT_ORGANIZATION_ID
        assert events[body["id"]]["occurred_at"] == body["occurred_at"]
    assert {d["state"] for d in deliveries} == {"delivered"}


def test_a_failing_receiver_is_retried_at_growing_intervals_until_2xx(http, control, receiver):
    receiver.statuses = [500, 503, 204]
    control.set_webhook_url(receiver.url)
    issue(http)

    (delivery,) = control.wait_for_deliveries()

    assert delivery["state"] == "delivered"
    assert [a["status"] for a in delivery["attempts"]] == [500, 503, 204]
    assert [a["next_attempt_in"] for a in delivery["attempts"]] == [0.01, 0.02, None]
    assert len(receiver.bodies) == 3 and len({b["id"] for b in receiver.bodies}) == 1


def test_retries_stop_after_max_attempts(http, control, receiver):
    control.set_webhooks(max_attempts=3)
    receiver.statuses = [500] * 10
    control.set_webhook_url(receiver.url)
    issue(http)

    (delivery,) = control.wait_for_deliveries()

    assert delivery["state"] == "failed"
    assert len(delivery["attempts"]) == len(receiver.bodies) == 3


def test_an_unreachable_receiver_is_retried_and_recorded(http, control, receiver):
    control.set_webhooks(max_attempts=2)
    receiver.stop()
    control.set_webhook_url(receiver.url)
    issue(http)

    (delivery,) = control.wait_for_deliveries()

    assert delivery["state"] == "failed"
    assert all(a["status"] is None and a["error"] for a in delivery["attempts"])


def test_no_webhook_url_no_delivery(http, control, receiver):
    issue(http)

    assert control.wait_for_deliveries() == []
    assert receiver.bodies == []


def test_event_details_show_the_badge_as_it_was(http, control):
    badge = issue(http)
    control.accept(badge["id"])
    http.put(f"{ORG}/badges/{badge['id']}/revoke", json={"reason": "left"})

    events = http.get(f"{ORG}/events").json()["data"]

    assert [(e["event_type"], e["badge"]["state"]) for e in events] == [
        ("badge.created", "pending"),
        ("badge.state.changed", "accepted"),
        ("badge.state.changed", "revoked"),
    ]
    first = http.get(f"{ORG}/events/{events[0]['id']}").json()["data"]
    assert first["badge"]["state"] == "pending" and first["badge"]["user"] is None
    assert first["badge"]["badge_url"].startswith(control.url)


def test_the_control_api_refuses_bad_webhook_settings(control):
    with pytest.raises(ControlError, match="max_attempts"):
        control.set_webhooks(max_attempts=0)
