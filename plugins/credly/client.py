"""A thin HTTP client for Credly's v1 API, one pooled ``httpx.Client`` per connection.

``client_for(connection)`` returns the connection's client, creating it on first use and replacing
it when the connection's settings change; all clients close at interpreter exit. Tests route every
new client through a transport of their own with ``set_transport`` (``httpx.MockTransport``,
``httpx.WSGITransport``), or pass ``transport=`` to ``CredlyClient``.

The client speaks Credly's wire (``credly-api.md``): Basic auth with the token as user name, the
``{"data": ..., "metadata": ...}`` envelope, pages followed through ``metadata``; it returns the
``data`` objects as dicts and raises ``badgebridge.core.errors`` (mapped in ``.errors``).
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

DEFAULT_HOST = "https://api.credly.com"
API_PREFIX = "/v1"
TIMEOUT = httpx.Timeout(connect=5, read=20, write=10, pool=5)
CONNECT_RETRIES = 2
"""httpx retries only failed connection attempts, where nothing was sent, so this is safe for POST."""
USER_AGENT = f"badgebridge/{__version__} (credly provider)"

BADGE_FIELDS = ("id", "state")
TEMPLATE_FIELDS = ("id", "name")
ORGANIZATION_FIELDS = ("id", "name")


def base_url_for(host: str | None) -> str:
    """The API root for a host setting: the host (``https://api.credly.com`` if unset) plus ``/v1``, once."""
    base = (host or DEFAULT_HOST).rstrip("/")
    if "://" not in base:
        base = "https://" + base
    return base if base.endswith(API_PREFIX) else base + API_PREFIX


class CredlyClient:
    """Credly's API for one organization, through one pooled ``httpx.Client``."""

    def __init__(
        self, *, base_url: str, org_id: str, token: str, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.base_url = base_url
        self.org_id = org_id
        credential = base64.b64encode(f"{token}:".encode()).decode()
        self._hidden = {value: mask(value) for value in (token, credential)}
        self._http = httpx.Client(
            base_url=base_url,
            auth=httpx.BasicAuth(token, ""),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=TIMEOUT,
            transport=transport or httpx.HTTPTransport(retries=CONNECT_RETRIES),
            # the last step before a request is written: a sender that stalled since it renewed
            # its claim sends nothing (badgebridge.core.fencing)
            event_hooks={"request": [lambda request: fencing.check()]},
        )

    def __repr__(self) -> str:
        return f"CredlyClient(base_url={self.base_url!r}, org_id={self.org_id!r})"

    def close(self) -> None:
        self._http.close()

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
            self._path("badges"),
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
        path: str,
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
            response = self._http.send(request)
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

    def _scrub(self, text: str) -> str:
        """``text`` with the token (and the Basic credential made from it) masked."""
        for value, masked in self._hidden.items():
            text = text.replace(value, masked)
        return text


def _has(item: object, keys: tuple[str, ...]) -> bool:
    return isinstance(item, dict) and all(item.get(key) is not None for key in keys)


# -- one client per connection ----------------------------------------------------------------

_lock = threading.Lock()
_clients: dict[str, tuple[tuple[str, str, str], CredlyClient]] = {}
_transport: httpx.BaseTransport | None = None


def client_for(connection: Connection) -> CredlyClient:
    """The connection's client, reused across hook calls while its host, organization and token stay."""
    settings = connection.settings
    base_url = base_url_for(settings.get("host"))
    org_id = settings["org_id"]
    token = settings["token"].reveal()
    key = (base_url, org_id, hashlib.sha256(token.encode()).hexdigest())
    with _lock:
        cached = _clients.get(connection.name)
        if cached is not None and cached[0] == key:
            return cached[1]
        if cached is not None:
            cached[1].close()
        client = CredlyClient(base_url=base_url, org_id=org_id, token=token, transport=_transport)
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
