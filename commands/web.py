"""``badgebridge web``: the admin console on a local port."""

from __future__ import annotations

import socket

import click

from badgebridge.commands.base import State, lazy_import, pass_state

user_service = lazy_import("badgebridge.core.services.users")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: a free one)."
)
@pass_state
def web(state: State, host: str, port: int) -> None:
    """Serve the admin console (login required; badgebridge users add EMAIL creates a login).

    For production, serve the WSGI app with a real server: gunicorn 'badgebridge.web:create_app()'.
    """
    from werkzeug.serving import make_server, select_address_family

    from badgebridge.web import create_app

    app = create_app(database=state.db, host=state.host, policy=state.policy)
    try:  # bound here, so a busy port is one line (werkzeug would print its own two)
        listener = socket.create_server((host, port), family=select_address_family(host, port))
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    with listener:
        server = make_server(host, port, app, threaded=True, fd=listener.fileno())
    click.echo(f"badgebridge console on http://{host}:{server.port}/ (Ctrl+C stops it)")
    if not user_service.list_users(state.db):
        click.echo("warning: nobody can log in yet: badgebridge users add EMAIL", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
