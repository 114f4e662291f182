"""Debian's Chromium for the browser tests, and the one rule for when they may skip (``tests.availability``'s,
which ``tests.postgres`` applies to PostgreSQL).

- One variable: ``BADGEBRIDGE_TEST_CHROMIUM`` (default ``/usr/bin/chromium``, from
  ``apt-get install chromium``; Playwright's own download is never used).
- One fixture: ``browser``, headless Chromium through Playwright, one per test module; every test
  that uses it carries the ``browser`` marker.
- A test skips only when no browser is at that path, and says so. Under ``CI=true`` nothing skips:
  a missing browser is a failure, with a message saying what to do. A browser that is there but
  does not start fails everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.availability import unavailable

ENV = "BADGEBRIDGE_TEST_CHROMIUM"
DEFAULT_PATH = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> Path:
    return Path(os.environ.get(ENV) or DEFAULT_PATH)


def require_chromium() -> Path:
    """The browser's path; skip (or, under CI=true, fail) when nothing is there."""
    path = chromium_path()
    if not path.is_file():
        unavailable(
            f"no Chromium at {path}",
            tests="browser tests",
            remedy=f"apt-get install chromium, or set {ENV} to a Chromium",
        )
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Headless Chromium, shared by the tests of one module (each opens its own pages)."""
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(path), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def pytest_collection_modifyitems(items) -> None:
    """Every test that drives the browser carries the ``browser`` marker."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
