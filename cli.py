"""The ``badgebridge`` command.

Each command parses its arguments, calls one service in ``core.services`` and prints the result.
Expected failures (``core.errors.BadgeBridgeError``) print one line on stderr and exit 1; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections import Counter
from datetime import datetime
from functools import cached_property
from typing import Any

import click

from core import __version__
from core.clock import as_utc
from core.errors import BadgeBridgeError, ConfigurationError, InvalidInput
from core.model import AwardState, ObjectKind
from core.plugin_manager import PluginHost, get_host
from core.render import emit_json, emit_table
from core.services import awards as award_service
from core.services import catalog
from core.services import connections as connection_service
from core.services import learners as learner_service
from core.services import learning_objects as object_service
from core.services import skills as skill_service
from core.services import worker as worker_service
from core.services.sender import AwardSender, Outcome, RetryPolicy
from core.storage import Database, open_database

SEND_CONCURRENCY = 4  # parallel sends when a command issues many awards at once

json_option = click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")


class State:
    """What commands share: the database and the plugins, each opened on first use."""

    def __init__(self, db_url: str | None, policy: RetryPolicy) -> None:
        self.db_url = db_url
        self.policy = policy

    @cached_property
    def db(self) -> Database:
        return open_database(self.db_url)

    @cached_property
    def host(self) -> PluginHost:
        host = get_host()
        for error in host.errors:
            click.echo(f"warning: {error}", err=True)
        return host

    def sender(self) -> AwardSender:
        return AwardSender(self.db, self.host, policy=self.policy)


class Group(click.Group):
    """A group that turns expected failures into one line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BadgeBridgeError as exc:
            raise click.ClickException(str(exc)) from None


pass_state = click.make_pass_decorator(State)


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


# -- demo and mock server ----------------------------------------------------------------------


@cli.command()
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
    from core.demo import run_demo

    root = ctx.find_root()
    given = root.get_parameter_source("db_url") == click.core.ParameterSource.COMMANDLINE
    run_demo(demo_db or (state.db_url if given else None), host=state.host, echo=click.echo)


