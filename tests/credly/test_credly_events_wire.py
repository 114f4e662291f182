"""The Credly side of events, webhook subscription, token rotation and the workforce, on the wire."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from badgebridge.core.errors import AuthenticationFailed, ProviderRefused
from badgebridge.core.model import (
    EventType,
    IssuedBadge,
    ProviderBadge,
    PushedLearner,
    PushOutcome,
    Recipient,
)
from badgebridge.plugins.credly import provider
from tests.credly.fake_credly import (
    BADGE_ID,
    ORG_ID,
    ORG_URL,
    TEMPLATE_ID,
    TOKEN,
    badge,
    envelope,
    make_conn,
    page,
)

EVENT_ID = "e7d6c5b4-3333-4a2b-9c3d-5e6f7a8b9c0d"


def test_fetch_event_reads_a_badge_event(credly, conn):
    credly.json(
        200,
        envelope(
            {
                "id": EVENT_ID,
                "organization_id": ORG_ID,
                "event_type": "badge.state.changed",
                "occurred_at": "2024-05-01T10:00:00.000Z",
                "badge": badge(state="accepted"),
            }
        ),
    )
    event = provider.fetch_event(connection=conn, event_id=EVENT_ID)
    assert (event.event_id, event.event_type, event.account_id) == (
        EVENT_ID,
        EventType.BADGE_STATE_CHANGED,
        ORG_ID,
    )
    assert event.occurred_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert event.badge == IssuedBadge(BADGE_ID, "accepted", f"https://www.credly.com/badges/{BADGE_ID}")
    assert event.template is None
    [request] = credly.requests
    assert (request.method, str(request.url)) == ("GET", f"{ORG_URL}/events/{EVENT_ID}")


def test_fetch_event_reads_a_template_event_and_its_owner():
    template = {
        "id": TEMPLATE_ID,
        "name": "Speaker",
        "state": "archived",
        "description": "d",
        "owner": {"id": ORG_ID},
    }
    event = provider.provider_event(
        {"id": EVENT_ID, "event_type": "badge_template.changed", "badge_template": template}
    )
    assert event.account_id == ORG_ID
    assert event.template == ProviderBadge(TEMPLATE_ID, "Speaker", "d", "", "archived")


def test_an_unknown_event_is_a_refusal(credly, conn):
    credly.json(404, {"data": {"message": "Not found"}})
    with pytest.raises(ProviderRefused, match=f"event {EVENT_ID} not found on Credly"):
        provider.fetch_event(connection=conn, event_id=EVENT_ID)


def test_subscribe_sets_the_organizations_webhook_url(credly, conn):
    url = "http://127.0.0.1:9000/events/credly-test"
    credly.json(200, envelope({"id": ORG_ID, "name": "Acme", "webhook_url": url}))
    assert provider.subscribe_events(connection=conn, url=url) == url
    [request] = credly.requests
    assert (request.method, str(request.url)) == ("PUT", ORG_URL)
    assert json.loads(request.content) == {"webhook_url": url}


def test_rotate_returns_the_new_token_and_never_shows_it_in_errors(credly, conn):
    new = "tok-new-0123456789abcdef"
    credly.json(200, envelope({"token": new}))
    assert provider.rotate_token(connection=conn) == {"token": new}
    [request] = credly.requests
    assert (request.method, str(request.url)) == ("POST", f"{ORG_URL}/authorization_tokens/rotate")


def test_a_refused_rotation_masks_the_token(credly, conn):
    credly.json(401, {"data": {"message": f"token {TOKEN} is not valid"}})
    with pytest.raises(AuthenticationFailed) as caught:
        provider.rotate_token(connection=conn)
    assert TOKEN not in str(caught.value) and TOKEN[-4:] in str(caught.value)


def recipient(email: str, learner_id: str = "L1") -> Recipient:
    return Recipient(email, "Ada", "Lovelace", learner_id)


def test_push_learners_adds_the_missing_and_reports_the_present_and_refused(credly, conn):
    employees = [{"id": "emp-1", "email": "Known@Example.org"}]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=page(employees, 1, 1, None))
        body = json.loads(request.content)
        if body["email"] == "late@example.org":
            return httpx.Response(422, json={"data": {"message": "Email has already been taken"}})
        if body["email"] == "bad@example.org":
            return httpx.Response(422, json={"data": {"message": "Email is invalid for this organization"}})
        return httpx.Response(201, json=envelope({"id": "emp-2", **body}))

    credly.reply(answer)
    results = list(
        provider.push_learners(
            connection=conn,
            recipients=[
                recipient("known@example.org"),
                recipient("new@example.org", "L2"),
                recipient("late@example.org"),
                recipient("bad@example.org"),
            ],
        )
    )
    assert results[:3] == [
        PushedLearner("known@example.org", PushOutcome.PRESENT),
        PushedLearner("new@example.org", PushOutcome.ADDED),
        PushedLearner("late@example.org", PushOutcome.PRESENT),
    ]
    assert results[3].outcome == PushOutcome.REFUSED and "invalid for this organization" in results[3].message
    get, *posts = credly.requests
    assert (get.method, str(get.url)) == ("GET", f"{ORG_URL}/employees")
    assert len(posts) == 3, "the known learner is not posted"
    assert json.loads(posts[0].content) == {
        "email": "new@example.org",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "external_id": "L2",
    }


def test_push_learners_reaches_nobody_when_the_token_is_refused(credly):
    credly.json(401, {"data": {"message": "You specified an invalid authorization token."}})
    with pytest.raises(AuthenticationFailed):
        list(provider.push_learners(connection=make_conn(), recipients=[recipient("a@example.org")]))
