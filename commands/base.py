"""What the commands share: the state they open lazily, one-line failures, sending and reporting.

Nothing heavy is imported here at start-up (no SQLAlchemy, no services, no plugins): ``badgebridge
--help`` and a group's ``--help`` load this module, so what a command needs is imported when it
runs (``tests/test_startup.py`` checks it).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import sys
from collections import Counter
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click

from badgebridge.core.errors import BadgeBridgeError, InvalidInput
from badgebridge.core.model import AwardState, ObjectKind
from badgebridge.core.render import emit_table

if TYPE_CHECKING:
    from datetime import timedelta

    from sqlalchemy.exc import DBAPIError

    from badgebridge.core.plugin_manager import PluginHost
    from badgebridge.core.services.sender import AwardSender, Outcome, RetryPolicy
    from badgebridge.core.storage import Database


def lazy_import(name: str):
    """The module ``name``, run on its first attribute access (importlib's ``LazyLoader`` recipe):
    a command module names the services it calls without loading them for ``--help``."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


SEND_CONCURRENCY = 4  # parallel sends when a command issues many awards at once

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON array (one object a line) instead of a table."
)


def page_options(command):
    """``--limit N`` and ``--after CURSOR``, passed on as ``page`` (a ``PageRequest``)."""

    @functools.wraps(command)
    def with_page(*args, limit: int | None, after: str | None, **kwargs):
        from badgebridge.core.storage.paging import PageRequest

        return command(*args, page=PageRequest(limit, after), **kwargs)

    with_page = click.option(
        "--after",
        metavar="CURSOR",
        help="Start after this row (the cursor a page with --limit printed last, on stderr).",
    )(with_page)
    return click.option(
        "--limit", type=click.IntRange(1), metavar="N", help="At most N rows (a page; default: all)."
    )(with_page)


class State:
    """What commands share: the database, the plugins and the retry policy, each made on first use."""

    def __init__(self, db_url: str | None, retry_base: float, max_attempts: int) -> None:
        self.db_url = db_url
        self._retry = {"base_seconds": retry_base, "max_attempts": max_attempts}

    @cached_property
    def policy(self) -> RetryPolicy:
        from badgebridge.core.services.sender import RetryPolicy

        return RetryPolicy(**self._retry)

    @cached_property
    def db(self) -> Database:
        from badgebridge.core.storage import open_database

        return open_database(self.db_url)

    @cached_property
    def host(self) -> PluginHost:
        from badgebridge.core.plugin_manager import get_host

        host = get_host()
        for error in host.errors:
            click.echo(f"warning: {error}", err=True)
        return host

    def sender(self, lease: timedelta | None = None) -> AwardSender:
        """A sender; its lease is ``lease``, else ``BADGEBRIDGE_LEASE`` seconds, else the default."""
        from datetime import timedelta

        from badgebridge.core.services.sender import DEFAULT_LEASE, AwardSender

        if lease is None:
            lease = (
                timedelta(seconds=float(os.environ["BADGEBRIDGE_LEASE"]))
                if os.environ.get("BADGEBRIDGE_LEASE")
                else DEFAULT_LEASE
            )
        return AwardSender(self.db, self.host, policy=self.policy, lease=lease)


