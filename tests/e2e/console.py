"""The admin console as a user runs it: ``badgebridge web --port 0`` in its own process."""

from __future__ import annotations

import re
import select
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.e2e.conftest import BADGEBRIDGE, Cli

ADMIN = ("admin@example.org", "correct horse battery")
VIEWER = ("viewer@example.org", "viewer password 123")
STARTUP_SECONDS = 60  # a generous bound on a busy machine, not a speed check


def add_users(cli: Cli) -> None:
    cli.ok("users", "add", ADMIN[0], "--role", "admin", input=ADMIN[1] + "\n")
    cli.ok("users", "add", VIEWER[0], "--role", "viewer", input=VIEWER[1] + "\n")


@contextmanager
def running_console(cli: Cli, *global_options: str) -> Iterator[str]:
    """Start the console on a free port; yields its base URL; stops it afterwards."""
    process = subprocess.Popen(
        [BADGEBRIDGE, *global_options, "web", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
        cwd=cli.home,
    )
    try:
        yield _wait_for_url(process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_url(process: subprocess.Popen) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1)
        if ready:
            line = process.stdout.readline()
            found = re.search(r"http://[\d.]+:\d+", line)
            if found:
                return found.group(0)
        if process.poll() is not None:
            raise AssertionError(f"badgebridge web exited: {process.stderr.read()}")
    raise AssertionError("badgebridge web printed no URL")
