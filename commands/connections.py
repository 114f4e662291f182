"""``badgebridge connections``: provider accounts."""

from __future__ import annotations

from typing import Any

import click

from badgebridge.commands.base import Group, State, json_option, lazy_import, page_options, pass_state
from badgebridge.commands.provider_settings import ProviderSettingsCommand, collect_settings
from badgebridge.core.errors import InvalidInput
from badgebridge.core.render import emit_listing

connection_service = lazy_import("badgebridge.core.services.connections")
removal = lazy_import("badgebridge.core.services.removal")


rate_limit_option = click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    metavar="N",
    help="Send at most N requests per second through this connection, all workers together "
    "(default: unlimited; a 429 slows it down either way).",
)


@click.group(cls=Group)
def connections() -> None:
    """Provider accounts: add (verified first), list, test, update, remove."""


@connections.command("add", cls=ProviderSettingsCommand)
@click.argument("name")
@click.option(
    "--provider", "provider_name", required=True, help="Provider name (badgebridge plugins lists them)."
)
@rate_limit_option
@pass_state
def connections_add(
    state: State, name: str, provider_name: str, rate_limit: float | None, **values: Any
) -> None:
    """Add a connection; it is verified with the provider before it is saved.

    Secrets never come from the command line: use --token-env VAR, --token-stdin, or answer the
    hidden prompt.
    """
    settings = collect_settings(provider_name, values, prompt_missing=True)
    record = connection_service.add(state.db, state.host, name, provider_name, settings)
    if rate_limit is not None:
        record = connection_service.set_rate_limit(state.db, record.name, rate_limit)
    title = state.host.provider(record.provider).title
    click.echo(f"Connected {record.name!r} to the {title} account {record.account_name!r}; saved.")
    if rate_limit is not None:
        click.echo(f"Requests through {record.name!r} are paced at {rate_limit:g} per second.")


@connections.command("update", cls=ProviderSettingsCommand)
@click.argument("name")
@rate_limit_option
@click.option("--no-rate-limit", is_flag=True, help="Lift the connection's rate limit.")
@pass_state
def connections_update(
    state: State, name: str, rate_limit: float | None, no_rate_limit: bool, **values: Any
) -> None:
    """Change a connection's settings (a rotated token, a new host); verified before saving."""
    record = connection_service.get(state.db, name)
    changes = collect_settings(record.provider, values, prompt_missing=False)
    if rate_limit is not None and no_rate_limit:
        raise InvalidInput("give --rate-limit N or --no-rate-limit, not both")
    if not changes and rate_limit is None and not no_rate_limit:
        raise InvalidInput("nothing to change: give the settings to update")
    if changes:
        record = connection_service.update_settings(state.db, state.host, name, changes)
        click.echo(
            f"Updated {record.name!r}; verified against {record.provider} account {record.account_name!r}."
        )
    if rate_limit is not None or no_rate_limit:
        connection_service.set_rate_limit(state.db, name, rate_limit)
        pace = f"paced at {rate_limit:g} per second" if rate_limit else "no longer rate-limited"
        click.echo(f"Requests through {name!r} are {pace}.")


@connections.command("list")
@json_option
@page_options
@pass_state
def connections_list(state: State, as_json: bool, page) -> None:
    """List connections by name (secrets masked); a warning on stderr for each token about to expire."""
    listing = connection_service.page_connections(state.db, page)

    def rows():
        for record in listing:
            for warning in connection_service.expiring_secrets(state.host, [record]):
                click.echo(f"warning: {warning}", err=True)
            expiries = connection_service.secret_expiries(state.host, [record])
            expires = connection_service.soonest_expiries(expiries).get(record.name)
            yield record.as_dict() | {"token_expires_at": expires.isoformat() if expires else None}

    columns = [
        "name",
        "provider",
        "host",
        "token",
        "rate_limit",
        "account_name",
        "verified_at",
        "token_expires_at",
    ]
    emit_listing(
        rows(), listing, as_json, columns, "no more connections" if page.after else "no connections yet"
    )


@connections.command("test")
@click.argument("name")
@pass_state
def connections_test(state: State, name: str) -> None:
    """Verify a saved connection against its provider again."""
    record, info = connection_service.test(state.db, state.host, name)
    click.echo(f"{record.name!r} works: {record.provider} account {info.account_name!r}.")


@connections.command("rotate")
@click.argument("name")
@pass_state
def connections_rotate(state: State, name: str) -> None:
    """Replace NAME's token with a new one made by the provider, and store it (the old one stops working)."""
    record = connection_service.rotate(state.db, state.host, name)
    token = next((value for key, value in record.masked_settings.items() if key in record.secrets), "")
    click.echo(f"Rotated the token of {record.name!r}; the new one ({token}) is stored and verified.")


@connections.command("remove")
@click.argument("name")
@click.option("--force", is_flag=True, help="Retire its badges and unlink them (and their awards) from it.")
@pass_state
def connections_remove(state: State, name: str, force: bool) -> None:
    """Forget a connection.

    Refused while catalog badges come through it (the message names them), unless --force: then
    its badges are retired and kept, with their awards, as history. Refused while awards of it wait
    to be sent.
    """
    unlinked = removal.remove_connection(state.db, name, force=force)
    kept = f"; {unlinked} badge(s) retired and kept without a connection" if unlinked else ""
    click.echo(f"Removed connection {name!r}{kept}.")
