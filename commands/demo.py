"""``badgebridge demo`` and ``badgebridge mock-server``: the bundled Credly mock, from the command line."""

from __future__ import annotations

import contextlib
import io
import shlex
import signal
import sys

import click

from badgebridge.commands.base import State, pass_state
from badgebridge.core.errors import ConfigurationError, InvalidInput
from badgebridge.core.secrets import mask

TOKEN_VARIABLE = "CREDLY_TOKEN"


@click.command()
@click.option(
    "--db", "demo_db", metavar="URL", help="Keep the demo's data in this database (default: a throwaway one)."
)
@pass_state
@click.pass_context
def demo(ctx: click.Context, state: State, demo_db: str | None) -> None:
    """Walk the whole flow offline, against the bundled Credly mock.

    The demo uses a throwaway database unless --db is given (BADGEBRIDGE_DB is ignored here, so
    the demo never writes into a real deployment's database).
    """
    from badgebridge.commands.demo_flow import run_demo

    root = ctx.find_root()
    given = root.get_parameter_source("db_url") == click.core.ParameterSource.COMMANDLINE
    run_demo(demo_db or (state.db_url if given else None), host=state.host, echo=click.echo)


def connect_hint(url: str, org: dict[str, str] | None) -> str:
    """How to connect to the mock: with the first seeded organization's id and token, or placeholders."""
    if org is None:
        return (
            "  connect with: badgebridge connections add mock --provider credly --org-id ID "
            f"--host {url} --token-env VAR"
        )
    return (
        f"  connect with:\n    export {TOKEN_VARIABLE}={shlex.quote(org['token'])}\n"
        f"    badgebridge connections add mock --provider credly --org-id {org['id']} --host {url} "
        f"--token-env {TOKEN_VARIABLE}"
    )


@click.command("mock-server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option(
    "--port", default=8123, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free)."
)
@click.option("--seed", "seed_file", type=click.Path(exists=True, dir_okay=False), help="Seed JSON file.")
@click.option("--log-requests", is_flag=True, help="Print a line per request.")
def mock_server_command(host: str, port: int, seed_file: str | None, log_requests: bool) -> None:
    """Serve the mock Credly API until interrupted."""
    from badgebridge.mock_server import MockServer
    from badgebridge.mock_server.seed import load_seed_file

    try:
        seed = load_seed_file(seed_file) if seed_file else None
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    said = io.StringIO()  # werkzeug prints its own lines and exits when the port is taken
    try:
        with contextlib.redirect_stderr(said):
            server = MockServer(host=host, port=port, seed=seed, log_requests=log_requests)
    except (OSError, SystemExit) as exc:
        why = getattr(exc, "strerror", None) or (said.getvalue().splitlines() or ["cannot bind"])[0]
        raise ConfigurationError(
            f"cannot listen on {host}:{port}: {why} (choose another --port; 0 takes any free one)"
        ) from None
    click.echo(f"Mock Credly API on {server.url}  (Ctrl+C stops it)")
    organizations = server.seeded_organizations()
    for org in organizations:
        click.echo(f"  organization {org['name']!r}: id {org['id']}  token {mask(org['token'])}")
    click.echo(connect_hint(server.url, organizations[0] if organizations else None))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
