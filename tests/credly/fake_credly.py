"""Test helpers: a scripted Credly for ``httpx.MockTransport``; connections made as the host makes them."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from badgebridge.core.model import Connection, IssueRequest, Recipient
from badgebridge.core.settings import make_connection, split_secrets, validate_settings
from badgebridge.plugins.credly.provider import declare_provider

TOKEN = "tok-9f8e7d6c5b4a3210-very-secret"
CREDENTIAL = base64.b64encode(f"{TOKEN}:".encode()).decode()
ORG_ID = "6f1c3e2a-8b4d-4c5e-9a7f-0d2b4e6a8c10"
TEMPLATE_ID = "0b7f6c1e-1111-4a2b-9c3d-5e6f7a8b9c0d"
BADGE_ID = "a1b2c3d4-2222-4e5f-8a9b-0c1d2e3f4a5b"
API = "https://api.credly.com/v1"
ORG_URL = f"{API}/organizations/{ORG_ID}"

MAX_REQUESTS = 100

Reply = httpx.Response | type[Exception] | Callable[[httpx.Request], httpx.Response]


def make_conn(
    name: str = "credly-test", *, host: str | None = None, token: str = TOKEN, org_id: str = ORG_ID
) -> Connection:
    """A connection validated and normalised by ``badgebridge.core.settings``, the token a ``Secret``."""
    declaration = declare_provider()
    settings = {"org_id": org_id, "token": token} | ({"host": host} if host is not None else {})
    plain, secrets = split_secrets(declaration, validate_settings(declaration, settings))
    return make_connection(name, declaration, plain, secrets)


def envelope(data: Any, **metadata: Any) -> dict[str, Any]:
    return {"data": data, "metadata": metadata}


def page(items: list[dict[str, Any]], current: int, total: int, next_url: str | None) -> dict[str, Any]:
    return envelope(
        items,
        count=len(items),
        current_page=current,
        total_count=None,
        total_pages=total,
        per=len(items),
        previous_page_url=None,
        next_page_url=next_url,
    )


def badge(badge_id: str = BADGE_ID, state: str = "pending", **fields: Any) -> dict[str, Any]:
    return {
        "id": badge_id,
        "state": state,
        "badge_url": f"https://www.credly.com/badges/{badge_id}",
        "recipient_email": "ada@example.com",
        "issuer_earner_id": "learner-7",
        "badge_template": {"id": TEMPLATE_ID},
    } | fields


def issue_request(**changes: Any) -> IssueRequest:
    fields: dict[str, Any] = {
        "award_id": "award-1",
        "external_badge_id": TEMPLATE_ID,
        "recipient": Recipient(
            email="ada@example.com", first_name="Ada", last_name="Lovelace", learner_id="learner-7"
        ),
        "issued_at": datetime(2014, 4, 1, 9, 41, tzinfo=UTC),
    }
    return IssueRequest(**(fields | changes))


class FakeCredly:
    """Records every request and answers with the queued replies, in order; the last one repeats.

    A reply is an ``httpx.Response``, an httpx exception class to raise, or a function of the request.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._replies: list[Reply] = []

    def reply(self, *replies: Reply) -> FakeCredly:
        self._replies.extend(replies)
        return self

    def json(self, status: int = 200, body: Any = None, **headers: str) -> FakeCredly:
        return self.reply(lambda request: httpx.Response(status, json=body, headers=headers))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert len(self.requests) <= MAX_REQUESTS, "the client does not stop asking"
        reply = self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]
        if isinstance(reply, type):
            raise reply("scripted failure", request=request)
        return reply(request) if callable(reply) else reply

    @property
    def urls(self) -> list[str]:
        return [str(request.url) for request in self.requests]
