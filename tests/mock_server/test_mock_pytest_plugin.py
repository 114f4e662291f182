"""The pytest plugin's fixtures, exercised in inner pytest runs (pytester, in a subprocess so that the
inner run's imports cannot leak into this one)."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest

import badgebridge.mock_server

pytest_plugins = ["pytester"]
REPOSITORY = str(Path(badgebridge.mock_server.__file__).resolve().parent.parent)


@pytest.fixture
def inner(pytester, monkeypatch):
    """A pytester whose subprocess runs can import mock_server and load no installed plugins."""
    monkeypatch.setenv("PYTHONPATH", REPOSITORY)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    return pytester


TESTS = """
import httpx

from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN, MockServer


def test_credly_mock_serves_the_default_seed(credly_mock):
    assert (credly_mock.organization_id, credly_mock.token) == (DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN)
    response = httpx.get(
        f"{credly_mock.url}/v1/organizations/{credly_mock.organization_id}/badge_templates",
        auth=(credly_mock.token, ""),
    )
    assert response.json()["metadata"]["total_count"] == 5


def test_helpers_mirror_the_control_api(credly_mock):
    org = credly_mock.create_organization("Plugin Org")
    template = credly_mock.create_template(org["id"], "Plugin Badge", description="d")
    badge = httpx.post(
        f"{credly_mock.url}/v1/organizations/{org['id']}/badges",
        auth=(org["token"], ""),
        json={
            "recipient_email": "p@example.org",
            "issued_to_first_name": "P",
            "issued_to_last_name": "Q",
            "badge_template_id": template["id"],
            "issued_at": "2024-01-15",
        },
    ).json()["data"]
    assert credly_mock.reject(badge["id"])["state"] == "rejected"
    assert credly_mock.set_faults(latency_ms=1) == {
        "latency_ms": 1, "error_rate": 0.0, "rate_limit_per_second": None, "seed": None
    }
    assert len(credly_mock.state()["badges"]) == 1


def test_each_test_starts_from_the_seed(credly_mock):
    state = credly_mock.state()
    assert [o["id"] for o in state["organizations"]] == [DEFAULT_ORGANIZATION_ID]
    assert state["badges"] == []
    assert credly_mock.set_faults()["latency_ms"] == 0


def test_one_server_per_session(credly_mock_server, credly_mock):
    assert isinstance(credly_mock_server, MockServer)
    assert credly_mock.url == credly_mock_server.url


def test_the_request_log_and_scripts(credly_mock):
    credly_mock.script("list_badges", status=503)
    url = f"{credly_mock.url}/v1/organizations/{credly_mock.organization_id}/badges"
    statuses = [httpx.get(url, auth=(credly_mock.token, "")).status_code for _ in range(2)]
    assert statuses == [503, 200]
    logged = [(r["operation"], r["status"]) for r in credly_mock.requests]
    assert logged == [("list_badges", 503), ("list_badges", 200)]
    assert credly_mock.token not in str(credly_mock.requests)


def test_credly_mock_app_is_a_fresh_app(credly_mock_app):
    client = credly_mock_app.test_client()
    bearer = {"Authorization": "Bearer " + DEFAULT_TOKEN}
    assert client.get("/v1/organizations", headers=bearer).status_code == 200
"""


def test_the_fixtures_work_when_the_plugin_is_named(inner):
    inner.makepyfile(test_inner=TESTS)

    result = inner.runpytest_subprocess("-p", "badgebridge.mock_server.pytest_plugin")

    result.assert_outcomes(passed=6)


def test_a_control_error_names_the_mocks_message(inner):
    inner.makepyfile(
        test_inner="""
        import pytest
        from badgebridge.mock_server.control_client import ControlError

        def test_unknown_org(credly_mock):
            with pytest.raises(ControlError, match="404: Organization nope not found"):
                credly_mock.create_template("nope", "T")
        """
    )

    inner.runpytest_subprocess("-p", "badgebridge.mock_server.pytest_plugin").assert_outcomes(passed=1)


def test_an_overridden_server_serves_its_own_seed(inner):
    inner.makeconftest(
        """
        import pytest
        from badgebridge.mock_server import MockServer

        @pytest.fixture(scope="session")
        def credly_mock_server():
            seed = {"organizations": [{"name": "Own", "id": "own-org", "token": "own-token"}]}
            with MockServer(seed=seed) as server:
                yield server
        """
    )
    inner.makepyfile(
        test_inner="""
        def test_own_seed(credly_mock):
            assert (credly_mock.organization_id, credly_mock.token) == ("own-org", "own-token")
            assert [o["name"] for o in credly_mock.state()["organizations"]] == ["Own"]
        """
    )

    inner.runpytest_subprocess("-p", "badgebridge.mock_server.pytest_plugin").assert_outcomes(passed=1)


def _installed_entry_point():
    return [ep for ep in entry_points(group="pytest11") if ep.name == "badgebridge_mock"]


@pytest.mark.skipif(
    not _installed_entry_point(), reason="badgebridge is not installed (no pytest11 entry point)"
)
def test_the_installed_entry_point_loads_the_fixtures(inner, monkeypatch):
    assert {entry_point.value for entry_point in _installed_entry_point()} == {
        "badgebridge.mock_server.pytest_plugin"
    }
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    inner.makepyfile(test_inner=TESTS)

    inner.runpytest_subprocess().assert_outcomes(passed=6)
