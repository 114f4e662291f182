"""MockServer over a real socket: lifecycle, pagination walked by URL, concurrency, errors, logging."""

from __future__ import annotations

import base64
import http.client
import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN, MockServer, create_app
from badgebridge.mock_server import server as server_module
from badgebridge.mock_server.control_client import MockControl

AUTH = (DEFAULT_TOKEN, "")


@pytest.fixture(scope="module")
def server():
    with MockServer() as server:
        yield server


@pytest.fixture
def control(server):
    with MockControl(server.url) as control:
        control.reset()
        yield control
    server.check()


def test_the_server_listens_on_loopback_with_a_real_port(server):
    assert server.host == "127.0.0.1"
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}"
    response = httpx.get(f"{server.url}/v1/organizations/{DEFAULT_ORGANIZATION_ID}", auth=AUTH)
    assert response.json()["data"]["id"] == DEFAULT_ORGANIZATION_ID


def test_stop_closes_the_socket():
    server = MockServer().start()
    url = server.url
    assert httpx.get(f"{url}/_mock/state").status_code == 200

    server.stop()
    server.stop()

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/_mock/state", timeout=2)
    with pytest.raises(RuntimeError):
        server.start()


def test_serve_forever_blocks_until_stopped():
    server = MockServer()
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        assert httpx.get(f"{server.url}/_mock/state").status_code == 200
    finally:
        server.stop()
        thread.join(5)
    assert not thread.is_alive()


def test_seeded_organizations_name_the_ids_and_tokens():
    seed = {"organizations": [{"name": "One", "token": "t-1"}, {"name": "Two", "id": "o-2", "token": "t-2"}]}
    server = MockServer(seed=seed)
    server.stop()

    listed = server.seeded_organizations()

    assert [(o["name"], o["token"]) for o in listed] == [("One", "t-1"), ("Two", "t-2")]
    assert listed[1]["id"] == "o-2" and listed[0]["id"]
    default = MockServer()
    default.stop()
    assert default.seeded_organizations() == [
        {"id": DEFAULT_ORGANIZATION_ID, "name": "Badgebridge Demo Academy", "token": DEFAULT_TOKEN}
    ]


def test_an_app_and_a_seed_together_are_refused():
    with pytest.raises(ValueError):
        MockServer(app=create_app(), seed={"organizations": []})


def test_import_walks_every_page_by_next_page_url(server, control):
    org = control.create_organization("Import Org")
    active = {control.create_template(org["id"], f"Active {i:03d}")["id"] for i in range(120)}
    for i in range(7):
        control.create_template(org["id"], f"Archived {i}", state="archived")
    for i in range(3):
        control.create_template(org["id"], f"Draft {i}", state="draft")

    seen, pages = [], []
    url = f"{server.url}/v1/organizations/{org['id']}/badge_templates/?filter=state::active&per=50"
    with httpx.Client(auth=(org["token"], "")) as http:
        while url:
            body = http.get(url).raise_for_status().json()
            pages.append(body["metadata"])
            seen += [t["id"] for t in body["data"]]
            url = body["metadata"]["next_page_url"]

    assert [p["current_page"] for p in pages] == [1, 2, 3]
    assert [p["count"] for p in pages] == [50, 50, 20]
    assert {p["total_pages"] for p in pages} == {3}
    assert {p["total_count"] for p in pages} == {120}
    assert pages[0]["next_page_url"].startswith(
        f"{server.url}/v1/organizations/{org['id']}/badge_templates/?"
    )
    assert pages[2]["previous_page_url"].startswith(server.url)
    assert len(seen) == len(set(seen)) == 120
    assert set(seen) == active


def test_walking_by_page_number_until_total_pages_gives_the_same(server, control):
    org = control.create_organization("Paged Org")
    for i in range(120):
        control.create_template(org["id"], f"T {i:03d}")

    seen = []
    with httpx.Client(base_url=server.url, auth=(org["token"], "")) as http:
        page, total_pages = 1, 1
        while page <= total_pages:
            body = http.get(f"/v1/organizations/{org['id']}/badge_templates", params={"page": page}).json()
            total_pages = body["metadata"]["total_pages"]
            seen += [t["name"] for t in body["data"]]
            page += 1
        past_the_end = http.get(
            f"/v1/organizations/{org['id']}/badge_templates", params={"page": page}
        ).json()

    assert total_pages == 3
    assert seen == [f"T {i:03d}" for i in range(120)]
    assert past_the_end["data"] == []


def test_concurrent_issues_are_all_kept(server, control):
    url = f"{server.url}/v1/organizations/{DEFAULT_ORGANIZATION_ID}/badges"
    http = httpx.Client(auth=AUTH, timeout=30)

    def issue(n: int) -> int:
        body = {
            "recipient_email": f"learner{n}@example.org",
            "issued_to_first_name": "Learner",
            "issued_to_last_name": str(n),
            "badge_template_id": "3a5e7c90-1b2d-4f6a-8c0e-2d4f6a8b0c11",
            "issued_at": "2024-01-15 09:00:00 +0000",
        }
        return http.post(url, json=body).status_code

    with http, ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(issue, range(120)))

    state = control.state()
    assert codes == [201] * 120
    assert len(state["badges"]) == 120
    assert len({b["id"] for b in state["badges"]}) == 120
    assert state["stats"]["requests"]["issue_badge"] == 120


