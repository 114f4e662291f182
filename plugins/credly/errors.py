"""Credly's failures as ``badgebridge.core.errors``: one function per kind of failure, no I/O.

Outcome classes follow ``outbox-anchors.md`` §2.3: a connection that was never made, a 429 and a
4xx answer mean nothing was created; a lost answer or a 5xx after a POST may have created the badge
(``maybe_sent``). A GET never creates anything, so it is never ``maybe_sent``.

Every message goes through the caller's ``scrub`` so a token can never reach it, even if Credly
echoed one back.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import (
    AlreadyIssued,
    AuthenticationFailed,
    ProviderError,
    ProviderRefused,
    ProviderUnavailable,
)

DUPLICATE = "already has this badge"
"""What Credly's 422 says when the recipient holds the badge (credly-api.md §7)."""

NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport failures that happen before a request is written: nothing reached Credly."""

MAX_WORDS = 300

Scrub = Callable[[str], str]


def response_error(response: httpx.Response, *, not_found: str, scrub: Scrub) -> ProviderError:
    """The error for a non-2xx answer; ``not_found`` says what a 404 means for this request."""
    status = response.status_code
    words = scrub(credly_words(response))
    if status == 401:
        return AuthenticationFailed(f"Credly refused the token: {words} (HTTP 401)", status=status)
    if status == 403:
        return AuthenticationFailed(f"Credly refused access: {words} (HTTP 403)", status=status)
    if status == 404:
        return ProviderRefused(f"{not_found}: {words} (HTTP 404)", status=status)
    if status == 429 or status >= 500:
        lead = "Credly is limiting requests" if status == 429 else "Credly failed"
        return ProviderUnavailable(
            f"{lead}: {words} (HTTP {status})",
            status=status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            maybe_sent=status >= 500 and response.request.method == "POST",
        )
    if status == 422 and DUPLICATE in words.lower():
        return AlreadyIssued(
            f"Credly says the recipient already has this badge: {words} (HTTP 422)", status=status
        )
    if response.is_redirect:
        words = scrub(f"redirected to {response.headers['Location']}; check the host setting")
    return ProviderRefused(f"Credly refused the request: {words} (HTTP {status})", status=status)


def transport_error(
    exc: httpx.RequestError, *, method: str, base_url: str, scrub: Scrub
) -> ProviderUnavailable:
    """The error for a request that got no answer: unreachable (never sent) or lost on the way back."""
    reason = scrub(str(exc) or type(exc).__name__)
    if isinstance(exc, NOT_SENT):
        return ProviderUnavailable(f"cannot reach {base_url}: {reason}", maybe_sent=False)
    return ProviderUnavailable(f"no answer from Credly at {base_url}: {reason}", maybe_sent=method == "POST")


def unexpected_body(response: httpx.Response, *, problem: str, scrub: Scrub) -> ProviderUnavailable:
    """The error for a 2xx answer that is not the JSON Credly documents (a POST may still have worked)."""
    request = response.request
    return ProviderUnavailable(
        scrub(f"Credly sent an unexpected answer to {request.method} {request.url.path}: {problem}")
        + f" (HTTP {response.status_code})",
        status=response.status_code,
        maybe_sent=request.method == "POST",
    )


def credly_words(response: httpx.Response) -> str:
    """Credly's own message (``{"data": {"message": ...}}``), else a short body text or the reason phrase."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        data = body.get("data")
        for message in (data.get("message") if isinstance(data, dict) else None, body.get("message")):
            if isinstance(message, str) and message.strip():
                return _shorten(message)
    if "html" not in response.headers.get("Content-Type", "") and response.text.strip():
        return _shorten(response.text)
    return response.reason_phrase or "no reason given"


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` (seconds or an HTTP date) as seconds from ``now``; None if absent or unreadable."""
    if not value or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or utcnow())).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_WORDS else text[: MAX_WORDS - 1] + "…"
