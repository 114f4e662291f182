"""``badgebridge db``: the database's schema."""

from __future__ import annotations

import click

from badgebridge.commands.base import Group, State, pass_state
from badgebridge.core.storage import migrations, open_database


@click.group(cls=Group)
def db() -> None:
    """The database: schema upgrades."""


@db.command("upgrade")
@pass_state
def db_upgrade(state: State) -> None:
    """Upgrade the database's schema to this badgebridge's (SQLite is upgraded when opened;
    PostgreSQL waits for this command). Back the database up first."""
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
