"""Credly's failures as core errors: class, status, message, retry_after, maybe_sent, and never the token."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from badgebridge.core.errors import (
    AlreadyIssued,
    AuthenticationFailed,
    ProviderError,
    ProviderRefused,
    ProviderUnavailable,
)
from badgebridge.plugins.credly import provider
from badgebridge.plugins.credly.errors import parse_retry_after
from tests.credly.fake_credly import BADGE_ID, CREDENTIAL, ORG_ID, TEMPLATE_ID, TOKEN, issue_request

INVALID_TOKEN = {"data": {"message": "You specified an invalid authorization token."}}


def credly_says(message: str) -> dict:
    return {"data": {"message": message}, "metadata": {}}


def connect(conn):
    return provider.connect(connection=conn)


def issue(conn):
    return provider.issue_badge(connection=conn, request=issue_request())


def fetch(conn):
    return provider.fetch_badge(connection=conn, provider_badge_id=BADGE_ID)


def revoke(conn):
    return provider.revoke_badge(connection=conn, provider_badge_id=BADGE_ID, reason="error")


def import_all(conn):
    return list(provider.import_badges(connection=conn))


def find(conn):
    return provider.find_badge(connection=conn, request=issue_request())


EVERY_CALL = [connect, issue, fetch, revoke, import_all, find]


def test_401_says_credly_refused_the_token_in_credlys_words(credly, conn):
    credly.json(401, INVALID_TOKEN)
    with pytest.raises(AuthenticationFailed) as caught:
        connect(conn)
    assert (
        str(caught.value)
        == "Credly refused the token: You specified an invalid authorization token. (HTTP 401)"
    )
    assert caught.value.status == 401


@pytest.mark.parametrize("call", EVERY_CALL)
def test_403_is_an_authentication_failure_on_every_call(credly, conn, call):
    credly.json(403, credly_says("This token lacks write permission"))
    with pytest.raises(
        AuthenticationFailed, match=r"^Credly refused access: This token lacks write permission \(HTTP 403\)$"
    ):
        call(conn)


@pytest.mark.parametrize(
    ("call", "what"),
    [
        (connect, f"organization {ORG_ID} not found on Credly"),
        (import_all, f"organization {ORG_ID} not found on Credly"),
        (issue, f"organization {ORG_ID} or badge template {TEMPLATE_ID} not found on Credly"),
        (fetch, f"badge {BADGE_ID} not found on Credly (organization {ORG_ID})"),
        (revoke, f"badge {BADGE_ID} not found on Credly (organization {ORG_ID})"),
    ],
)
def test_404_says_what_was_not_found(credly, conn, call, what):
    credly.json(404, credly_says("Not found"))
    with pytest.raises(ProviderRefused) as caught:
        call(conn)
    assert type(caught.value) is ProviderRefused
    assert str(caught.value) == f"{what}: Not found (HTTP 404)"
    assert caught.value.status == 404


def test_422_already_has_this_badge_is_already_issued(credly, conn):
    credly.json(422, credly_says("User already has this badge"))
    with pytest.raises(AlreadyIssued) as caught:
        issue(conn)
    assert caught.value.status == 422
    assert "User already has this badge (HTTP 422)" in str(caught.value)
    assert len(credly.requests) == 1, "issue_badge does not look the badge up itself"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (422, "Validation failed: Badge template is archived"),
        (400, "Bad request"),
        (410, "Gone"),
    ],
)
def test_other_refusals_are_provider_refused(credly, conn, status, message):
    credly.json(status, credly_says(message))
    with pytest.raises(ProviderRefused) as caught:
        issue(conn)
    assert type(caught.value) is ProviderRefused
    assert str(caught.value) == f"Credly refused the request: {message} (HTTP {status})"
    assert caught.value.status == status


def test_a_redirect_is_refused_with_a_hint(credly, conn):
    credly.reply(httpx.Response(301, headers={"Location": "https://api.credly.com/v1/x"}))
    with pytest.raises(
        ProviderRefused, match=re.escape("redirected to https://api.credly.com/v1/x; check the host setting")
    ):
        connect(conn)


@pytest.mark.parametrize("call", [issue, connect])
def test_429_is_unavailable_with_retry_after_seconds_and_never_maybe_sent(credly, conn, call):
    credly.json(429, credly_says("Rate limit exceeded"), **{"Retry-After": "30"})
    with pytest.raises(ProviderUnavailable) as caught:
        call(conn)
    error = caught.value
    assert (error.status, error.retry_after, error.maybe_sent) == (429, 30.0, False)
    assert str(error) == "Credly is limiting requests: Rate limit exceeded (HTTP 429)"


def test_429_retry_after_as_an_http_date(credly, conn, manual_clock):
    when = manual_clock.now + timedelta(seconds=120)
    credly.json(429, credly_says("slow down"), **{"Retry-After": format_datetime(when, usegmt=True)})
    with pytest.raises(ProviderUnavailable) as caught:
        issue(conn)
    assert caught.value.retry_after == 120


@pytest.mark.parametrize(
    ("call", "maybe_sent"), [(issue, True), (connect, False), (fetch, False), (find, False)]
)
@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_unavailable_and_maybe_sent_only_for_the_post(credly, conn, call, maybe_sent, status):
    credly.json(status, credly_says("Something went wrong"), **{"Retry-After": "7"})
    with pytest.raises(ProviderUnavailable) as caught:
        call(conn)
    error = caught.value
    assert (error.status, error.maybe_sent, error.retry_after) == (status, maybe_sent, 7.0)
    assert str(error) == f"Credly failed: Something went wrong (HTTP {status})"


@pytest.mark.parametrize("failure", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
@pytest.mark.parametrize("call", [issue, connect])
def test_never_connected_is_never_maybe_sent(credly, conn, call, failure):
    credly.reply(failure)
    with pytest.raises(ProviderUnavailable) as caught:
        call(conn)
    assert str(caught.value) == "cannot reach https://api.credly.com/v1: scripted failure"
    assert (caught.value.maybe_sent, caught.value.status) == (False, None)


@pytest.mark.parametrize(
    "failure", [httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError]
)
@pytest.mark.parametrize(("call", "maybe_sent"), [(issue, True), (connect, False), (fetch, False)])
def test_a_lost_answer_is_maybe_sent_only_for_the_post(credly, conn, call, maybe_sent, failure):
    credly.reply(failure)
    with pytest.raises(ProviderUnavailable) as caught:
        call(conn)
    assert caught.value.maybe_sent is maybe_sent
    assert str(caught.value) == "no answer from Credly at https://api.credly.com/v1: scripted failure"


@pytest.mark.parametrize(
    ("reply", "call", "maybe_sent"),
    [
        (httpx.Response(201, text="<html>created</html>"), issue, True),
        (httpx.Response(201, json={"data": {"state": "pending"}}), issue, True),
        (httpx.Response(200, json=[1, 2]), connect, False),
        (httpx.Response(200, json={"data": {"id": ORG_ID}}), connect, False),
        (httpx.Response(200, json={"data": {"id": "t"}, "metadata": {}}), import_all, False),
        (httpx.Response(200, json={"data": [{"id": "t"}]}), import_all, False),
        (httpx.Response(200, json={"data": [{"id": "b", "state": None}]}), find, False),
        (httpx.Response(204), revoke, False),
    ],
)
def test_an_answer_that_is_not_the_expected_json_is_unavailable(credly, conn, reply, call, maybe_sent):
    credly.reply(reply)
    with pytest.raises(ProviderUnavailable, match="Credly sent an unexpected answer") as caught:
        call(conn)
    assert (caught.value.status, caught.value.maybe_sent) == (reply.status_code, maybe_sent)


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (httpx.Response(500, text="upstream   exploded\n"), "upstream exploded"),
        (httpx.Response(500, text="x" * 1000), "x" * 299 + "…"),
        (
            httpx.Response(
                502, text="<html><body>Bad gateway</body></html>", headers={"Content-Type": "text/html"}
            ),
            "Bad Gateway",
        ),
        (httpx.Response(503), "Service Unavailable"),
        (httpx.Response(500, json={"message": "flat message"}), "flat message"),
        (httpx.Response(500, content=b'{"data": {"message": "  "}}'), '{"data": {"message": " "}}'),
    ],
)
def test_without_credlys_words_the_message_falls_back_to_the_body_or_reason(credly, conn, reply, words):
    credly.reply(reply)
    with pytest.raises(ProviderUnavailable) as caught:
        connect(conn)
    assert str(caught.value) == f"Credly failed: {words} (HTTP {reply.status_code})"


def echo_the_secret(status: int):
    def reply(request: httpx.Request) -> httpx.Response:
        words = f"token {TOKEN} rejected; you sent {request.headers['Authorization']}"
        return httpx.Response(status, json=credly_says(words))

    return reply


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 429, 500])
@pytest.mark.parametrize("call", EVERY_CALL)
def test_no_message_or_repr_carries_the_token_even_when_credly_echoes_it(credly, conn, call, status):
    credly.reply(echo_the_secret(status))
    with pytest.raises(ProviderError) as caught:
        call(conn)
    shown = f"{caught.value} {caught.value!r} {caught.value.message} {caught.value.args}"
    assert TOKEN not in shown
    assert CREDENTIAL not in shown
    assert "rejected" in shown and TOKEN[-4:] in shown, "the rest of Credly's words stay, the token masked"


def test_no_transport_message_carries_the_token(credly, conn):
    def reset(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError(f"reset by {TOKEN}", request=request)

    credly.reply(reset)
    with pytest.raises(ProviderUnavailable) as caught:
        issue(conn)
    assert TOKEN not in f"{caught.value} {caught.value!r}"


def test_no_pagination_message_carries_the_token(credly, conn):
    metadata = {"next_page_url": f"https://x.example/{TOKEN}"}
    credly.reply(httpx.Response(200, json={"data": [{"id": "a", "name": "A"}], "metadata": metadata}))
    with pytest.raises(ProviderUnavailable) as caught:
        import_all(conn)
    assert TOKEN not in f"{caught.value} {caught.value!r}"


NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 1.5 ", 1.5),
        ("Thu, 01 Jan 2026 12:01:30 GMT", 90.0),
        ("Thu, 01 Jan 2026 11:00:00 GMT", 0.0),
        ("-5", 0.0),
        ("soon", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value, seconds):
    assert parse_retry_after(value, now=NOW) == seconds
