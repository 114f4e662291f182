"""The one rule for tests that need something outside Python (a PostgreSQL server, a browser).

When it is missing, such a test skips on a developer's machine, saying why and what to do; under
``CI=true`` it fails instead, so a green CI run never hides a skipped proof. ``tests.postgres`` and
``tests.browser`` apply it; ``run_marked_tests`` runs a marker's tests in a subprocess, so the rule
itself can be tested.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def unavailable(reason: str, *, tests: str, remedy: str) -> None:
    """Skip the test (``reason; remedy``), or fail it under CI=true; never returns."""
    if in_ci():
        pytest.fail(f"{reason}, and CI=true forbids skipping the {tests}: {remedy}", pytrace=False)
    pytest.skip(f"{reason}; {remedy}")


def run_marked_tests(marker: str, env: dict[str, str], *args: str, ci: bool) -> subprocess.CompletedProcess:
    """``pytest -m marker`` in a subprocess, with ``env`` set and CI=true only if ``ci``."""
    environment = {key: value for key, value in os.environ.items() if key not in ("CI", "PYTEST_ADDOPTS")}
    environment |= env
    if ci:
        environment["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-m", marker, "-q", "-rs", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
