"""The ``badgebridge`` command: the root group and its global options.

Each command group lives in its own module under ``badgebridge.commands``; a command parses its
arguments, calls one service in ``badgebridge.core.services`` and prints the result. Expected
failures (``badgebridge.core.errors.BadgeBridgeError``) print one line on stderr and exit 1;
anything else is a bug and keeps its traceback.

The root loads a command's module only when that command runs (click's lazy group pattern), so
``badgebridge --help`` imports neither the database layer nor the plugins; its list of commands
comes from ``COMMANDS`` (``tests/test_startup.py`` checks each summary against the command's own help).
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import click

from badgebridge import __version__
from badgebridge.commands.base import Group, State


class Lazy(NamedTuple):
    """Where a command lives, and the first paragraph of its help (shown by ``badgebridge --help``)."""

    module: str
    attribute: str
    summary: str


COMMANDS = {
    "demo": Lazy("demo", "demo", "Walk the whole flow offline, against the bundled Credly mock."),
    "mock-server": Lazy("demo", "mock_server_command", "Serve the mock Credly API until interrupted."),
    "plugins": Lazy(
        "plugins", "plugins", "List installed plugins, their hooks and the providers they declare."
    ),
    "connections": Lazy(
        "connections", "connections", "Provider accounts: add (verified first), list, test, update, remove."
    ),
    "badges": Lazy("badges", "badges", "The local badge catalog."),
    "learners": Lazy("learners", "learners", "Learners: the email is what providers know them by."),
    "awards": Lazy("awards", "awards", "Awards: stored first, then issued on the provider."),
    "migrate": Lazy(
        "migrate",
        "migrate",
        "Migrate ALM migration CSVs (a folder, or one file): badge.csv, skill.csv, course.csv, ...",
    ),
    "skills": Lazy("skills", "skills", "Skills: up to three levels, each with max credits and a badge."),
    "learning-objects": Lazy(
        "learning_objects", "learning_objects", "Courses, learning paths and certifications."
    ),
    "assign": Lazy(
        "learning_objects",
        "assign",
        "Attach a badge, or credits towards a skill level, to a learning object.",
    ),
    "unassign": Lazy(
        "learning_objects",
        "unassign",
        "Detach a badge, or the credits towards a skill level, from a learning object.",
    ),
    "complete": Lazy(
        "learning_objects",
        "complete",
        "Record that a learner completed a learning object; issue what it earns.",
    ),
    "worker": Lazy(
        "worker",
        "worker",
        "Send queued awards and retries until stopped (Ctrl+C or SIGTERM finish in-flight sends).",
    ),
    "users": Lazy("users", "users", "Console users: admins change things, viewers only look."),
    "web": Lazy(
        "web",
        "web",
        "Serve the admin console (login required; badgebridge users add EMAIL creates a login).",
    ),
    "db": Lazy("db", "db", "The database: schema upgrades and the key that encrypts tokens."),
    "events": Lazy(
        "events",
        "events",
        "Provider events (webhooks): receive them, subscribe a connection, see what they did.",
    ),
}
"""Every command of the root, by name."""


class LazyGroup(Group):
    """A group whose commands are imported from ``COMMANDS`` when one is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy = COMMANDS.get(cmd_name)
        if lazy is None:
            return None
        module = importlib.import_module(f"badgebridge.commands.{lazy.module}")
        return getattr(module, lazy.attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of commands, as click writes it, from the summaries (nothing is imported)."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=COMMANDS[name].summary).get_short_help_str(limit))
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    default=2.0,  # RetryPolicy.base_seconds, not imported here (tests/test_startup.py keeps them equal)
    show_default=True,
    type=click.FloatRange(0),
    metavar="SECONDS",
    help="First retry delay after a transient provider failure; it doubles each attempt (with jitter).",
)
@click.option(
    "--max-attempts",
    envvar="BADGEBRIDGE_MAX_ATTEMPTS",
    default=12,  # RetryPolicy.max_attempts
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
    ctx.obj = State(db_url, retry_base, max_attempts)


def main() -> None:
    cli(prog_name="badgebridge")


if __name__ == "__main__":
    main()
