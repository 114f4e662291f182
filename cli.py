"""The ``badgebridge`` command: the root group and its global options.

Each command group lives in its own module under ``badgebridge.commands``; a command parses its
arguments, calls one service in ``badgebridge.core.services`` and prints the result. Expected
failures (``badgebridge.core.errors.BadgeBridgeError``) print one line on stderr and exit 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import click

from badgebridge import __version__
from badgebridge.commands import (
    awards,
    badges,
    connections,
    db,
    demo,
    events,
    learners,
    learning_objects,
    migrate,
    plugins,
    skills,
    users,
    web,
    worker,
)
from badgebridge.commands.base import Group, State
from badgebridge.core.services.sender import RetryPolicy


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_url",
    envvar="BADGEBRIDGE_DB",
    metavar="URL",
    help="Database URL (default: an SQLite file in your application folder; env BADGEBRIDGE_DB).",
)
@click.option(
    "--retry-base",
    envvar="BADGEBRIDGE_RETRY_BASE",
    default=RetryPolicy.base_seconds,
    show_default=True,
    type=click.FloatRange(0),
    metavar="SECONDS",
    help="First retry delay after a transient provider failure; it doubles each attempt (with jitter).",
)
@click.option(
    "--max-attempts",
    envvar="BADGEBRIDGE_MAX_ATTEMPTS",
    default=RetryPolicy.max_attempts,
    show_default=True,
    type=click.IntRange(1),
    help="Attempts before a transiently failing award is marked failed.",
)
@click.version_option(__version__, prog_name="badgebridge")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, retry_base: float, max_attempts: int) -> None:
    """Connect a learning platform's badges to badge providers such as Credly.

    \b
    Start with the offline demo, which runs against a bundled mock of Credly:
        badgebridge demo
    """
    ctx.obj = State(db_url, RetryPolicy(base_seconds=retry_base, max_attempts=max_attempts))


def main() -> None:
    cli(prog_name="badgebridge")


for command in (
    demo.demo,
    demo.mock_server_command,
    plugins.plugins,
    connections.connections,
    badges.badges,
    learners.learners,
    awards.awards,
    migrate.migrate,
    skills.skills,
    learning_objects.learning_objects,
    learning_objects.assign,
    learning_objects.unassign,
    learning_objects.complete,
    worker.worker,
    users.users,
    web.web,
    db.db,
    events.events,
):
    cli.add_command(command)


if __name__ == "__main__":
    main()
