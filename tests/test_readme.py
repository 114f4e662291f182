"""The README stays true to the command line."""

from __future__ import annotations

from pathlib import Path

import click

from badgebridge.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _commands(group: click.Group, prefix: str):
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _commands(command, path)
        else:
            yield path


def test_every_command_is_in_the_readme():
    missing = [path for path in _commands(cli, "badgebridge") if f"`{path}" not in README]
    assert missing == []


def test_the_readme_test_command_is_what_ci_runs():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "python -m pytest" in ci
    assert "pip install -e '.[test]' && python -m pytest" in README