@cli.command("mock-server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option(
    "--port", default=8123, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free)."
)
@click.option("--seed", "seed_file", type=click.Path(exists=True, dir_okay=False), help="Seed JSON file.")
@click.option("--log-requests", is_flag=True, help="Print a line per request.")
def mock_server_command(host: str, port: int, seed_file: str | None, log_requests: bool) -> None:
    """Serve the mock Credly API until interrupted."""
    from mock_server import MockServer
    from mock_server.seed import load_seed_file

    try:
        seed = load_seed_file(seed_file) if seed_file else None
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    try:
        server = MockServer(host=host, port=port, seed=seed, log_requests=log_requests)
    except OSError as exc:
        raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    click.echo(f"Mock Credly API on {server.url}  (Ctrl+C stops it)")
    for org in server.seeded_organizations():
        click.echo(f"  organization {org['name']!r}: id {org['id']}  token {org['token']}")
    click.echo(
        f"  connect with: badgebridge connections add mock --provider credly --org-id ID --host {server.url}"
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


# -- plugins -----------------------------------------------------------------------------------


@cli.command()
@json_option
@pass_state
def plugins(state: State, as_json: bool) -> None:
    """List installed plugins, their hooks and the providers they declare."""
    infos = [info.as_dict() for info in state.host.plugins()]
    if as_json:
        emit_json(infos)
    else:
        emit_table(infos, ["name", "version", "providers", "hooks"], "no plugins installed")


# -- connections -------------------------------------------------------------------------------


class ProviderSettingsCommand(click.Command):
    """A command whose options include every installed provider's settings.

    A setting ``org_id`` becomes ``--org-id``; a secret setting ``token`` (``writeOnly`` in the
    provider's schema) becomes ``--token-env VAR`` and ``--token-stdin`` instead, so it never
    appears in argv. Plugins load only when the options are needed.
    """

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        if not any(getattr(p, "is_setting", False) for p in params):
            self.params.extend(_setting_options())
            params = super().get_params(ctx)
        return params


def _setting_options() -> list[click.Option]:
    options: dict[str, click.Option] = {}
    for provider in get_host().providers.values():
        for key, spec in provider.declaration.settings_schema.get("properties", {}).items():
            flag = key.replace("_", "-")
            label = spec.get("title", key)
            if spec.get("writeOnly"):
                made = [
                    click.Option(
                        [f"--{flag}-env", f"{key}__env"], metavar="VAR", help=f"Read the {label} from VAR."
                    ),
                    click.Option(
                        [f"--{flag}-stdin", f"{key}__stdin"],
                        is_flag=True,
                        help=f"Read the {label} from stdin.",
                    ),
                ]
            else:
                made = [click.Option([f"--{flag}", key], help=f"{label} ({provider.title})", metavar="TEXT")]
            for option in made:
                option.is_setting = True  # type: ignore[attr-defined]
                options.setdefault(option.name, option)
    return list(options.values())


def _collect_settings(provider_name: str, values: dict[str, Any], *, prompt_missing: bool) -> dict[str, Any]:
    """The chosen provider's settings from the options; secrets from env, stdin or a hidden prompt."""
    provider = get_host().provider(provider_name)
    props = provider.declaration.settings_schema.get("properties", {})
    for key, value in values.items():
        base = key.split("__")[0]
        if value not in (None, False) and base not in props:
            raise InvalidInput(f"the {provider.title} provider has no setting {base!r}")
    settings = {key: values[key] for key in props if values.get(key) is not None}
    required = set(provider.declaration.settings_schema.get("required", []))
    for key in provider.declaration.secret_settings:
        secret = _read_secret(
            key, props[key].get("title", key), values, prompt=prompt_missing and key in required
        )
        if secret is not None:
            settings[key] = secret
    return settings


def _read_secret(key: str, label: str, values: dict[str, Any], *, prompt: bool) -> str | None:
    env_var, from_stdin = values.get(f"{key}__env"), values.get(f"{key}__stdin")
    if env_var:
        if env_var not in os.environ:
            raise InvalidInput(f"environment variable {env_var} is not set (--{key.replace('_', '-')}-env)")
        return os.environ[env_var]
    if from_stdin or (prompt and not sys.stdin.isatty()):
        return sys.stdin.readline().strip()
    if prompt:
        return click.prompt(label, hide_input=True)
    return None


@cli.group(cls=Group)
def connections() -> None:
    """Provider accounts: add (verified first), list, test, update, remove."""


@connections.command("add", cls=ProviderSettingsCommand)
@click.argument("name")
@click.option(
    "--provider", "provider_name", required=True, help="Provider name (badgebridge plugins lists them)."
)
@pass_state
def connections_add(state: State, name: str, provider_name: str, **values: Any) -> None:
    """Add a connection; it is verified with the provider before it is saved.

    Secrets never come from the command line: use --token-env VAR, --token-stdin, or answer the
    hidden prompt.
    """
    settings = _collect_settings(provider_name, values, prompt_missing=True)
    record = connection_service.add(state.db, state.host, name, provider_name, settings)
    title = state.host.provider(record.provider).title
    click.echo(f"Connected {record.name!r} to the {title} account {record.account_name!r}; saved.")


@connections.command("update", cls=ProviderSettingsCommand)
@click.argument("name")
@pass_state
def connections_update(state: State, name: str, **values: Any) -> None:
    """Change a connection's settings (a rotated token, a new host); verified before saving."""
    record = connection_service.get(state.db, name)
    changes = _collect_settings(record.provider, values, prompt_missing=False)
    if not changes:
        raise InvalidInput("nothing to change: give the settings to update")
    record = connection_service.update_settings(state.db, state.host, name, changes)
    click.echo(
        f"Updated {record.name!r}; verified against {record.provider} account {record.account_name!r}."
    )


@connections.command("list")
@json_option
@pass_state
def connections_list(state: State, as_json: bool) -> None:
    """List connections (secrets masked)."""
    rows = [record.as_dict() for record in connection_service.all_connections(state.db)]
    if as_json:
        emit_json(rows)
    else:
        emit_table(
            rows, ["name", "provider", "host", "token", "account_name", "verified_at"], "no connections yet"
        )


@connections.command("test")
@click.argument("name")
@pass_state
def connections_test(state: State, name: str) -> None:
    """Verify a saved connection against its provider again."""
    record, info = connection_service.test(state.db, state.host, name)
    click.echo(f"{record.name!r} works: {record.provider} account {info.account_name!r}.")


@connections.command("remove")
@click.argument("name")
@pass_state
def connections_remove(state: State, name: str) -> None:
    """Forget a connection (refused while catalog badges come through it)."""
    connection_service.remove(state.db, name)
    click.echo(f"Removed connection {name!r}.")


# -- badges ------------------------------------------------------------------------------------


@cli.group(cls=Group)
def badges() -> None:
    """The local badge catalog."""


@badges.command("import")
@click.argument("connection")
@pass_state
def badges_import(state: State, connection: str) -> None:
    """Import every active badge (template) of a connection's account into the catalog."""
    result = catalog.import_badges(state.db, state.host, connection)
    click.echo(
        f"Imported {result.total} active badge(s) from {result.connection!r}: {result.added} new, "
        f"{result.updated} updated, {result.unchanged} unchanged, {result.retired} retired."
    )


@badges.command("list")
@click.option("--connection", help="Only badges that came through this connection.")
@click.option("--state", "badge_state", type=click.Choice(["active", "retired"], case_sensitive=False))
@json_option
@pass_state
def badges_list(state: State, connection: str | None, badge_state: str | None, as_json: bool) -> None:
    """List the badges in the catalog."""
    rows = [badge.as_dict() for badge in catalog.list_badges(state.db, connection, badge_state)]
    if as_json:
        emit_json(rows)
    else:
        columns = ["id", "name", "state", "external_badge_provider", "external_badge_id", "connection"]
        emit_table(rows, columns, "the catalog is empty (badges import CONNECTION fills it)")


# -- learners ----------------------------------------------------------------------------------


@cli.group(cls=Group)
def learners() -> None:
    """Learners: the email is what providers know them by."""


@learners.command("add")
@click.argument("email")
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@pass_state
def learners_add(state: State, email: str, first_name: str, last_name: str) -> None:
    """Add a learner (or correct their name)."""
    learner, outcome = learner_service.add(state.db, email, first_name, last_name)
    if outcome == "unchanged":
        click.echo(f"Learner {learner.email} exists already; nothing changed.")
    else:
        click.echo(f"Learner {learner.email} {outcome} (id {learner.id}).")


@learners.command("list")
@json_option
@pass_state
def learners_list(state: State, as_json: bool) -> None:
    """List learners."""
    rows = [learner.as_dict() for learner in learner_service.list_learners(state.db)]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["id", "email", "first_name", "last_name"], "no learners yet")


