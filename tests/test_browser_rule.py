"""The browser tests skip only when Chromium is missing, saying so, and never skip under CI=true.

Each case runs the real browser tests (``-m browser``) in a pytest subprocess with
``BADGEBRIDGE_TEST_CHROMIUM`` pointing at a path where nothing is.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.availability import run_marked_tests
from tests.browser import ENV

BROWSER_TESTS = (
    "tests/e2e/test_console_browser.py",
    "tests/e2e/test_earner_accepts_in_browser.py",
    "tests/mock_server/test_mock_earner_pages.py",
)


def run_browser_tests(chromium: Path, *, ci: bool) -> subprocess.CompletedProcess:
    return run_marked_tests("browser", {ENV: str(chromium)}, *BROWSER_TESTS, ci=ci)


def counted(summary: str, outcome: str) -> int:
    found = re.search(rf"(\d+) {outcome}", summary)
    return int(found.group(1)) if found else 0


def test_no_chromium_on_a_developers_machine_skips_every_browser_test_saying_why(tmp_path):
    missing = tmp_path / "no-chromium-here"
    result = run_browser_tests(missing, ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert counted(summary, "skipped") >= len(BROWSER_TESTS), summary
    assert "passed" not in summary and "failed" not in summary and "error" not in summary, summary
    assert f"no Chromium at {missing}; apt-get install chromium, or set {ENV} to a Chromium" in result.stdout


def test_no_chromium_under_ci_fails_with_a_clear_message(tmp_path):
    result = run_browser_tests(tmp_path / "no-chromium-here", ci=True)
    assert result.returncode == 1, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert "skipped" not in summary and "passed" not in summary, summary
    assert "CI=true forbids skipping the browser tests" in result.stdout
