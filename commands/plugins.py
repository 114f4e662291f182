"""``badgebridge plugins``."""

from __future__ import annotations

import click

from badgebridge.commands.base import State, json_option, pass_state
from badgebridge.core.render import emit_json, emit_table


@click.command()
@json_option
@pass_state
def plugins(state: State, as_json: bool) -> None:
    """List installed plugins, their hooks and the providers they declare."""
    infos = [info.as_dict() for info in state.host.plugins()]
    if as_json:
        emit_json(infos)
    else:
        emit_table(infos, ["name", "version", "providers", "hooks"], "no plugins installed")
