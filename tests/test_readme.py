"""The README stays true to the command line."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from badgebridge.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _commands(group: click.Group, prefix: str):
    ctx = click.Context(group)  # list_commands/get_command: the root loads its commands lazily
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
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


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "acme-badges"


@pytest.mark.parametrize(
    ("marker", "path"),
    [("example-plugin", "acme_badges.py"), ("example-plugin-tests", "tests/test_acme_badges.py")],
)
def test_the_readme_plugin_example_is_the_example_plugin(marker, path):
    block = README.split(f"<!-- {marker} -->\n", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert block == (EXAMPLE / path).read_text()


def test_the_readme_names_the_plugin_environment_variables():
    from badgebridge.core.plugin_manager import DISABLE_AUTOLOAD_ENV, PLUGINS_ENV

    assert f"`{PLUGINS_ENV}=path/to/module.py[,...]`" in README
    assert f"`{DISABLE_AUTOLOAD_ENV}=1`" in README
