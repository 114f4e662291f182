"""Shared fixtures: a fresh database, a plugin host with the in-test provider, the CLI.

Also loaded for every test: ``tests.postgres`` (the PostgreSQL fixtures and their skip rule),
``tests.browser`` (headless Chromium and the same skip rule) and ``tests.clock`` (``manual_clock``,
a clock the test moves by hand).
"""

from __future__ import annotations

import pytest

from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.storage import open_database
from tests.fake_provider import FakeProvider

pytest_plugins = ["tests.postgres", "tests.browser", "tests.clock"]


@pytest.fixture
def db(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'bb.db'}")
    yield database
    database.dispose()


@pytest.fixture
def fake() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def host(fake) -> PluginHost:
    """A plugin host holding only the in-test provider (no entry points loaded)."""
    plugin_host = PluginHost()
    assert plugin_host.register(fake, "fake-plugin", "1.0")
    return plugin_host
