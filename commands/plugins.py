"""``badgebridge plugins``."""

from __future__ import annotations

import click

from badgebridge.commands.base import State, json_option, pass_state
from badgebridge.core.render import emit_json, emit_table


@click.command()
@json_option
@pass_state
def plugins(state: State, as_json: bool) -> None:
    """List installed plugins, their hooks and the providers they declare.

    Plugins that failed to load are listed too, after the others, with their error. Besides the
    entry points, BADGEBRIDGE_PLUGINS=path/to/module.py[,...] loads plugin modules from files;
    BADGEBRIDGE_DISABLE_PLUGIN_AUTOLOAD=1 turns entry-point discovery off.
    """
    infos = [info.as_dict() for info in state.host.plugins()]
    if as_json:
        emit_json(infos)
    else:
        emit_table(infos, ["name", "version", "providers", "hooks", "error"], "no plugins installed")
