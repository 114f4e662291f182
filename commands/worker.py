"""``badgebridge worker``."""

from __future__ import annotations

import logging
import signal
import threading
from collections import Counter
from datetime import timedelta

import click

from badgebridge.commands.base import Output, State, lazy_import, output_options, pass_state
from badgebridge.core.clock import iso_z

award_reports = lazy_import("badgebridge.core.services.award_reports")
connection_service = lazy_import("badgebridge.core.services.connections")
worker_service = lazy_import("badgebridge.core.services.worker")


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
    default=180.0,  # the sender's DEFAULT_LEASE, not imported here (tests/test_startup.py keeps them equal)
    show_default=True,
    type=click.FloatRange(1),
    metavar="SECONDS",
    help="How long a claimed award stays this worker's without a heartbeat; a worker that stalls "
    "longer loses it to another and sends nothing (env BADGEBRIDGE_LEASE).",
)
@output_options
@pass_state
def worker(
    state: State,
    concurrency: int,
    once: bool,
    poll_seconds: float,
    lease_seconds: float,
    quiet: bool,
    verbose: bool,
    log_file: str | None,
) -> None:
    """Send queued awards and retries until stopped (Ctrl+C or SIGTERM finish in-flight sends).

    Prints a line per attempt (--quiet: only the summary; --verbose: debug logging with each
    provider request; --log-file FILE: every line also goes to FILE). The summary counts awards,
    each by where its last attempt left it.
    """
    stop = threading.Event()
    if not once:  # first of all: a SIGTERM from now on, even while starting, is a clean stop
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    output = Output(quiet, verbose, log_file)
    if not once:
        click.echo(f"Worker sending with {concurrency} thread(s); Ctrl+C stops it.", err=True)
    for warning in connection_service.expiring_secrets(
        state.host, connection_service.all_connections(state.db)
    ):
        logging.getLogger("badgebridge.worker").warning(warning)
    last: dict[int, str] = {}

    def report(outcome) -> None:
        last[outcome.award_id] = outcome.state
        output.detail(f"Award {outcome.award_id}: {outcome.message}")

    sender = state.sender(lease=timedelta(seconds=lease_seconds))
    run_counts = worker_service.run(
        sender,
        concurrency=concurrency,
        once=once,
        poll_seconds=poll_seconds,
        stop=stop,
        report=report,
    )
    counts = Counter(last.values()) if last else run_counts
    names = {"queued": "to retry later", "superseded": "left to another sender", "error": "plugin errors"}
    summary = ", ".join(
        f"{count} {names.get(name, name)}" for name, count in sorted(counts.items())
    ) or _nothing_due(state)
    attempts = f" ({counts_total} attempt(s))" if (counts_total := sum(run_counts.values())) else ""
    click.echo(f"Worker done: {summary}{attempts}.")
    logging.getLogger("badgebridge.worker").info("Worker done: %s.", summary)
    requests = sum(sender.requests.values())
    if requests:
        limited = sender.requests["rate_limited"]
        click.echo(
            f"Provider requests: {requests} ({sender.requests['answered']} answered, "
            f"{sender.requests['failed']} failed, {limited} rate-limited = {limited / requests:.1%})."
        )


def _nothing_due(state: State) -> str:
    due = award_reports.next_due(state.db)
    return f"nothing was due (the next retry is due at {iso_z(due)})" if due else "nothing was due"
