"""``badgebridge awards``: grant, list, retry, revoke."""

from __future__ import annotations

from datetime import datetime

import click

from badgebridge.commands.base import SEND_CONCURRENCY, Group, State, json_option, pass_state, report_sends
from badgebridge.core.clock import as_utc
from badgebridge.core.errors import InvalidInput
from badgebridge.core.model import AwardState
from badgebridge.core.render import emit_json, emit_table
from badgebridge.core.services import awards as award_service


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
    if award.state == AwardState.FAILED:
        award_service.requeue(state.db, [award.id])
    how = "stored" if created else f"exists ({award.state}), sending it now"
    click.echo(f"Award {award.id} {how}: {award.badge_name!r} for {award.learner_email}.")
    report_sends(state.sender().send_awards([award.id]))


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
    report_sends(state.sender().send_awards(ids, concurrency=SEND_CONCURRENCY))


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
