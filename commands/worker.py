"""``badgebridge worker``."""

from __future__ import annotations

import logging
import signal
import threading

import click

from badgebridge.commands.base import State, pass_state
from badgebridge.core.services import connections as connection_service
from badgebridge.core.services import worker as worker_service


@click.command()
@click.option(
    "--concurrency", default=4, show_default=True, type=click.IntRange(1, 64), help="Parallel sends."
)
@click.option("--once", is_flag=True, help="One pass over the awards that are due, then exit.")
@click.option(
    "--poll", "poll_seconds", default=1.0, show_default=True, type=click.FloatRange(0.05), help="Seconds."
)
@pass_state
def worker(state: State, concurrency: int, once: bool, poll_seconds: float) -> None:
    """Send queued awards and retries until stopped (Ctrl+C or SIGTERM finish in-flight sends)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise here
    for warning in connection_service.expiring_secrets(
        state.host, connection_service.all_connections(state.db)
    ):
        logging.getLogger("badgebridge.worker").warning(warning)
    stop = threading.Event()
    if not once:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        click.echo(f"Worker sending with {concurrency} thread(s); Ctrl+C stops it.", err=True)
    counts = worker_service.run(
        state.sender(),
        concurrency=concurrency,
        once=once,
        poll_seconds=poll_seconds,
        stop=stop,
        report=lambda outcome: click.echo(f"Award {outcome.award_id}: {outcome.message}"),
    )
    summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items())) or "nothing was due"
    click.echo(f"Worker done: {summary}.")
