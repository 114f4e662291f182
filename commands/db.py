"""``badgebridge db``: looking after the database itself (its schema and its encryption key)."""

from __future__ import annotations

import click

from badgebridge.commands.base import Group, State, pass_state


@click.group(cls=Group)
def db() -> None:
    """The database: schema upgrades and the key that encrypts tokens."""


@db.command("upgrade")
@pass_state
def db_upgrade(state: State) -> None:
    """Upgrade the database's schema to this badgebridge's (SQLite is upgraded when opened;
    PostgreSQL waits for this command). Back the database up first."""
    from badgebridge.core.storage import migrations, open_database

    database = open_database(state.db_url, upgrade=True)
    try:
        before, now = database.upgraded_from, migrations.head()
    finally:
        database.dispose()
    if before == now:
        click.echo(f"The database is at schema revision {now} already; nothing changed.")
    elif before is None:
        click.echo(f"Created the database's tables (schema revision {now}).")
    else:
        click.echo(f"Upgraded the database's schema from revision {before} to {now}.")


@db.command("rotate-key")
@pass_state
def rotate_key(state: State) -> None:
    """Re-encrypt every stored token with the first key of BADGEBRIDGE_SECRET_KEY.

    \b
    To change the key, put the new one first and keep the old one after it:
        BADGEBRIDGE_SECRET_KEY="NEW_KEY,OLD_KEY" badgebridge db rotate-key
    then keep only NEW_KEY. Tokens stored plain (no key before) are encrypted too.
    """
    from badgebridge.core.services import connections as connection_service
    from badgebridge.core.storage.encryption import KEY_VARIABLE

    count = connection_service.reseal_secrets(state.db)
    click.echo(f"Re-encrypted the tokens of {count} connection(s) with the first key of {KEY_VARIABLE}.")
