"""Credly's OAuth 2.0 client-credentials mode (``credly-api.md`` §2.3) as an ``httpx.Auth`` flow.

The flow asks the token endpoint for a Bearer token before the first call, keeps it until shortly
before ``expires_in`` runs out, and asks again when it has expired or when Credly answers 401 (a
token revoked early): a connection keeps working across expiries without the caller noticing.
The client credentials go as HTTP Basic auth and again in the form body, the two forms clients use.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Generator
from urllib.parse import urlsplit

import httpx

from badgebridge.core.errors import AuthenticationFailed, ProviderUnavailable

DEFAULT_EXPIRES_IN = 7200.0
"""Seconds a token lives when the endpoint does not say (OX-3002's assumption; AEV: 2 hours)."""
RENEW_MARGIN = 0.1
"""Renew when this share of the token's life is left (so a token is not used as it expires)."""

WEB_HOSTS = {"api.credly.com": "www.credly.com", "sandbox-api.credly.com": "sandbox.credly.com"}
"""Credly's docs put the token endpoint on the web host, not the API host."""


def token_url_for(base_url: str) -> str:
    """The token endpoint for an API root: on Credly's web host for its API hosts, else on the host."""
    parts = urlsplit(base_url)
    host = WEB_HOSTS.get(parts.hostname or "")
    if host is not None:
        return f"{parts.scheme}://{host}/oauth/token"
    root = base_url.rstrip("/").removesuffix("/v1")
    return f"{root}/oauth/token"


class ClientCredentials(httpx.Auth):
    """Bearer tokens from an OAuth client-credentials grant, renewed when they expire.

    :param token_url: the token endpoint.
    :param scope: the space-separated scopes to ask for, or None to take the application's.
    :param scrub: masks secrets in texts that may reach a message.
    """

    requires_response_body = True

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        scrub: Callable[[str], str] = lambda text: text,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._scope = scope
        self._scrub = scrub
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0

    def __repr__(self) -> str:
        return f"ClientCredentials(token_url={self.token_url!r})"

    @property
    def access_token(self) -> str | None:
        """The token in use (for masking), or None before the first call."""
        return self._token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._valid_token()
        if token is None:
            token = self._store((yield self._token_request()))
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:  # expired or revoked early: one fresh token, one retry
            token = self._store((yield self._token_request()))
            request.headers["Authorization"] = f"Bearer {token}"
            yield request

    def _valid_token(self) -> str | None:
        with self._lock:
            return self._token if self._token and self._clock() < self._renew_at else None

    def _token_request(self) -> httpx.Request:
        credentials = f"{self._client_id}:{self._client_secret}"
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        } | ({"scope": self._scope} if self._scope else {})
        return httpx.Request(
            "POST",
            self.token_url,
            data=form,
            headers={
                "Accept": "application/json",
                "Authorization": "Basic " + base64.b64encode(credentials.encode()).decode(),
            },
        )

    def _store(self, response: httpx.Response) -> str:
        """Keep the token a token endpoint answered with, or raise the error it means."""
        if response.status_code in (400, 401, 403):
            raise AuthenticationFailed(
                self._scrub(
                    f"Credly refused the OAuth client credentials at {self.token_url}: "
                    f"{_words(response)} (HTTP {response.status_code})"
                ),
                status=response.status_code,
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not response.is_success or not isinstance(token, str) or not token:
            raise ProviderUnavailable(
                self._scrub(
                    f"Credly's token endpoint {self.token_url} gave no access token "
                    f"(HTTP {response.status_code})"
                ),
                status=response.status_code,
            )
        expires_in = body.get("expires_in")
        lifetime = (
            float(expires_in)
            if isinstance(expires_in, int | float) and expires_in > 0
            else DEFAULT_EXPIRES_IN
        )
        with self._lock:
            self._token = token
            self._renew_at = self._clock() + lifetime * (1 - RENEW_MARGIN)
        return token


def _words(response: httpx.Response) -> str:
    """The endpoint's own reason (OAuth's ``error_description``/``error``, or Credly's envelope)."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no reason given"
    if isinstance(body, dict):
        data = body.get("data")
        for value in (
            body.get("error_description"),
            body.get("error"),
            data.get("message") if isinstance(data, dict) else None,
        ):
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())[:300]
    return response.reason_phrase or "no reason given"
