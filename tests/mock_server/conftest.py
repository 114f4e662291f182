"""Fixtures for the mock server's own tests: a fresh app per test and a signed `/v1` caller.

The plugin's fixtures (`credly_mock`, ...) are exercised in test_mock_pytest_plugin.py.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from badgebridge.mock_server import (
    DEFAULT_ORGANIZATION_ID,
    DEFAULT_SEED,
    DEFAULT_TOKEN,
    ManualClock,
    create_app,
)

PYTHON_ID = DEFAULT_SEED["organizations"][0]["badge_templates"][0]["id"]


def basic(credential: str) -> dict[str, str]:
    """An `Authorization: Basic` header carrying `credential` as it is (no colon added)."""
    return {"Authorization": "Basic " + base64.b64encode(credential.encode()).decode()}


class Api:
    """Flask test-client calls, signed with the default token unless `token=` says otherwise.

    Paths starting with `/v1`, `/_mock` or `/api` are used as they are; others are relative to the
    default organization (`/badges` -> `/v1/organizations/<default org>/badges`).
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, method: str, path: str, *, token: str | None = DEFAULT_TOKEN, **kwargs: Any) -> Any:
        if not path.startswith(("/v1", "/_mock", "/api")):
            path = f"/v1/organizations/{DEFAULT_ORGANIZATION_ID}{path}"
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers.setdefault("Authorization", basic(f"{token}:")["Authorization"])
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.call("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.call("DELETE", path, **kwargs)

    def bearer(self, method: str, path: str, access_token: str, **kwargs: Any) -> Any:
        """A call signed with `Authorization: Bearer <access_token>`."""
        headers = {"Authorization": f"Bearer {access_token}", **kwargs.pop("headers", {})}
        return self.call(method, path, token=None, headers=headers, **kwargs)

    def issue(self, **fields: Any) -> Any:
        """POST a badge; fields given as `...` are left out of the body."""
        body = {
            "recipient_email": "ada@example.org",
            "issued_to_first_name": "Ada",
            "issued_to_last_name": "Lovelace",
            "badge_template_id": PYTHON_ID,
            "issued_at": "2014-04-01 09:41:00 -0500",
            **fields,
        }
        return self.post("/badges", json={k: v for k, v in body.items() if v is not ...})

    def issue_with(self, token: str, **fields: Any) -> Any:
        """POST a badge signed with `token`."""
        body = {
            "recipient_email": "ada@example.org",
            "badge_template_id": PYTHON_ID,
            "issued_at": "2014-04-01 09:41:00 -0500",
            **fields,
        }
        return self.post("/badges", json=body, token=token)

    def issued(self, **fields: Any) -> dict[str, Any]:
        """Issue a badge that must succeed; its JSON."""
        response = self.issue(**fields)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["data"]

    def template(self, name: str, org_id: str = DEFAULT_ORGANIZATION_ID, **fields: Any) -> dict[str, Any]:
        response = self.client.post(
            f"/_mock/organizations/{org_id}/badge_templates", json={"name": name, **fields}
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def organization(self, name: str = "Other Org") -> dict[str, Any]:
        response = self.client.post("/_mock/organizations", json={"name": name})
        assert response.status_code == 201, response.get_json()
        return response.get_json()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def app(clock):
    """A fresh mock on a manual clock: time moves only when a test says so."""
    return create_app(clock=clock)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client) -> Api:
    return Api(client)
