"""`MockControl`: a small httpx client for a running mock's control API (`/_mock/...`)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from .seed import DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN


class ControlError(Exception):
    """The control API refused a request; the message is the mock's own."""

    def __init__(self, response: httpx.Response) -> None:
        try:
            message = response.json()["data"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.text
        self.status_code = response.status_code
        super().__init__(
            f"{response.request.method} {response.request.url.path} -> {response.status_code}: {message}"
        )


class MockControl:
    """Drives a running mock over HTTP, mirroring the control API one method per endpoint.

    `url` is the mock's base URL; `organization_id` and `token` name the organization a test works
    with (by default the default seed's).
    """

    def __init__(
        self,
        url: str,
        organization_id: str | None = DEFAULT_ORGANIZATION_ID,
        token: str | None = DEFAULT_TOKEN,
    ) -> None:
        self.url = url
        self.organization_id = organization_id
        self.token = token
        self._http = httpx.Client(base_url=url, timeout=30)

    def reset(self) -> None:
        """Clear all state and faults, and load the seed again."""
        self._call("POST", "/_mock/reset")

    def create_organization(self, name: str, **fields: Any) -> dict[str, Any]:
        """A new organization: `{"id", "name", "token"}` (`fields`: an `id` or `token` to use)."""
        return self._call("POST", "/_mock/organizations", {"name": name, **fields})

    def create_template(self, org_id: str, name: str, state: str = "active", **fields: Any) -> dict[str, Any]:
        """A new badge template as `/v1` shows it (`fields`: description, allow_duplicate_badges, ...)."""
        return self._call(
            "POST", f"/_mock/organizations/{org_id}/badge_templates", {"name": name, "state": state, **fields}
        )

    def state(self) -> dict[str, Any]:
        """Everything the mock holds: organizations, badge_templates, badges, events, tokens, stats."""
        return self._call("GET", "/_mock/state")

    def accept(self, badge_id: str) -> dict[str, Any]:
        """Accept a pending badge as its earner would."""
        return self._call("POST", f"/_mock/badges/{badge_id}/accept")

    def reject(self, badge_id: str) -> dict[str, Any]:
        """Reject a pending badge as its earner would."""
        return self._call("POST", f"/_mock/badges/{badge_id}/reject")

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """Change fault settings (latency_ms, error_rate, rate_limit_per_second, seed); returns all four."""
        return self._call("PUT", "/_mock/faults", settings)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, path, json=body)
        if response.is_error:
            raise ControlError(response)
        return response.json() if response.content else None

    def __enter__(self) -> MockControl:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
