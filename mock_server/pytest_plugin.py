"""pytest fixtures for the mock Credly API (registered as the `pytest11` entry point `badgebridge_mock`).

- `credly_mock_server` (session): one `MockServer` on a free port for the whole run.
- `credly_mock`: resets that server before the test and gives a `MockControl` with `.url`,
  `.organization_id` and `.token` (of the first seeded organization: the default seed's unless
  `credly_mock_server` is overridden) and the control-API helpers (`requests`, `script(...)`,
  `update_template(...)`, `create_oauth_application(...)`, `advance_clock(...)`,
  `wait_for_deliveries()`, ...). After the test it re-raises any exception the mock's handlers
  raised meanwhile.
- `credly_mock_app`: a fresh `create_app()` for Flask's test client.

Override `credly_mock_server` in a conftest to serve another seed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from .app import create_app
from .control_client import MockControl
from .server import MockServer


@pytest.fixture(scope="session")
def credly_mock_server() -> Iterator[MockServer]:
    """The mock Credly API on 127.0.0.1 and a free port, started once per session."""
    with MockServer() as server:
        yield server


@pytest.fixture
def credly_mock(credly_mock_server: MockServer) -> Iterator[MockControl]:
    """The session's mock, reset to its seed, with helpers for its control API."""
    credly_mock_server.check()
    seeded = credly_mock_server.seeded_organizations()
    first = seeded[0] if seeded else {"id": None, "token": None}
    with MockControl(credly_mock_server.url, first["id"], first["token"]) as control:
        control.reset()
        yield control
    credly_mock_server.check()


@pytest.fixture
def credly_mock_app() -> Flask:
    """A fresh mock app with the default seed, for `credly_mock_app.test_client()`."""
    return create_app()
