"""What the Credly client guards: no request after the sender's fence ran out, the old token and the
Bearer token in use stay masked, an answer of the wrong shape is named as such, and the learners
it pushes land in the mock's workforce."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from badgebridge.core import fencing
from badgebridge.core.errors import ProviderError, ProviderRefused, ProviderUnavailable
from badgebridge.core.model import PushOutcome, Recipient
from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN, create_app
from badgebridge.plugins.credly import client as credly_client
from badgebridge.plugins.credly import provider
from tests.credly.fake_credly import BADGE_ID, ORG_ID, TOKEN, envelope, make_conn, page
from tests.credly.test_credly_oauth import CLIENT_ID, SECRET, oauth_conn

MOCK = "http://mock.test"


class RecordingTransport(httpx.WSGITransport):
    def __init__(self) -> None:
        super().__init__(app=create_app())
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return super().handle_request(request)


@pytest.fixture
def mock() -> Iterator[RecordingTransport]:
    transport = RecordingTransport()
    credly_client.set_transport(transport)
    yield transport
    credly_client.set_transport(None)


def mock_conn():
    return make_conn("mock", host=MOCK, token=DEFAULT_TOKEN, org_id=DEFAULT_ORGANIZATION_ID)


def test_no_request_leaves_once_the_senders_fence_ran_out(mock):
    connection = mock_conn()
    with fencing.fenced_until(deadline=10.0, now=lambda: 11.0), pytest.raises(fencing.FenceExpired):
        provider.fetch_badge(connection=connection, provider_badge_id=BADGE_ID)
    assert mock.requests == [], "nothing was written to Credly"

    with fencing.fenced_until(deadline=10.0, now=lambda: 9.0), pytest.raises(ProviderRefused):
        provider.fetch_badge(connection=connection, provider_badge_id=BADGE_ID)
    assert len(mock.requests) == 1, "within the fence the request goes out (and finds no such badge)"


def test_pushed_learners_are_in_the_mocks_workforce(mock):
    pushed = list(
        provider.push_learners(
            connection=mock_conn(), recipients=[Recipient("ada@example.org", "Ada", "Lovelace", "L1")]
        )
    )
    assert [(p.email, p.outcome) for p in pushed] == [("ada@example.org", PushOutcome.ADDED)]
    with httpx.Client(transport=mock, base_url=MOCK) as control:
        employees = control.get("/_mock/state").json()["employees"]
    assert [(e["email"], e["external_id"]) for e in employees if e["email"] == "ada@example.org"] == [
        ("ada@example.org", "L1")
    ]


def test_the_old_token_stays_masked_after_a_rotation(credly, conn):
    new = "tok-new-0123456789abcdef"
    credly.json(200, envelope({"token": new}))
    credly.json(422, {"data": {"message": f"tokens {TOKEN} and {new} were both seen"}})
    assert provider.rotate_token(connection=conn) == {"token": new}
    with pytest.raises(ProviderRefused) as caught:
        provider.fetch_badge(connection=conn, provider_badge_id=BADGE_ID)
    shown = str(caught.value)
    assert TOKEN not in shown and new not in shown
    assert TOKEN[-4:] in shown and new[-4:] in shown


def test_an_answer_of_the_wrong_shape_says_what_was_expected(credly, conn):
    credly.json(200, envelope({"id": BADGE_ID}))
    with pytest.raises(ProviderUnavailable) as caught:
        provider.fetch_badge(connection=conn, provider_badge_id=BADGE_ID)
    assert str(caught.value) == (
        f"Credly sent an unexpected answer to GET /v1/organizations/{ORG_ID}/badges/{BADGE_ID}:"
        " expected data to be an object with id, state (HTTP 200)"
    )

    credly.json(200, envelope({"id": "not a list"}))
    with pytest.raises(ProviderUnavailable) as caught:
        list(provider.import_badges(connection=conn))
    assert str(caught.value) == (
        f"Credly sent an unexpected answer to GET /v1/organizations/{ORG_ID}/badge_templates:"
        " expected data to be a list of objects with id, name (HTTP 200)"
    )


def test_the_bearer_token_in_use_is_masked_in_credlys_words():
    bearer = "bearer-0123456789-abcdef"

    def oauth_credly(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            return httpx.Response(
                200, json={"access_token": bearer, "token_type": "Bearer", "expires_in": 7200}
            )
        return httpx.Response(422, json={"data": {"message": f"token {bearer} may not do that"}})

    credly_client.set_transport(httpx.MockTransport(oauth_credly))
    try:
        with pytest.raises(ProviderRefused) as caught:
            provider.connect(connection=oauth_conn())
    finally:
        credly_client.set_transport(None)
    shown = str(caught.value)
    assert bearer not in shown and bearer[-4:] in shown


def test_the_next_page_by_number_is_read_with_get(credly, conn):
    first = [{"id": "t1", "name": "One", "state": "active"}]
    second = [{"id": "t2", "name": "Two", "state": "active"}]
    credly.json(200, page(first, 1, 2, None))
    credly.json(200, page(second, 2, 2, None))
    assert [badge.external_id for badge in provider.import_badges(connection=conn)] == ["t1", "t2"]
    assert [(request.method, request.url.params.get("page")) for request in credly.requests] == [
        ("GET", None),
        ("GET", "2"),
    ]


def test_the_oauth_client_credential_is_masked_in_the_token_endpoints_words():
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, json={"error": "invalid_request", "error_description": f"bad header Basic {basic}"}
        )

    credly_client.set_transport(httpx.MockTransport(token_endpoint))
    try:
        with pytest.raises(ProviderError) as caught:
            provider.connect(connection=oauth_conn())
    finally:
        credly_client.set_transport(None)
    shown = str(caught.value)
    assert basic not in shown and SECRET not in shown and basic[-4:] in shown
