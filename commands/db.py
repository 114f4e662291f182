"""``badgebridge db``: looking after the database itself (its encryption key; more to come)."""

from __future__ import annotations

import click

from badgebridge.commands.base import Group, State, pass_state
from badgebridge.core.services import connections as connection_service
from badgebridge.core.storage.encryption import KEY_VARIABLE


@click.group(cls=Group)
def db() -> None:
    """Look after the database."""


@db.command("rotate-key")
@pass_state
def rotate_key(state: State) -> None:
    """Re-encrypt every stored token with the first key of BADGEBRIDGE_SECRET_KEY.

    \b
    To change the key, put the new one first and keep the old one after it:
        BADGEBRIDGE_SECRET_KEY="NEW_KEY,OLD_KEY" badgebridge db rotate-key
    then keep only NEW_KEY. Tokens stored plain (no key before) are encrypted too.
    """
    count = connection_service.reseal_secrets(state.db)
    click.echo(f"Re-encrypted the tokens of {count} connection(s) with the first key of {KEY_VARIABLE}.")
