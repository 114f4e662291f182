"""Start-up stays light: ``badgebridge --help`` and each command's ``--help`` load no database
layer, no HTTP client, no JSON Schema validator, no web framework (structural checks; the timing
lives in bench/startup.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest

from badgebridge.cli import COMMANDS, cli
from badgebridge.commands import events, worker
from badgebridge.core.services import events as event_service
from badgebridge.core.services.sender import DEFAULT_LEASE, RetryPolicy

HEAVY = ("sqlalchemy", "alembic", "httpx", "jsonschema", "psycopg", "flask", "werkzeug")

PROBE = """
import sys
{action}
heavy = sorted({{name.split(".")[0] for name in sys.modules}} & set({heavy!r}))
print("heavy:" + ",".join(heavy))
"""


def _loaded_after(action: str) -> str:
    code = PROBE.format(action=action, heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1].removeprefix("heavy:")


def test_importing_the_command_line_loads_nothing_heavy():
    assert _loaded_after("import badgebridge.cli") == ""


@pytest.mark.parametrize(
    "args", [["--help"], ["awards", "list", "--help"], *([name, "--help"] for name in sorted(COMMANDS))]
)
def test_help_loads_nothing_heavy(args):
    action = "\n".join(
        [
            "from badgebridge.cli import cli",
            "try:",
            f"    cli({args!r}, prog_name='badgebridge')",
            "except SystemExit as exit:",
            "    assert exit.code == 0",
        ]
    )
    assert _loaded_after(action) == ""


def test_every_command_is_listed_with_the_first_paragraph_of_its_own_help():
    ctx = click.Context(cli)
    for name, lazy in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        first_paragraph = " ".join(command.help.split("\n\n")[0].split())
        assert lazy.summary == first_paragraph, name


def test_the_defaults_written_in_the_options_are_the_services_defaults():
    params = {param.name: param for param in cli.params}
    assert params["retry_base"].default == RetryPolicy.base_seconds
    assert params["max_attempts"].default == RetryPolicy.max_attempts
    lease = next(param for param in worker.worker.params if param.name == "lease_seconds")
    assert lease.default == DEFAULT_LEASE.total_seconds()
    event_lease = next(
        param for param in events.events.commands["process"].params if param.name == "lease_seconds"
    )
    assert event_lease.default == event_service.LEASE.total_seconds()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("badgebridge aw", "plain,awards"),
        ("badgebridge awards li", "plain,list"),
        ("badgebridge awards list --li", "plain,--limit"),
    ],
)
def test_shell_completion_reaches_the_lazily_loaded_commands(words, expected):
    env = {
        "_BADGEBRIDGE_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    code = "from badgebridge.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=os.environ | env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [expected]
