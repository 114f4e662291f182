"""``badgebridge worker``."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta

import click

from badgebridge.commands.base import State, pass_state
from badgebridge.core.services import worker as worker_service
from badgebridge.core.services.sender import DEFAULT_LEASE


@click.command()
@click.option(
    "--concurrency", default=4, show_default=True, type=click.IntRange(1, 64), help="Parallel sends."
)
@click.option("--once", is_flag=True, help="One pass over the awards that are due, then exit.")
@click.option(
    "--poll", "poll_seconds", default=1.0, show_default=True, type=click.FloatRange(0.05), help="Seconds."
)
@click.option(
    "--lease",
    "lease_seconds",
    envvar="BADGEBRIDGE_LEASE",
    default=DEFAULT_LEASE.total_seconds(),
    show_default=True,
    type=click.FloatRange(1),
    metavar="SECONDS",
    help="How long a claimed award stays this worker's without a heartbeat; a worker that stalls "
    "longer loses it to another and sends nothing (env BADGEBRIDGE_LEASE).",
)
@pass_state
def worker(state: State, concurrency: int, once: bool, poll_seconds: float, lease_seconds: float) -> None:
    """Send queued awards and retries until stopped (Ctrl+C or SIGTERM finish in-flight sends)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise here
    stop = threading.Event()
    if not once:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        click.echo(f"Worker sending with {concurrency} thread(s); Ctrl+C stops it.", err=True)
    sender = state.sender(lease=timedelta(seconds=lease_seconds))
    counts = worker_service.run(
        sender,
        concurrency=concurrency,
        once=once,
        poll_seconds=poll_seconds,
        stop=stop,
        report=lambda outcome: click.echo(f"Award {outcome.award_id}: {outcome.message}"),
    )
    names = {"queued": "to retry later", "superseded": "left to another sender", "error": "plugin errors"}
    summary = (
        ", ".join(f"{count} {names.get(name, name)}" for name, count in sorted(counts.items()))
        or "nothing was due"
    )
    click.echo(f"Worker done: {summary}.")
    requests = sum(sender.requests.values())
    if requests:
        limited = sender.requests["rate_limited"]
        click.echo(
            f"Provider requests: {requests} ({sender.requests['answered']} answered, "
            f"{sender.requests['failed']} failed, {limited} rate-limited = {limited / requests:.1%})."
        )