class Group(click.Group):
    """A group that turns expected failures into one line and a non-zero exit.

    A database error (a refused statement, a lost connection) is expected too: it becomes one line
    with the database's own primary message, never the statement or its parameters.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BadgeBridgeError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            errors = sys.modules.get("sqlalchemy.exc")  # not loaded: no database was opened
            if errors is not None and isinstance(exc, errors.DBAPIError):
                raise click.ClickException(database_failure(exc)) from None
            raise


def database_failure(exc: DBAPIError) -> str:
    """One line saying what the database refused: its primary message, without details or values."""
    original = exc.orig
    diag = getattr(original, "diag", None)  # psycopg: the primary message holds no row values
    lines = str(original).strip().splitlines() or [type(original).__name__]
    message = getattr(diag, "message_primary", None) or lines[0]
    if exc.connection_invalidated:
        return f"lost the connection to the database: {message}"
    return f"the database refused the command: {message}"


pass_state = click.make_pass_decorator(State)


def print_file_reports(reports: list, dry_run: bool) -> str | None:
    """Print the per-file summary; returns the problem to exit with when rows failed."""
    emit_table(
        [r.as_dict() for r in reports], ["name", "rows", "imported", "unchanged", "failed", "errors_path"], ""
    )
    if dry_run:
        click.echo("Dry run: nothing was written to the database.")
    failed = sum(r.failed for r in reports)
    return f"{failed} row(s) failed; the error files say which row, column and why" if failed else None


def report_sends(outcomes: list[Outcome], shown: int = 20, detail=click.echo) -> None:
    """Print what sending did (each award, or counts and the first problems when there are many);
    exit 1 if any award did not reach its provider."""
    unsent = [o for o in outcomes if o.state not in (AwardState.ISSUED, "superseded")]
    if len(outcomes) <= shown:
        for outcome in outcomes:
            detail(f"Award {outcome.award_id}: {outcome.message}")
    else:
        counts = Counter(outcome.state for outcome in outcomes)
        click.echo("Sent: " + ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) + ".")
        for outcome in unsent[:shown]:
            detail(f"Award {outcome.award_id}: {outcome.message}")
    if unsent:
        retry = "the worker retries queued awards; awards retry resends failed ones"
        raise click.ClickException(f"{len(unsent)} award(s) did not reach the provider ({retry})")


def send_new(state: State, award_ids: list[int], who: str, detail=click.echo) -> None:
    """Issue new awards now and report them; platform-only ones are awarded already, never sent."""
    from badgebridge.core.services import awards as award_service

    if not award_ids:
        click.echo("No new awards.")
        return
    outcomes = state.sender().send_awards(award_ids, concurrency=SEND_CONCURRENCY)
    counts = award_service.count_states(state.db, award_ids)
    local = (
        f"; {counts[AwardState.AWARDED]} platform-only, awarded locally" if counts[AwardState.AWARDED] else ""
    )
    click.echo(f"{len(award_ids)} new award(s) for {who}{local}.")
    report_sends(outcomes, detail=detail)


def object_options(command):
    """``--course ID | --learning-path ID | --certification ID``, passed on as ``target=(kind, id)``."""
    for kind in reversed(ObjectKind):
        flag = "--" + kind.replace("_", "-")
        command = click.option(flag, kind.value, metavar="ID", help=f"The {kind.replace('_', ' ')}'s id.")(
            command
        )
    return command


def target_of(values: dict[str, Any]) -> tuple[ObjectKind, str]:
    given = [(ObjectKind(kind), values.pop(kind)) for kind in list(ObjectKind) if values.get(kind)]
    for kind in ObjectKind:
        values.pop(kind.value, None)
    if len(given) != 1:
        raise InvalidInput("give exactly one of --course, --learning-path, --certification")
    return given[0]


class Output:
    """How much a long command says: ``detail`` lines (one per award) unless quiet, every line also
    in the log file when one is given."""

    def __init__(self, quiet: bool, verbose: bool, log_file: str | None) -> None:
        self.quiet = quiet
        handlers: list[logging.Handler] = [logging.StreamHandler()]
        handlers[0].setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
        if log_file:
            handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        logging.basicConfig(
            level=logging.DEBUG if verbose else logging.INFO,
            format="%(asctime)s %(levelname)s %(message)s",
            handlers=handlers,
            force=True,
        )
        for noisy in ("httpx", "alembic"):  # a line per request or per revision check
            logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
        self._log = logging.getLogger("badgebridge.output")
        self._to_file = bool(log_file)

    def detail(self, line: str) -> None:
        if not self.quiet:
            click.echo(line)
        if self._to_file:  # to the file only: the terminal has it already, or asked for quiet
            record = self._log.makeRecord(self._log.name, logging.INFO, "", 0, line, None, None)
            for handler in logging.getLogger().handlers:
                if isinstance(handler, logging.FileHandler):
                    handler.handle(record)


def output_options(command):
    """``--quiet``, ``--verbose`` and ``--log-file FILE``, passed on as ``output`` (an ``Output``)."""

    command = click.option("--log-file", type=click.Path(dir_okay=False), help="Also write every line here.")(
        command
    )
    command = click.option(
        "-v", "--verbose", is_flag=True, help="Debug logging, provider requests included."
    )(command)
    return click.option("-q", "--quiet", is_flag=True, help="Only the summary and problems.")(command)