@learners.command("badges")
@click.argument("email")
@click.option("--no-refresh", is_flag=True, help="Show the stored state without asking the provider.")
@json_option
@pass_state
def learners_badges(state: State, email: str, no_refresh: bool, as_json: bool) -> None:
    """A learner's badges, their state on the provider and the public URL to share."""
    held = award_service.learner_badges(state.db, state.host, email, refresh=not no_refresh)
    rows = [award.as_dict() for award in held]
    if as_json:
        emit_json(rows)
    else:
        columns = ["badge_id", "badge_name", "state", "provider_state", "provider_url", "earned_at"]
        emit_table(rows, columns, f"{email} holds no badges yet")


@learners.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row; change nothing in the database.")
@click.option(
    "--errors-dir", type=click.Path(file_okay=False), help="Where error files go (default: next to FILE)."
)
@pass_state
def learners_import(state: State, file: str, dry_run: bool, errors_dir: str | None) -> None:
    """Import learners from a CSV (email, firstName, lastName; or ALM's single name)."""
    from core.migration import import_learners

    report = import_learners(state.db, file, dry_run=dry_run, errors_dir=errors_dir)
    problem = _print_file_reports([report], dry_run)
    if problem:
        raise click.ClickException(problem)


def _print_file_reports(reports: list, dry_run: bool) -> str | None:
    """Print the per-file summary; returns the problem to exit with when rows failed."""
    emit_table(
        [r.as_dict() for r in reports], ["name", "rows", "imported", "unchanged", "failed", "errors_path"], ""
    )
    if dry_run:
        click.echo("Dry run: nothing was written to the database.")
    failed = sum(r.failed for r in reports)
    return f"{failed} row(s) failed; the error files say which row, column and why" if failed else None


