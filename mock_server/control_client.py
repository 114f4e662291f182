"""`MockControl`: a small httpx client for a running mock's control API (`/_mock/...`)."""

from __future__ import annotations

import time
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
        """Everything the mock holds: organizations, badge_templates, badges, events, employees,
        authorization_tokens, tokens, stats."""
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

    # -- templates ---------------------------------------------------------------------------------

    def update_template(self, template_id: str, **fields: Any) -> dict[str, Any]:
        """Edit a template (name, state, description, ...); records badge_template.changed."""
        return self._call("PATCH", f"/_mock/badge_templates/{template_id}", fields)

    def archive_template(self, template_id: str) -> dict[str, Any]:
        """Archive a template (it can issue no more badges); records badge_template.changed."""
        return self.update_template(template_id, state="archived")

    def delete_template(self, template_id: str) -> dict[str, Any]:
        """Delete a template (its badges stay); records badge_template.deleted."""
        return self._call("DELETE", f"/_mock/badge_templates/{template_id}")

    # -- OAuth, the clock, settings ----------------------------------------------------------------

    def create_oauth_application(
        self,
        org_id: str | None = None,
        name: str = "badgebridge tests",
        scopes: list[str] | None = None,
        expires_in: int | None = None,
    ) -> dict[str, Any]:
        """A client-credentials app (in the client's organization unless `org_id`):
        `{"id", "name", "client_id", "client_secret", "scopes", "expires_in"}`."""
        body: dict[str, Any] = {"name": name}
        if scopes is not None:
            body["scopes"] = scopes
        if expires_in is not None:
            body["expires_in"] = expires_in
        return self._call(
            "POST", f"/_mock/organizations/{org_id or self.organization_id}/oauth_applications", body
        )

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the mock's clock forward (expires Bearer tokens, ages authorization tokens): `{"now"}`."""
        return self._call("POST", "/_mock/clock", {"advance_seconds": seconds})

    def set_settings(self, **settings: Any) -> dict[str, Any]:
        """Change the mock's settings (`strict`); returns them all."""
        return self._call("PUT", "/_mock/settings", settings)

    # -- request log and scripted answers ----------------------------------------------------------

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every API request received since the last reset: method, path, query, body, headers
        (credentials masked), operation, status."""
        return self._call("GET", "/_mock/requests")

    def clear_requests(self) -> None:
        self._call("DELETE", "/_mock/requests")

    def script(
        self, operation: str, status: int, times: int = 1, retry_after: int | None = None
    ) -> dict[str, Any]:
        """The next `times` calls of `operation` (e.g. `issue_badge`) answer `status`."""
        body: dict[str, Any] = {"operation": operation, "times": times, "status": status}
        if retry_after is not None:
            body["retry_after"] = retry_after
        return self._call("POST", "/_mock/script", body)

    # -- webhooks ----------------------------------------------------------------------------------

    def set_webhook_url(
        self, url: str | None, org_id: str | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """Set an organization's `webhook_url` through `PUT /v1/organizations/<org>`, as a client would."""
        org_id, token = org_id or self.organization_id, token or self.token
        response = self._http.put(
            f"/v1/organizations/{org_id}", json={"webhook_url": url}, auth=(token or "", "")
        )
        if response.is_error:
            raise ControlError(response)
        return response.json()["data"]

    def webhooks(self) -> dict[str, Any]:
        """`{"settings", "pending", "deliveries"}`; a delivery is
        `{"id", "event_id", "event_type", "organization_id", "url", "state", "attempts"}`."""
        return self._call("GET", "/_mock/webhooks")

    def set_webhooks(self, **settings: Any) -> dict[str, Any]:
        """Change retry_base_seconds, retry_factor, max_attempts or timeout_seconds; returns them all."""
        return self._call("PUT", "/_mock/webhooks", settings)

    def wait_for_deliveries(self, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Wait until no webhook delivery is queued or in flight; returns every delivery.

        Raises TimeoutError naming what is still pending after `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            hooks = self.webhooks()
            if not hooks["pending"]:
                return hooks["deliveries"]
            if time.monotonic() > deadline:
                raise TimeoutError(f"{hooks['pending']} webhook deliveries still pending after {timeout} s")
            time.sleep(0.02)

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
