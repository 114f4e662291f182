"""``badgebridge badges``: the local catalog."""

from __future__ import annotations

import click

from badgebridge.commands.base import Group, State, json_option, lazy_import, page_options, pass_state
from badgebridge.core.render import emit_listing

catalog = lazy_import("badgebridge.core.services.catalog")
removal = lazy_import("badgebridge.core.services.removal")


@click.group(cls=Group)
def badges() -> None:
    """The local badge catalog."""


@badges.command("import")
@click.argument("connection")
@pass_state
def badges_import(state: State, connection: str) -> None:
    """Import every active badge (template) of a connection's account into the catalog."""
    result = catalog.import_badges(state.db, state.host, connection)
    click.echo(
        f"Imported {result.total} active badge(s) from {result.connection!r}: {result.added} new, "
        f"{result.updated} updated, {result.unchanged} unchanged, {result.retired} retired."
    )


@badges.command("list")
@click.option("--connection", help="Only badges that came through this connection.")
@click.option("--state", "badge_state", type=click.Choice(["active", "retired"], case_sensitive=False))
@json_option
@page_options
@pass_state
def badges_list(state: State, connection: str | None, badge_state: str | None, as_json: bool, page) -> None:
    """List the badges in the catalog, by name."""
    listing = catalog.page_badges(state.db, connection, badge_state, page)
    columns = ["id", "name", "state", "external_badge_provider", "external_badge_id", "connection"]
    empty = "no more badges" if page.after else _none_listed(connection, badge_state)
    emit_listing((badge.as_dict() for badge in listing), listing, as_json, columns, empty)


def _none_listed(connection: str | None, badge_state: str | None) -> str:
    """What an empty listing means: an empty catalog, or only no badge matching the filters."""
    if not connection and not badge_state:
        return "the catalog is empty (badges import CONNECTION fills it)"
    which = " ".join(filter(None, [badge_state and badge_state.lower(), "badges"]))
    return f"no {which}" + (f" from connection {connection!r}" if connection else "")


@badges.command("retire")
@click.argument("badge_id")
@pass_state
def badges_retire(state: State, badge_id: str) -> None:
    """Retire a badge: it stays (awards keep pointing at it) and is awarded no more."""
    if catalog.retire_badge(state.db, badge_id):
        click.echo(f"Badge {badge_id!r} retired; it is awarded no more.")
    else:
        click.echo(f"Badge {badge_id!r} was retired already; nothing changed.")


@badges.command("remove")
@click.argument("badge_id")
@pass_state
def badges_remove(state: State, badge_id: str) -> None:
    """Delete a badge from the catalog (refused while awards, skills or learning objects refer to it)."""
    removal.remove_badge(state.db, badge_id)
    click.echo(f"Badge {badge_id!r} removed from the catalog.")