# -- awards ------------------------------------------------------------------------------------


@cli.group(cls=Group)
def awards() -> None:
    """Awards: stored first, then issued on the provider."""


def _report_sends(outcomes: list[Outcome], shown: int = 20) -> None:
    """Print what sending did (each award, or counts and the first problems when there are many);
    exit 1 if any award did not reach its provider."""
    unsent = [o for o in outcomes if o.state not in (AwardState.ISSUED, "superseded")]
    if len(outcomes) <= shown:
        for outcome in outcomes:
            click.echo(f"Award {outcome.award_id}: {outcome.message}")
    else:
        counts = Counter(outcome.state for outcome in outcomes)
        click.echo("Sent: " + ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) + ".")
        for outcome in unsent[:shown]:
            click.echo(f"Award {outcome.award_id}: {outcome.message}")
    if unsent:
        retry = "the worker retries queued awards; awards retry resends failed ones"
        raise click.ClickException(f"{len(unsent)} award(s) did not reach the provider ({retry})")


@awards.command("grant")
@click.option("--badge", "badge_id", required=True, help="The badge's id in the catalog.")
@click.option("--learner", "email", required=True, help="The learner's email.")
@click.option("--date", "earned", type=click.DateTime(), help="When it was earned (default: now, UTC).")
@pass_state
def awards_grant(state: State, badge_id: str, email: str, earned: datetime | None) -> None:
    """Award a badge to a learner by hand, and issue it on the provider."""
    award, created = award_service.grant(state.db, badge_id, email, as_utc(earned) if earned else None)
    if award.state == AwardState.AWARDED:
        how = "Awarded" if created else "Already awarded"
        click.echo(
            f"{how} platform-only badge {award.badge_id!r} to {award.learner_email} (award {award.id})."
        )
        return
    if not created and award.state in (AwardState.ISSUED, AwardState.REVOKED):
        click.echo(f"{award.learner_email} already has award {award.id} ({award.state}); nothing changed.")
        return
    if award.state == AwardState.FAILED:
        award_service.requeue(state.db, [award.id])
    how = "stored" if created else f"exists ({award.state}), sending it now"
    click.echo(f"Award {award.id} {how}: {award.badge_name!r} for {award.learner_email}.")
    _report_sends(state.sender().send_awards([award.id]))


@awards.command("list")
@click.option("--state", "award_state", type=click.Choice([s.value for s in AwardState]))
@click.option("--learner", "email", help="Only this learner's awards.")
@json_option
@pass_state
def awards_list(state: State, award_state: str | None, email: str | None, as_json: bool) -> None:
    """List awards and where each one stands."""
    rows = [award.as_dict() for award in award_service.list_awards(state.db, award_state, email)]
    if as_json:
        emit_json(rows)
    else:
        columns = [
            "id",
            "learner_email",
            "badge_id",
            "reason",
            "state",
            "provider_state",
            "provider_badge_id",
            "error",
        ]
        emit_table(rows, columns, "no awards")


@awards.command("retry")
@click.argument("award_ids", nargs=-1, type=int)
@click.option("--all", "retry_all", is_flag=True, help="Every failed or waiting award.")
@pass_state
def awards_retry(state: State, award_ids: tuple[int, ...], retry_all: bool) -> None:
    """Send failed awards, or awards waiting for a retry, now (these ids, or --all)."""
    if not award_ids and not retry_all:
        raise InvalidInput("name the awards to retry, or give --all")
    ids = award_service.requeue(state.db, list(award_ids) or None)
    if not ids:
        click.echo("No failed or waiting awards; nothing changed.")
        return
    _report_sends(state.sender().send_awards(ids, concurrency=SEND_CONCURRENCY))


@awards.command("revoke")
@click.argument("award_id", type=int)
@click.option("--reason", required=True, help="Why; the provider shows it.")
@pass_state
def awards_revoke(state: State, award_id: int, reason: str) -> None:
    """Revoke an issued award on its provider."""
    award, changed = award_service.revoke(state.db, state.host, award_id, reason)
    if not changed:
        click.echo(f"Award {award_id} was revoked already; nothing changed.")
    else:
        click.echo(f"Award {award_id} revoked ({award.provider_state or 'locally'}).")


