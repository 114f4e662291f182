"""End-to-end fixtures: the installed ``badgebridge`` command, run as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def installed_command() -> str:
    """The ``badgebridge`` beside this Python (the environment under test, editable or a wheel),
    else the one on PATH."""
    found = shutil.which("badgebridge", path=str(Path(sys.executable).parent)) or shutil.which("badgebridge")
    if found is None:
        raise RuntimeError("no badgebridge command is installed beside this Python or on PATH")
    return found


BADGEBRIDGE = installed_command()


@dataclass
class Cli:
    """Runs ``badgebridge`` in a subprocess with its own home and database; keeps every output."""

    home: Path
    env: dict[str, str]
    outputs: list[str] = field(default_factory=list)
    command: str = BADGEBRIDGE  # another environment's ``badgebridge`` (tests/test_packaging.py)

    def __call__(
        self, *args: str, env: dict[str, str] | None = None, input: str | None = None, timeout: float = 60
    ):
        result = subprocess.run(
            [self.command, *args],
            capture_output=True,
            text=True,
            env=self.env | (env or {}),
            input=input,
            timeout=timeout,
            cwd=self.home,
        )
        self.outputs.append(result.stdout + result.stderr)
        return result

    def ok(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        result = self(*args, **kwargs)
        assert result.returncode == 0, f"badgebridge {' '.join(args)}: {result.stderr or result.stdout}"
        return result

    def json(self, *args: str):
        import json

        return json.loads(self.ok(*args, "--json").stdout)

    def connect(self, mock, org_id: str, token: str, name: str = "credly-main") -> str:
        self.ok(
            "connections",
            "add",
            name,
            "--provider",
            "credly",
            "--org-id",
            org_id,
            "--host",
            mock.url,
            "--token-env",
            "CREDLY_TOKEN",
            env={"CREDLY_TOKEN": token},
        )
        return name


@pytest.fixture
def cli(tmp_path) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), BADGEBRIDGE_DB=f"sqlite:///{tmp_path / 'bb.db'}", NO_COLOR="1")
    return Cli(home, env)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The single line an expected failure prints, after checking it is one line, no traceback."""
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


# The event tests' fixtures (imported last: they use BADGEBRIDGE above).
from tests.e2e.events_support import event_receiver, issued_award  # noqa: E402, F401