def test_concurrent_duplicates_give_exactly_one_badge(server, control):
    url = f"{server.url}/v1/organizations/{DEFAULT_ORGANIZATION_ID}/badges"
    body = {
        "recipient_email": "same@example.org",
        "issued_to_first_name": "Same",
        "issued_to_last_name": "Person",
        "badge_template_id": "3a5e7c90-1b2d-4f6a-8c0e-2d4f6a8b0c11",
        "issued_at": "2024-01-15",
    }

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(
            pool.map(lambda _: httpx.post(url, json=body, auth=AUTH, timeout=30).status_code, range(24))
        )

    assert sorted(codes) == [201] + [422] * 23
    assert len(control.state()["badges"]) == 1


def test_the_fixture_helpers_drive_the_earner_and_faults(server, control):
    org = control.create_organization("Helper Org")
    template = control.create_template(org["id"], "Helper", description="d")
    with httpx.Client(base_url=server.url, auth=(org["token"], "")) as http:
        badge = http.post(
            f"/v1/organizations/{org['id']}/badges",
            json={
                "recipient_email": "e@example.org",
                "issued_to_first_name": "E",
                "issued_to_last_name": "F",
                "badge_template_id": template["id"],
                "issued_at": "2024-01-15",
            },
        ).json()["data"]

        assert control.accept(badge["id"])["state"] == "accepted"
        assert control.set_faults(error_rate=1)["error_rate"] == 1
        assert http.get(f"/v1/organizations/{org['id']}").status_code == 503


def test_a_handler_crash_is_a_500_and_check_reraises_it():
    app = create_app()

    def crash():
        raise ZeroDivisionError("boom")

    app.add_url_rule("/crash", view_func=crash)
    with MockServer(app=app) as server:
        response = httpx.get(f"{server.url}/crash")

        assert response.status_code == 500
        assert response.json() == {"data": {"message": "Internal server error."}}
        with pytest.raises(ZeroDivisionError, match="boom"):
            server.check()
        server.check()  # reported once


def test_quiet_by_default(caplog):
    with caplog.at_level(logging.INFO), MockServer() as server:
        httpx.get(f"{server.url}/_mock/state")

    assert [r for r in caplog.records if r.name == "werkzeug"] == []


def test_an_idle_kept_alive_connection_is_closed_without_an_error_line(caplog, monkeypatch):
    """The server closes a connection idle past its timeout; that is how keep-alive ends, not an error."""
    monkeypatch.setattr(server_module._KeepAliveHandler, "timeout", 0.2)
    with (
        caplog.at_level(logging.INFO),
        MockServer(log_requests=True) as server,
        socket.create_connection((server.host, server.port), timeout=10) as sock,
    ):
        sock.sendall(b"GET /_mock/state HTTP/1.1\r\nHost: mock\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):  # until the server closes the idle connection
            received += chunk
    assert received.startswith(b"HTTP/1.1 200")
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len(lines) == 1 and "GET /_mock/state" in lines[0], lines


def test_log_requests_logs_one_line_per_request(caplog):
    with caplog.at_level(logging.INFO), MockServer(log_requests=True) as server:
        httpx.get(f"{server.url}/_mock/state")

    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len(lines) == 1
    assert "GET /_mock/state" in lines[0]


def test_create_app_can_log_requests_itself(caplog):
    client = create_app(log_requests=True).test_client()

    with caplog.at_level(logging.INFO, logger="badgebridge.mock_server.app"):
        client.get("/_mock/state")
        client.get("/v1/organizations")

    lines = [r.getMessage() for r in caplog.records if r.name == "badgebridge.mock_server.app"]
    assert lines == ["GET /_mock/state -> 200", "GET /v1/organizations -> 401"]


def test_connections_are_kept_alive(server, control):
    """Two requests travel over one TCP connection (HTTP/1.1 keep-alive)."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request("GET", "/_mock/state")
        first = connection.getresponse()
        first.read()
        socket_after_first = connection.sock
        connection.request("GET", f"/v1/organizations/{DEFAULT_ORGANIZATION_ID}", headers=_basic())
        second = connection.getresponse()
        second.read()
        socket_after_second = connection.sock
    finally:
        connection.close()

    assert (first.version, first.will_close) == (11, False)
    assert second.status == 200
    assert socket_after_first is not None and socket_after_second is socket_after_first


def _basic() -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{DEFAULT_TOKEN}:".encode()).decode()}


def test_a_client_that_dies_mid_body_is_dropped_not_a_server_error(server, control):
    """A sender killed while writing its request leaves a short body: no answer, no app error."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.putrequest("POST", f"/v1/organizations/{DEFAULT_ORGANIZATION_ID}/badges")
        for name, value in (_basic() | {"Content-Type": "application/json", "Content-Length": "100"}).items():
            connection.putheader(name, value)
        connection.endheaders(b'{"recipient_email": ')
        connection.sock.shutdown(2)
    finally:
        connection.close()
    assert control.state()["badges"] == []
    server.check()