# -- migration ---------------------------------------------------------------------------------


@cli.command()
@click.argument("path", type=click.Path())
@click.option(
    "--dry-run", is_flag=True, help="Check everything, ask the providers; write nothing to the database."
)
@click.option(
    "--connection", help="The connection whose provider checks externalBadgeId (when there are several)."
)
@click.option(
    "--errors-dir",
    type=click.Path(file_okay=False),
    help="Where <file>.errors.csv go (default: next to each file).",
)
@pass_state
def migrate(state: State, path: str, dry_run: bool, connection: str | None, errors_dir: str | None) -> None:
    """Migrate ALM migration CSVs (a folder, or one file): badge.csv, skill.csv, course.csv, ...

    Good rows are imported, each bad row goes to <file>.errors.csv with its row, column and what
    is wrong; a rerun imports nothing twice. Completions issue their badges before the command
    returns.
    """
    from core.migration import run_migration

    report = run_migration(
        state.db, state.host, path, dry_run=dry_run, connection=connection, errors_dir=errors_dir
    )
    problems = [_print_file_reports(report.files, dry_run)]
    if report.award_ids:
        try:
            _send_new(state, report.award_ids, "the migrated completions")
        except click.ClickException as exc:
            problems.append(exc.message)
    if any(problems):
        raise click.ClickException("; ".join(p for p in problems if p))


# -- skills, learning objects, completions -----------------------------------------------------


@cli.group(cls=Group)
def skills() -> None:
    """Skills: up to three levels, each with max credits and a badge."""


@skills.command("create")
@click.argument("name")
@click.option("--badge", "badge_id", help="The badge the level carries (an id from badges list).")
@click.option("--level", default=1, show_default=True, type=click.IntRange(1, 3))
@click.option("--max-credits", default=1.0, show_default=True, type=click.FloatRange(1, 65535))
@click.option("--id", "skill_id", help="The skill's id (default: made from its name).")
@pass_state
def skills_create(
    state: State, name: str, badge_id: str | None, level: int, max_credits: float, skill_id: str | None
):
    """Create a skill whose level carries a badge (or add a level to an existing skill)."""
    skill, outcome = skill_service.create(
        state.db, name, badge_id=badge_id, level=level, max_credits=max_credits, skill_id=skill_id
    )
    if outcome == "unchanged":
        click.echo(f"Skill {skill.id!r} already has level {level} like that; nothing changed.")
    else:
        carried = f" carrying badge {badge_id!r}" if badge_id else ""
        click.echo(
            f"Skill {skill.id!r} ({skill.name}) {outcome}: level {level}, {max_credits:g} credits{carried}."
        )


@skills.command("list")
@json_option
@pass_state
def skills_list(state: State, as_json: bool) -> None:
    """List skills and their levels."""
    rows = [skill.as_dict() for skill in skill_service.list_skills(state.db)]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        row["levels"] = [
            f"L{lv['level']}:{lv['max_credits']:g}:{lv['badge_id'] or '-'}" for lv in row["levels"]
        ]
    emit_table(rows, ["id", "name", "state", "levels"], "no skills yet")


def object_options(command):
    """``--course ID | --learning-path ID | --certification ID``, passed on as ``target=(kind, id)``."""
    for kind in reversed(ObjectKind):
        flag = "--" + kind.replace("_", "-")
        command = click.option(flag, kind.value, metavar="ID", help=f"The {kind.replace('_', ' ')}'s id.")(
            command
        )
    return command


def _target(values: dict[str, Any]) -> tuple[ObjectKind, str]:
    given = [(ObjectKind(kind), values.pop(kind)) for kind in list(ObjectKind) if values.get(kind)]
    for kind in ObjectKind:
        values.pop(kind.value, None)
    if len(given) != 1:
        raise InvalidInput("give exactly one of --course, --learning-path, --certification")
    return given[0]


@cli.group("learning-objects", cls=Group)
def learning_objects() -> None:
    """Courses, learning paths and certifications."""


