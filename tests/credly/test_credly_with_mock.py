"""The plugin against the bundled mock of Credly, in process through ``httpx.WSGITransport``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from badgebridge.core.errors import AlreadyIssued, AuthenticationFailed, ProviderRefused, ProviderUnavailable
from badgebridge.core.model import Connection, ConnectionInfo, Recipient
from badgebridge.mock_server import (
    DEFAULT_ORGANIZATION_ID,
    DEFAULT_ORGANIZATION_NAME,
    DEFAULT_TOKEN,
    create_app,
)
from badgebridge.plugins.credly import client as credly_client
from badgebridge.plugins.credly import provider
from tests.credly.fake_credly import issue_request, make_conn

MOCK = "http://mock.test"
PYTHON_FUNDAMENTALS = "3a5e7c90-1b2d-4f6a-8c0e-2d4f6a8b0c11"
TEAM_LEAD = "6d8bafc3-4e5a-4c9d-9f3b-5a7c9dbe3f14"  # allows duplicate badges
LEGACY_WEB_BASICS = "7e9cb0d4-5f6b-4dae-8a4c-6b8daecf4a15"  # archived


class RecordingTransport(httpx.WSGITransport):
    def __init__(self, app) -> None:
        super().__init__(app=app)
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return super().handle_request(request)


@pytest.fixture
def mock() -> Iterator[RecordingTransport]:
    transport = RecordingTransport(create_app())
    credly_client.set_transport(transport)
    yield transport
    credly_client.set_transport(None)


@pytest.fixture
def control(mock) -> Iterator[httpx.Client]:
    """The mock's own control API (``/_mock``), outside Credly's ``/v1``."""
    with httpx.Client(transport=mock, base_url=f"{MOCK}/_mock") as client:
        yield client


def mock_conn(token: str = DEFAULT_TOKEN, org_id: str = DEFAULT_ORGANIZATION_ID) -> Connection:
    return make_conn("mock", host=MOCK, token=token, org_id=org_id)


def test_connect_reaches_the_default_organization(mock):
    info = provider.connect(connection=mock_conn())
    assert info == ConnectionInfo(account_name=DEFAULT_ORGANIZATION_NAME, account_id=DEFAULT_ORGANIZATION_ID)
    assert str(mock.requests[0].url) == f"{MOCK}/v1/organizations/{DEFAULT_ORGANIZATION_ID}"


def test_a_wrong_token_is_refused_in_credlys_words(mock):
    with pytest.raises(AuthenticationFailed) as caught:
        provider.connect(connection=mock_conn(token="not-the-token-at-all"))
    assert caught.value.status == 401
    assert "You specified an invalid authorization token." in str(caught.value)
    assert "not-the-token-at-all" not in f"{caught.value} {caught.value!r}"


def test_import_walks_every_page_and_keeps_only_active_templates(mock, control):
    org_templates = f"/organizations/{DEFAULT_ORGANIZATION_ID}/badge_templates"
    added = set()
    for i in range(120):
        response = control.post(org_templates, json={"name": f"Skill {i:03d}", "description": f"Level {i}"})
        assert response.status_code == 201, response.text
        added.add(response.json()["id"])
    for state in ("archived", "draft"):
        assert control.post(org_templates, json={"name": f"Old {state}", "state": state}).status_code == 201
    mock.requests.clear()

    badges = list(provider.import_badges(connection=mock_conn()))

    ids = [badge.external_id for badge in badges]
    assert len(ids) == len(set(ids)) == 124
    assert added < set(ids) and LEGACY_WEB_BASICS not in ids
    assert {badge.state for badge in badges} == {"active"}
    assert [badge.name for badge in badges] == sorted(badge.name for badge in badges)
    python = next(badge for badge in badges if badge.external_id == PYTHON_FUNDAMENTALS)
    assert python.description == "Writes, tests and debugs small Python programs."
    assert [request.url.params.get("page") for request in mock.requests] == [None, "2", "3"]


def test_a_duplicate_issue_is_already_issued_and_find_badge_links_it(mock):
    conn = mock_conn()
    request = issue_request(external_badge_id=PYTHON_FUNDAMENTALS)
    issued = provider.issue_badge(connection=conn, request=request)
    assert issued.state == "pending"
    assert issued.url and issued.provider_badge_id in issued.url

    with pytest.raises(AlreadyIssued, match="already has this badge"):
        provider.issue_badge(connection=conn, request=request)

    assert provider.find_badge(connection=conn, request=request) == issued


def test_find_badge_by_email_when_the_earner_id_differs(mock):
    conn = mock_conn()
    issued = provider.issue_badge(conn, issue_request(external_badge_id=TEAM_LEAD))
    elsewhere = Recipient(
        email="ada@example.com", first_name="Ada", last_name="Lovelace", learner_id="other-1"
    )
    assert (
        provider.find_badge(conn, issue_request(external_badge_id=TEAM_LEAD, recipient=elsewhere)) == issued
    )
    assert provider.find_badge(conn, issue_request(external_badge_id=PYTHON_FUNDAMENTALS)) is None


def test_fetch_and_revoke_and_a_revoked_badge_is_not_found(mock, control):
    conn = mock_conn()
    request = issue_request(external_badge_id=PYTHON_FUNDAMENTALS)
    issued = provider.issue_badge(conn, request)
    assert control.post(f"/badges/{issued.provider_badge_id}/accept").status_code == 200
    assert (
        provider.fetch_badge(connection=conn, provider_badge_id=issued.provider_badge_id).state == "accepted"
    )

    revoked = provider.revoke_badge(conn, issued.provider_badge_id, "issued in error")
    assert (revoked.provider_badge_id, revoked.state) == (issued.provider_badge_id, "revoked")
    assert provider.find_badge(conn, request) is None


def test_refusals_from_the_mock(mock):
    with pytest.raises(ProviderRefused, match="organization no-such-org not found on Credly"):
        provider.connect(connection=mock_conn(org_id="no-such-org"))
    conn = mock_conn()
    with pytest.raises(ProviderRefused, match="badge no-such-badge not found on Credly"):
        provider.fetch_badge(conn, "no-such-badge")
    with pytest.raises(ProviderRefused) as caught:
        provider.issue_badge(conn, issue_request(external_badge_id=LEGACY_WEB_BASICS))
    assert caught.value.status == 422 and not isinstance(caught.value, AlreadyIssued)


def test_injected_503s_are_maybe_sent_only_for_the_post(mock, control):
    assert control.put("/faults", json={"error_rate": 1}).status_code == 200
    with pytest.raises(ProviderUnavailable) as post:
        provider.issue_badge(mock_conn(), issue_request(external_badge_id=PYTHON_FUNDAMENTALS))
    with pytest.raises(ProviderUnavailable) as get:
        provider.connect(connection=mock_conn())
    assert (post.value.status, post.value.maybe_sent) == (503, True)
    assert (get.value.status, get.value.maybe_sent) == (503, False)


def test_the_rate_limit_gives_a_retry_after(mock, control):
    assert control.put("/faults", json={"rate_limit_per_second": 0.01}).status_code == 200
    provider.connect(connection=mock_conn())
    with pytest.raises(ProviderUnavailable) as caught:
        provider.connect(connection=mock_conn())
    assert caught.value.status == 429
    assert caught.value.retry_after is not None and caught.value.retry_after > 0
    assert caught.value.maybe_sent is False
