"""Debian's Chromium for the browser tests, and the one rule for when they may skip (the rule
``tests.postgres`` applies to PostgreSQL).

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

from tests.postgres import in_ci

ENV = "BADGEBRIDGE_TEST_CHROMIUM"
DEFAULT_PATH = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> Path:
    return Path(os.environ.get(ENV) or DEFAULT_PATH)


def require_chromium() -> Path:
    """The browser's path; skip (or, under CI=true, fail) when nothing is there."""
    path = chromium_path()
    if path.is_file():
        return path
    reason = f"no Chromium at {path}"
    if in_ci():
        pytest.fail(
            f"{reason}, and CI=true forbids skipping the browser tests: apt-get install chromium, "
            f"or point {ENV} at one",
            pytrace=False,
        )
    pytest.skip(f"{reason}; apt-get install chromium or set {ENV} to run the browser tests")


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