@learning_objects.command("add")
@object_options
@click.option("--name", required=True)
@pass_state
def learning_objects_add(state: State, name: str, **values: Any) -> None:
    """Add a course, learning path or certification (or rename one)."""
    kind, object_id = _target(values)
    outcome = object_service.add(state.db, kind, object_id, name)
    label = kind.replace("_", " ").capitalize()
    click.echo(
        f"{label} {object_id!r} {outcome}."
        if outcome != "unchanged"
        else f"{label} {object_id!r} exists; nothing changed."
    )


@learning_objects.command("list")
@click.option("--kind", type=click.Choice([k.value for k in ObjectKind]))
@json_option
@pass_state
def learning_objects_list(state: State, kind: str | None, as_json: bool) -> None:
    """List learning objects and the badges and skill credits they carry."""
    rows = [
        obj.as_dict() for obj in object_service.list_objects(state.db, ObjectKind(kind) if kind else None)
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        row["instance_badges"] = [f"{i}:{b}" for i, b in row["instance_badges"].items()]
        row["skill_credits"] = [
            f"{c['skill_id']}:L{c['level']}:{c['credits']:g}" for c in row["skill_credits"]
        ]
    emit_table(
        rows, ["kind", "id", "name", "state", "badge_id", "instance_badges", "skill_credits"], "none yet"
    )


@cli.command()
@click.option("--badge", "badge_id", help="Attach this badge.")
@click.option("--instance", "instance_id", help="Attach the badge to this instance of the object.")
@click.option("--skill", "skill_id", help="Grant credits towards this skill.")
@click.option("--level", default=1, show_default=True, type=click.IntRange(1, 3), help="The skill level.")
@click.option(
    "--credits",
    "credits_",
    type=click.FloatRange(0, 65535, min_open=True),
    help="Credits (default: the level's max).",
)
@object_options
@pass_state
def assign(state: State, badge_id, instance_id, skill_id, level, credits_, **values: Any) -> None:
    """Attach a badge, or credits towards a skill level, to a learning object.

    Learners who completed the object already receive what it now grants (backfill).
    """
    kind, object_id = _target(values)
    if bool(badge_id) == bool(skill_id):
        raise InvalidInput("give exactly one of --badge and --skill")
    if badge_id:
        changed, award_ids = object_service.assign_badge(state.db, kind, object_id, badge_id, instance_id)
        what = f"badge {badge_id!r}"
    else:
        if credits_ is None:
            credits_ = skill_service.get(state.db, skill_id).level(level).max_credits
        changed, award_ids = object_service.assign_skill(state.db, kind, object_id, skill_id, level, credits_)
        what = f"{credits_:g} credit(s) towards skill {skill_id!r} level {level}"
    target = f"{kind.replace('_', ' ')} {object_id!r}"
    click.echo(
        f"Attached {what} to {target}." if changed else f"{target.capitalize()} carries {what} already."
    )
    _send_new(state, award_ids, "earlier completers")


@cli.command()
@click.argument("email")
@object_options
@click.option("--date", "completed", type=click.DateTime(), help="When it was completed (default: now, UTC).")
@pass_state
def complete(state: State, email: str, completed: datetime | None, **values: Any) -> None:
    """Record that a learner completed a learning object; issue what it earns."""
    kind, object_id = _target(values)
    award_ids = object_service.complete(
        state.db, email, kind, object_id, as_utc(completed) if completed else None
    )
    if award_ids is None:
        click.echo(f"{email} had completed {kind.replace('_', ' ')} {object_id!r} already; nothing changed.")
        return
    click.echo(f"Recorded: {email} completed {kind.replace('_', ' ')} {object_id!r}.")
    _send_new(state, award_ids, email)


def _send_new(state: State, award_ids: list[int], who: str) -> None:
    """Issue new awards now and report them; platform-only ones are awarded already, never sent."""
    if not award_ids:
        click.echo("No new awards.")
        return
    outcomes = state.sender().send_awards(award_ids, concurrency=SEND_CONCURRENCY)
    counts = award_service.count_states(state.db, award_ids)
    local = (
        f"; {counts[AwardState.AWARDED]} platform-only, awarded locally" if counts[AwardState.AWARDED] else ""
    )
    click.echo(f"{len(award_ids)} new award(s) for {who}{local}.")
    _report_sends(outcomes)


# -- worker ------------------------------------------------------------------------------------


@cli.command()
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


if __name__ == "__main__":
    main()
