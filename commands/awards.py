"""``badgebridge awards``: grant, list, retry, cancel, reissue, sync, revoke."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from datetime import datetime
from typing import Any

import click

from badgebridge.commands.base import (
    SEND_CONCURRENCY,
    Group,
    State,
    json_option,
    lazy_import,
    object_options,
    page_options,
    pass_state,
    report_sends,
)
from badgebridge.core.clock import as_utc
from badgebridge.core.errors import InvalidInput
from badgebridge.core.model import AwardState, ObjectKind
from badgebridge.core.render import emit_listing, emit_table

award_reports = lazy_import("badgebridge.core.services.award_reports")
award_service = lazy_import("badgebridge.core.services.awards")
history = lazy_import("badgebridge.core.services.history")
recovery = lazy_import("badgebridge.core.services.recovery")


@click.group(cls=Group)
def awards() -> None:
    """Awards: stored first, then issued on the provider."""


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
    if award.state == AwardState.CANCELLED:
        click.echo(f"Award {award.id} exists and was cancelled; awards reissue {award.id} sends it.")
        return
    if award.state == AwardState.FAILED:
        award_service.requeue(state.db, [award.id])
    how = "stored" if created else f"exists ({award.state}), sending it now"
    click.echo(f"Award {award.id} {how}: {award.badge_name!r} for {award.learner_email}.")
    report_sends(state.sender().send_awards([award.id]))


def filter_options(command):
    """The options that choose awards, passed on as ``where`` (an ``AwardFilter``)."""
    moments = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"])
    options = [
        click.option("--state", "award_state", type=click.Choice([s.value for s in AwardState])),
        click.option("--learner", "email", help="Only this learner's awards."),
        click.option("--badge", "badge_id", help="Only awards of this catalog badge."),
        click.option("--connection", help="Only awards sent through this connection."),
        click.option(
            "--since",
            type=moments,
            metavar="DATE",
            help="Earned at or after this moment (UTC; a date is midnight).",
        ),
        click.option(
            "--until",
            type=moments,
            metavar="DATE",
            help="Earned before this moment (UTC; a date is midnight).",
        ),
    ]
    wrapped = object_options(command)
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped


def filter_of(values: dict[str, Any]) -> award_reports.AwardFilter:
    """The ``AwardFilter`` of the options ``filter_options`` added (popped from ``values``)."""
    kinds = [ObjectKind(kind) for kind in ObjectKind if values.get(kind.value)]
    if len(kinds) > 1:
        raise InvalidInput("give at most one of --course, --learning-path, --certification")
    object_id = values[kinds[0].value] if kinds else None
    for kind in ObjectKind:
        values.pop(kind.value, None)
    since, until = values.pop("since"), values.pop("until")
    return award_reports.AwardFilter(
        state=values.pop("award_state"),
        learner=values.pop("email"),
        badge_id=values.pop("badge_id"),
        connection=values.pop("connection"),
        object_kind=kinds[0] if kinds else None,
        object_id=object_id,
        since=as_utc(since) if since else None,
        until=as_utc(until) if until else None,
    )


LIST_COLUMNS = [
    "id",
    "learner_email",
    "badge_id",
    "reason",
    "state",
    "provider_state",
    "attempts",
    "next_attempt_at",
    "provider_badge_id",
    "error",
]


@awards.command("list")
@filter_options
@json_option
@page_options
@pass_state
def awards_list(state: State, as_json: bool, page, **values: Any) -> None:
    """List awards, oldest first, and where each one stands (every filter narrows the list).

    Rows stream as they are read, any number of them; --limit N prints a page and, when more
    follow, "more: --after ID" on stderr.
    """
    where = filter_of(values)
    listing = award_reports.each_matching(state.db, where, page)
    empty = "no awards match" if where.conditions() or page.after else "no awards"
    emit_listing((award.as_dict() for award in listing), listing, as_json, LIST_COLUMNS, empty)


@awards.command("show")
@click.argument("award_id", type=int)
@json_option
@pass_state
def awards_show(state: State, award_id: int, as_json: bool) -> None:
    """Everything about one award, and its history (each provider request and recovery action)."""
    shown = award_service.get(state.db, award_id).as_dict()
    attempts = [attempt.as_dict() for attempt in history.attempts(state.db, award_id)]
    if as_json:
        click.echo(json.dumps({**shown, "history": attempts}, indent=2, default=str))
        return
    width = max(len(key) for key in shown)
    for key, value in shown.items():
        click.echo(f"{key.ljust(width)}  {'-' if value is None else value}")
    click.echo("")
    emit_table(attempts, ["at", "action", "outcome", "status", "message", "worker"], "no attempts yet")


@awards.command("export")
@filter_options
@click.option("--format", "format_", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, writable=True), help="Write here (default: stdout)."
)
@pass_state
def awards_export(state: State, format_: str, output: str | None, **values: Any) -> None:
    """Write the matching awards, every field, as CSV (streamed: any number of awards)."""
    where = filter_of(values)
    with open(output, "w", encoding="utf-8", newline="") if output else nullcontext(sys.stdout) as out:
        written = award_reports.export_csv(state.db, where, out)
    if output:
        click.echo(f"Wrote {written} award(s) to {output}.")


@awards.command("retry")
@click.argument("award_ids", nargs=-1, type=int)
@click.option("--all", "retry_all", is_flag=True, help="Every failed or waiting award, and every dead claim.")
@pass_state
def awards_retry(state: State, award_ids: tuple[int, ...], retry_all: bool) -> None:
    """Send failed awards, awards waiting for a retry, and awards whose sender died (its lease ran
    out) now: these ids, or --all."""
    if not award_ids and not retry_all:
        raise InvalidInput("name the awards to retry, or give --all")
    changes = recovery.retry(state.db, list(award_ids) or None)
    for award_id, why in changes.skipped.items():
        click.echo(f"Award {award_id} {why}; left alone.")
    if not changes.changed:
        click.echo("No failed, waiting or abandoned awards; nothing changed.")
        return
    click.echo(f"Queued {len(changes.changed)} award(s) again; sending them now.")
    report_sends(state.sender().send_awards(changes.changed, concurrency=SEND_CONCURRENCY))


@awards.command("cancel")
@click.argument("award_ids", nargs=-1, type=int, required=True)
@pass_state
def awards_cancel(state: State, award_ids: tuple[int, ...]) -> None:
    """Cancel queued or failed awards: they are never sent (awards reissue sends one after all)."""
    changes = recovery.cancel(state.db, list(award_ids))
    for award_id in changes.changed:
        click.echo(f"Award {award_id} cancelled; it will not be sent.")
    for award_id, why in changes.skipped.items():
        click.echo(f"Award {award_id} {why}; left alone.")
    if not changes.changed:
        raise click.ClickException("no award was cancelled")


@awards.command("reissue")
@click.argument("award_id", type=int)
@pass_state
def awards_reissue(state: State, award_id: int) -> None:
    """Issue a revoked award again (revoked here or on the provider, or deleted there), or a
    cancelled one: a new badge on the provider."""
    recovery.reissue(state.db, award_id)
    click.echo(f"Award {award_id} queued to be issued again.")
    report_sends(state.sender().send_awards([award_id]))


@awards.command("sync")
@click.argument("connection", required=False)
@pass_state
def awards_sync(state: State, connection: str | None) -> None:
    """Read the provider's state of every issued award (of CONNECTION, or all) and record it:
    revoked or deleted there, accepted, pending."""
    report = recovery.sync(state.db, state.host, connection)
    for award_id, change in report.changed.items():
        click.echo(f"Award {award_id}: {change}.")
    for award_id, why in report.unreachable.items():
        click.echo(f"Award {award_id} not read: {why}", err=True)
    click.echo(
        f"Synced {report.checked} issued award(s): {len(report.changed)} changed, "
        f"{len(report.unreachable)} not read."
    )
    if report.unreachable:
        raise click.ClickException(
            f"{len(report.unreachable)} award(s) could not be read; run awards sync again"
        )


@awards.command("revoke")
@click.argument("award_id", type=int)
@click.option("--reason", required=True, help="Why; the provider shows it.")
@pass_state
def awards_revoke(state: State, award_id: int, reason: str) -> None:
    """Revoke an issued award on its provider."""
    award, how = award_service.revoke(state.db, state.host, award_id, reason)
    if how == "already":
        where = f" ({award.revoke_reason})" if award.revoke_reason else ""
        click.echo(f"Award {award_id} was revoked already{where}; nothing changed.")
    elif how == "remote":
        click.echo(
            f"Award {award_id} was {award.provider_state} on the provider already; recorded as revoked."
        )
    else:
        where = "on the provider" if award.connection else "locally (a platform-only badge)"
        click.echo(f"Award {award_id} revoked {where}.")
