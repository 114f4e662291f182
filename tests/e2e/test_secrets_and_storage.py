"""Where the token may come from, and where the database lives by default."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import stat
import subprocess
import termios
import time

import pytest

from tests.e2e.conftest import BADGEBRIDGE

pytestmark = pytest.mark.e2e


def _read_until(fd: int, wanted: bytes, seconds: float = 30) -> bytes:
    seen = b""
    deadline = time.time() + seconds
    while wanted not in seen and time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the other side closed
                break
    return seen


def test_token_from_a_hidden_prompt_is_not_echoed(cli, credly_mock):
    """On a terminal with no --token-env/--token-stdin, the token is asked for and never shown."""
    master, slave = pty.openpty()

    def become_terminal_session():
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    args = [
        "connections",
        "add",
        "typed",
        "--provider",
        "credly",
        "--org-id",
        credly_mock.organization_id,
        "--host",
        credly_mock.url,
    ]
    proc = subprocess.Popen(
        [BADGEBRIDGE, *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=cli.env,
        cwd=cli.home,
        preexec_fn=become_terminal_session,
        close_fds=True,
    )
    os.close(slave)
    try:
        prompt = _read_until(master, b"Authorization token")
        assert b"Authorization token" in prompt
        os.write(master, credly_mock.token.encode() + b"\n")
        rest = _read_until(master, b"saved.")
        assert proc.wait(30) == 0, rest
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert b"saved." in rest
    assert credly_mock.token.encode() not in prompt + rest
    assert [c["name"] for c in cli.json("connections", "list")] == ["typed"]


def test_default_database_is_private_in_the_application_folder(cli):
    env = {key: value for key, value in cli.env.items() if key not in ("BADGEBRIDGE_DB", "XDG_CONFIG_HOME")}
    result = subprocess.run(
        [BADGEBRIDGE, "learners", "list"], env=env, capture_output=True, text=True, cwd=cli.home
    )
    assert result.returncode == 0, result.stderr
    database = cli.home / ".config" / "badgebridge" / "badgebridge.db"
    assert database.exists()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_missing_token_variable_is_named(cli, credly_mock):
    result = cli(
        "connections",
        "add",
        "x",
        "--provider",
        "credly",
        "--org-id",
        credly_mock.organization_id,
        "--host",
        credly_mock.url,
        "--token-env",
        "NOT_SET_ANYWHERE",
    )
    assert result.returncode == 1
    assert "the environment variable named by --token-env is not set" in result.stderr
    assert "NOT_SET_ANYWHERE" not in result.stdout + result.stderr
