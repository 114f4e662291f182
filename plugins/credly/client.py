"""A thin HTTP client for Credly's v1 API, one ``CredlyClient`` per connection.

``client_for(connection)`` returns the connection's client, creating it on first use and replacing
it when the connection's settings change; all clients close at interpreter exit. Tests route every
new client through a transport of their own with ``set_transport`` (``httpx.MockTransport``,
``httpx.WSGITransport``), or pass ``transport=`` to ``CredlyClient``.

The client speaks Credly's wire (``credly-api.md``): Basic auth with the token as user name (or,
with ``auth: oauth``, Bearer tokens from ``.oauth``), the ``{"data": ..., "metadata": ...}``
envelope, pages followed through ``metadata``; it returns the ``data`` objects as dicts and raises
``badgebridge.core.errors`` (mapped in ``.errors``).

A ``CredlyClient`` lends each request one of its ``httpx.Client`` objects, each keeping its own
kept-alive connection: as many as requests were ever made at once, each used by one request at a
time. One ``httpx.Client`` shared by many threads would scan its whole pool of connections on
every request and every response (httpcore), a cost that grows with the threads sending at once.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from badgebridge import __version__
from badgebridge.core import fencing
from badgebridge.core.errors import ProviderUnavailable
from badgebridge.core.model import Connection
from badgebridge.core.secrets import mask
from badgebridge.plugins.credly import errors
from badgebridge.plugins.credly.oauth import ClientCredentials, token_url_for

DEFAULT_HOST = "https://api.credly.com"
API_PREFIX = "/v1"
TIMEOUT = httpx.Timeout(connect=5, read=20, write=10, pool=5)
CONNECT_RETRIES = 2
"""httpx retries only failed connection attempts, where nothing was sent, so this is safe for POST."""
USER_AGENT = f"badgebridge/{__version__} (credly provider)"

BADGE_FIELDS = ("id", "state")
TEMPLATE_FIELDS = ("id", "name")
ORGANIZATION_FIELDS = ("id", "name")
EVENT_FIELDS = ("id", "event_type")
EMPLOYEE_FIELDS = ("id",)


def base_url_for(host: str | None) -> str:
    """The API root for a host setting: the host (``https://api.credly.com`` if unset) plus ``/v1``, once."""
    base = (host or DEFAULT_HOST).rstrip("/")
    if "://" not in base:
        base = "https://" + base
    return base if base.endswith(API_PREFIX) else base + API_PREFIX


class CredlyClient:
    """Credly's API for one organization, through ``httpx.Client`` objects lent one per request.

    Give ``token`` (an authorization token, sent as Basic auth) or ``oauth`` (client credentials
    that fetch and renew Bearer tokens).
    """

    def __init__(
        self,
        *,
        base_url: str,
        org_id: str,
        token: str | None = None,
        oauth: tuple[str, str, str | None] | None = None,
        token_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.org_id = org_id
        auth: httpx.Auth
        if oauth is not None:
            client_id, client_secret, scope = oauth
            credential = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
            self._hidden = {value: mask(value) for value in (client_secret, credential)}
            self._oauth: ClientCredentials | None = ClientCredentials(
                token_url or token_url_for(base_url), client_id, client_secret, scope=scope, scrub=self._scrub
            )
            auth = self._oauth
        elif token is not None:
            credential = base64.b64encode(f"{token}:".encode()).decode()
            self._hidden = {value: mask(value) for value in (token, credential)}
            self._oauth = None
            auth = httpx.BasicAuth(token, "")
        else:
            raise ValueError("a Credly client needs a token or OAuth client credentials")
        self._auth = auth
        self._transport = transport
        self._lock = threading.Lock()
        self._clients: list[httpx.Client] = []  # every one made, closed by close()
        self._idle: list[httpx.Client] = []  # not lent to a request now, the last returned last
        self._closed = False
        # one TLS context (CA bundle loaded once) for every transport, not one per httpx.Client
        self._tls = httpx.create_ssl_context() if transport is None else None
        self._http = self._new_http()  # builds requests (and is lent too)
        self._idle.append(self._http)
        self._badges_url = self._http.base_url.join(self._path("badges"))

    def _new_http(self) -> httpx.Client:
        http = httpx.Client(
            base_url=self.base_url,
            auth=self._auth,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=TIMEOUT,
            transport=self._transport or httpx.HTTPTransport(verify=self._tls, retries=CONNECT_RETRIES),
            # the last step before a request is written: a sender that stalled since it renewed
            # its claim sends nothing (badgebridge.core.fencing)
            event_hooks={"request": [lambda request: fencing.check()]},
        )
        with self._lock:
            self._clients.append(http)
        return http

    def __repr__(self) -> str:
        return f"CredlyClient(base_url={self.base_url!r}, org_id={self.org_id!r})"

    def close(self) -> None:
        with self._lock:
            self._closed = True
            clients, self._idle = self._clients, []
        for http in clients:
            http.close()

    # -- the API ----------------------------------------------------------------------------

    def get_organization(self) -> dict[str, Any]:
        """``GET /organizations/<org>``: the organization the token reaches."""
        return self._one("GET", self._path(), required=ORGANIZATION_FIELDS)

    def iter_badge_templates(self, filter: str, sort: str = "name") -> Iterator[dict[str, Any]]:
        """The organization's badge templates matching a Credly ``filter``, over every page."""
        return self._pages(self._path("badge_templates"), {"filter": filter, "sort": sort}, TEMPLATE_FIELDS)

    def issue_badge(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /organizations/<org>/badges``: the badge Credly created."""
        template = payload.get("badge_template_id")
        return self._one(
            "POST",
            self._badges_url,
            json=dict(payload),
            required=BADGE_FIELDS,
            not_found=f"organization {self.org_id} or badge template {template} not found on Credly",
        )

    def list_badges(self, filter: str) -> Iterator[dict[str, Any]]:
        """The organization's issued badges matching a Credly ``filter``, page by page as they are read."""
        return self._pages(self._path("badges"), {"filter": filter}, BADGE_FIELDS)

    def get_badge(self, badge_id: str) -> dict[str, Any]:
        """``GET /organizations/<org>/badges/<id>``."""
        return self._one(
            "GET", self._path("badges", badge_id), required=BADGE_FIELDS, not_found=self._no_badge(badge_id)
        )

    def revoke_badge(self, badge_id: str, reason: str) -> dict[str, Any]:
        """``PUT /organizations/<org>/badges/<id>/revoke``: the badge, now revoked."""
        return self._one(
            "PUT",
            self._path("badges", badge_id, "revoke"),
            json={"reason": reason},
            required=BADGE_FIELDS,
            not_found=self._no_badge(badge_id),
        )

    def get_event(self, event_id: str) -> dict[str, Any]:
        """``GET /organizations/<org>/events/<id>``: the event with the badge or template it concerns."""
        return self._one(
            "GET",
            self._path("events", event_id),
            required=EVENT_FIELDS,
            not_found=f"event {event_id} not found on Credly (organization {self.org_id})",
        )

    def update_organization(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """``PUT /organizations/<org>``: the organization after the update (e.g. ``webhook_url``)."""
        return self._one("PUT", self._path(), json=dict(fields), required=ORGANIZATION_FIELDS)

    def rotate_token(self) -> str:
        """``POST /organizations/<org>/authorization_tokens/rotate``: the new token (the old one dies)."""
        data = self._one("POST", self._path("authorization_tokens", "rotate"), required=("token",))
        new = str(data["token"])
        self._hidden |= {new: mask(new)}
        return new

    def iter_employees(self) -> Iterator[dict[str, Any]]:
        """The organization's workforce (``GET /organizations/<org>/employees``), over every page."""
        return self._pages(self._path("employees"), {}, EMPLOYEE_FIELDS)

    def add_employee(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /organizations/<org>/employees``: the employee Credly created."""
        return self._one("POST", self._path("employees"), json=dict(payload), required=EMPLOYEE_FIELDS)

    # -- the wire ---------------------------------------------------------------------------

    def _path(self, *parts: str) -> str:
        return "/".join(quote(part, safe="") for part in ("organizations", self.org_id, *parts))

    def _no_badge(self, badge_id: str) -> str:
        return f"badge {badge_id} not found on Credly (organization {self.org_id})"

    @property
    def _no_organization(self) -> str:
        return f"organization {self.org_id} not found on Credly"

    def _one(
        self,
        method: str,
        path: str | httpx.URL,
        *,
        required: tuple[str, ...],
        json: Mapping[str, Any] | None = None,
        not_found: str | None = None,
    ) -> dict[str, Any]:
        request = self._http.build_request(method, path, json=json)
        data, _ = self._send(
            request, required=required, many=False, not_found=not_found or self._no_organization
        )
        return data

    def _pages(
        self, path: str, params: Mapping[str, str], required: tuple[str, ...]
    ) -> Iterator[dict[str, Any]]:
        """Every item over every page; an empty page or a page without a successor ends the walk."""
        request: httpx.Request | None = self._http.build_request("GET", path, params=params)
        seen: set[str] = set()
        while request is not None:
            seen.add(str(request.url))
            items, metadata = self._send(
                request, required=required, many=True, not_found=self._no_organization
            )
            yield from items
            request = self._next_page(path, params, metadata) if items else None
            if request is not None:
                self._check_progress(request, seen, metadata)

    def _next_page(
        self, path: str, params: Mapping[str, str], metadata: Mapping[str, Any]
    ) -> httpx.Request | None:
        """The next page: ``next_page_url`` verbatim if on our host, else ``page`` + 1 while pages remain."""
        current, total = metadata.get("current_page"), metadata.get("total_pages")
        more = isinstance(current, int) and isinstance(total, int) and current < total
        link = metadata.get("next_page_url")
        if isinstance(link, str) and link:
            url = self._on_our_host(link)
            if url is not None:
                return self._http.build_request("GET", url)
            if not more:
                raise ProviderUnavailable(
                    self._scrub(
                        f"Credly's next page is not on {self.base_url} ({link}); the token is not sent there"
                    )
                )
        if more:
            return self._http.build_request("GET", path, params={**params, "page": str(current + 1)})
        return None

    def _on_our_host(self, link: str) -> httpx.URL | None:
        """``link`` (absolute, or relative to the API root) if it is on our scheme, host and port."""
        try:
            url = self._http.base_url.join(link)
        except httpx.InvalidURL:
            return None
        base = self._http.base_url
        return url if (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port) else None

    def _check_progress(self, request: httpx.Request, seen: set[str], metadata: Mapping[str, Any]) -> None:
        """Stop a walk that would repeat a page or go past ``total_pages``."""
        total = metadata.get("total_pages")
        if str(request.url) in seen or (isinstance(total, int) and len(seen) >= total):
            raise ProviderUnavailable(
                self._scrub(f"Credly's pagination loops: page {len(seen) + 1} of {total} is {request.url}")
            )

    def _send(
        self, request: httpx.Request, *, required: tuple[str, ...], many: bool, not_found: str
    ) -> tuple[Any, Mapping[str, Any]]:
        """Send, map failures to core errors, and return ``(data, metadata)`` once their shape checks."""
        try:
            response = self._lent_send(request)
        except httpx.RequestError as exc:
            raise errors.transport_error(
                exc, method=request.method, base_url=self.base_url, scrub=self._scrub
            ) from exc
        if not response.is_success:
            raise errors.response_error(response, not_found=not_found, scrub=self._scrub)
        try:
            body = response.json()
        except ValueError:
            body = None
        data = body.get("data") if isinstance(body, dict) else None
        items = data if many else [data]
        if not isinstance(items, list) or not all(_has(item, required) for item in items):
            shape = "a list of objects" if many else "an object"
            problem = f"expected data to be {shape} with {', '.join(required)}"
            raise errors.unexpected_body(response, problem=problem, scrub=self._scrub)
        metadata = body.get("metadata")
        return data, metadata if isinstance(metadata, dict) else {}

    def _lent_send(self, request: httpx.Request) -> httpx.Response:
        """Send on an ``httpx.Client`` no other request is using (a new one if all are busy); once
        closed, on a closed one (which refuses)."""
        with self._lock:
            http = self._idle.pop() if self._idle else (self._http if self._closed else None)
        if http is None:
            http = self._new_http()
        try:
            return http.send(request)
        finally:
            with self._lock:
                if not self._closed:
                    self._idle.append(http)

    def _scrub(self, text: str) -> str:
        """``text`` with the token or client secret (the Basic credential made from it, and any
        Bearer token in use) masked."""
        hidden = dict(self._hidden)
        bearer = self._oauth.access_token if self._oauth is not None else None
        if bearer:
            hidden[bearer] = mask(bearer)
        for value, masked in hidden.items():
            text = text.replace(value, masked)
        return text


def _has(item: object, keys: tuple[str, ...]) -> bool:
    return isinstance(item, dict) and all(item.get(key) is not None for key in keys)


# -- one client per connection ----------------------------------------------------------------

_lock = threading.Lock()
_clients: dict[str, tuple[tuple[str, ...], CredlyClient]] = {}
_transport: httpx.BaseTransport | None = None


def client_for(connection: Connection) -> CredlyClient:
    """The connection's client, reused across hook calls while its settings stay the same."""
    settings = connection.settings
    base_url = base_url_for(settings.get("host"))
    org_id = settings["org_id"]
    credentials: dict[str, Any]
    if settings.get("auth") == "oauth":
        secret = settings["client_secret"].reveal()
        oauth = (settings["client_id"], secret, settings.get("oauth_scope"))
        credentials = {"oauth": oauth, "token_url": settings.get("oauth_url")}
        fingerprint = ("oauth", *map(str, oauth), str(settings.get("oauth_url")))
    else:
        credentials = {"token": settings["token"].reveal()}
        fingerprint = ("token", credentials["token"])
    key = (base_url, org_id, hashlib.sha256("\x1f".join(fingerprint).encode()).hexdigest())
    with _lock:
        cached = _clients.get(connection.name)
        if cached is not None and cached[0] == key:
            return cached[1]
        if cached is not None:
            cached[1].close()
        client = CredlyClient(base_url=base_url, org_id=org_id, transport=_transport, **credentials)
        _clients[connection.name] = (key, client)
        return client


def set_transport(transport: httpx.BaseTransport | None) -> None:
    """Send every client made from now on through ``transport`` (None: the network); close cached ones."""
    global _transport
    with _lock:
        _transport = transport
        _close_all()


def close_all() -> None:
    """Close every cached client (registered to run at interpreter exit)."""
    with _lock:
        _close_all()


def _close_all() -> None:
    for _, client in _clients.values():
        client.close()
    _clients.clear()


atexit.register(close_all)
