"""In-process command line: ``bb(*args)`` runs ``badgebridge`` through click's runner on a fresh
database, so Credly's client can be routed through a transport the test chooses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import httpx
import pytest
from click.testing import CliRunner

from badgebridge.cli import cli
from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN, create_app
from badgebridge.plugins.credly import client as credly_client

Transport = TypeVar("Transport", bound=httpx.BaseTransport)

MOCK_HOST = "http://credly.test"  # never resolved: the test's transport answers for it


@pytest.fixture
def bb(tmp_path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'bb.db'}"

    def run(*args: str, env: dict[str, str] | None = None, code: int = 0) -> str:
        result = runner.invoke(cli, ["--db", db, "--retry-base", "0", *args], env=env)
        assert result.exit_code == code, result.output
        return result.output

    return run


def connect_default_organization(bb, name: str = "mock") -> None:
    """Connect the mock's default organization (through the test's transport) and import its badges."""
    bb(
        "connections",
        "add",
        name,
        "--provider",
        "credly",
        "--org-id",
        DEFAULT_ORGANIZATION_ID,
        "--host",
        MOCK_HOST,
        "--token-env",
        "T",
        env={"T": DEFAULT_TOKEN},
    )
    bb("badges", "import", name)


@contextmanager
def credly_through(transport: Transport) -> Iterator[Transport]:
    """Every Credly client the commands make sends through ``transport`` until the block ends."""
    credly_client.set_transport(transport)
    try:
        yield transport
    finally:
        credly_client.set_transport(None)


class CountingCredly(httpx.BaseTransport):
    """The mock app, counting issues and badge lookups; with ``refuse_issues``, an issue request
    never reaches it (a refused connection: nothing can have been created)."""

    def __init__(self) -> None:
        self.app = httpx.WSGITransport(app=create_app())
        self.refuse_issues = False
        self.issues = 0
        self.lookups = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/badges"):
            if request.method == "POST":
                self.issues += 1
                if self.refuse_issues:
                    raise httpx.ConnectError("connection refused", request=request)
            else:
                self.lookups += 1
        return self.app.handle_request(request)


@pytest.fixture
def counting_credly() -> Iterator[CountingCredly]:
    """Credly reached through a ``CountingCredly`` for the test's commands."""
    with credly_through(CountingCredly()) as transport:
        yield transport
