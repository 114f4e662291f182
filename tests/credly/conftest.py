"""Fixtures: every Credly client made during a test talks to a ``FakeCredly``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from badgebridge.core.model import Connection
from badgebridge.plugins.credly import client as credly_client
from tests.credly.fake_credly import FakeCredly, make_conn


@pytest.fixture
def credly() -> Iterator[FakeCredly]:
    """A scripted Credly behind ``httpx.MockTransport``; restores the network afterwards."""
    fake = FakeCredly()
    credly_client.set_transport(httpx.MockTransport(fake))
    yield fake
    credly_client.set_transport(None)


@pytest.fixture
def conn() -> Connection:
    return make_conn()
