"""``badgebridge events``: provider webhooks in (serve), where they go (subscribe), what they did (list)."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from datetime import timedelta

import click

from badgebridge.commands.base import Group, State, json_option, lazy_import, page_options, pass_state
from badgebridge.core.errors import ConfigurationError
from badgebridge.core.model import EventState
from badgebridge.core.render import emit_listing

event_service = lazy_import("badgebridge.core.services.events")


@click.group(cls=Group)
def events() -> None:
    """Provider events (webhooks): receive them, subscribe a connection, see what they did."""


@events.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option(
    "--port", default=8124, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free)."
)
@click.option(
    "--poll", "poll_seconds", default=1.0, show_default=True, type=click.FloatRange(0.05), help="Seconds."
)
@click.option(
    "--no-process",
    is_flag=True,
    help="Only store deliveries; badgebridge events process (anywhere) handles them.",
)
@pass_state
def events_serve(state: State, host: str, port: int, poll_seconds: float, no_process: bool) -> None:
    """Receive provider webhooks at POST /events/<connection name> until stopped.

    Each delivery is stored and answered 200 at once; a thread of this process then reads the
    event from the provider and applies it. For a production server, run the WSGI app factory
    badgebridge.core.webhooks:create_app under gunicorn or waitress (see the README).
    """
    from werkzeug.serving import make_server

    from badgebridge.core.webhooks import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = create_app(state.db, host=state.host, process=not no_process, poll_seconds=poll_seconds)
    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as exc:
        raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    shown = f"[{server.host}]" if ":" in server.host else server.host
    click.echo(
        f"Receiving provider events at http://{shown}:{server.port}/events/<connection>  (Ctrl+C stops)"
    )
    stop = app.extensions["badgebridge_events"]["stop"]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        server.server_close()


@events.command("process")
@click.option("--once", is_flag=True, help="Process what is due now, then exit.")
@click.option(
    "--poll", "poll_seconds", default=1.0, show_default=True, type=click.FloatRange(0.05), help="Seconds."
)
@click.option(
    "--lease",
    "lease_seconds",
    default=60.0,  # the processor's LEASE, not imported here (tests/test_startup.py keeps them equal)
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds a processor holds a delivery before another may take it over.",
)
@pass_state
def events_process(state: State, once: bool, poll_seconds: float, lease_seconds: float) -> None:
    """Process stored deliveries (for receivers started with process=False, or retries)."""
    processor = event_service.EventProcessor(
        state.db, state.host, policy=state.policy, lease=timedelta(seconds=lease_seconds)
    )
    if once:
        done = processor.process_due()
        for record in done:
            click.echo(_line(record))
        click.echo(f"Processed {len(done)} deliver{'y' if len(done) == 1 else 'ies'}.")
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Processing provider events; Ctrl+C stops.", err=True)
    processor.run(stop, threading.Event(), poll_seconds)


@events.command("subscribe")
@click.argument("connection")
@click.option("--url", required=True, help="The receiver's address, e.g. https://bb.example.org/events/NAME.")
@pass_state
def events_subscribe(state: State, connection: str, url: str) -> None:
    """Make the provider deliver CONNECTION's events to URL (Credly: the organization's webhook_url)."""
    held = event_service.subscribe(state.db, state.host, connection, url)
    click.echo(f"The provider now delivers {connection!r}'s events to {held}.")
    if not held.rstrip("/").endswith(f"/events/{connection}"):
        click.echo(
            f"warning: the receiver takes {connection!r}'s events at .../events/{connection}", err=True
        )


@events.command("list")
@click.option("--connection", help="Only this connection's deliveries.")
@click.option(
    "--state",
    "state_name",
    type=click.Choice([s.value for s in EventState]),
    help="Only deliveries in this state.",
)
@json_option
@page_options
@pass_state
def events_list(state: State, connection: str | None, state_name: str | None, as_json: bool, page) -> None:
    """What arrived, oldest first, and what it did."""
    listing = event_service.page_events(state.db, connection=connection, state=state_name, page=page)
    columns = ["id", "connection", "received_at", "event_id", "event_type", "state", "outcome"]
    empty = "no more events" if page.after else "no events received yet"
    emit_listing((record.as_dict() for record in listing), listing, as_json, columns, empty)


def _line(record: event_service.EventRecord) -> str:
    what = record.event_type or record.event_id or "no event id"
    return f"Delivery {record.id} ({what}): {record.state}: {record.outcome}"
