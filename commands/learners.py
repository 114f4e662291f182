"""``badgebridge learners``."""

from __future__ import annotations

import sys

import click

from badgebridge.commands.base import (
    Group,
    State,
    json_option,
    lazy_import,
    page_options,
    pass_state,
    print_file_reports,
)
from badgebridge.core.errors import InvalidInput
from badgebridge.core.model import PushOutcome
from badgebridge.core.render import emit_json, emit_listing, emit_table

award_service = lazy_import("badgebridge.core.services.awards")
learner_service = lazy_import("badgebridge.core.services.learners")
removal = lazy_import("badgebridge.core.services.removal")
workforce = lazy_import("badgebridge.core.services.workforce")


@click.group(cls=Group)
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
@page_options
@pass_state
def learners_list(state: State, as_json: bool, page) -> None:
    """List learners by email."""
    listing = learner_service.page_learners(state.db, page)
    columns = ["id", "email", "first_name", "last_name"]
    empty = "no more learners" if page.after else "no learners yet"
    emit_listing((learner.as_dict() for learner in listing), listing, as_json, columns, empty)


@learners.command("badges")
@click.argument("email")
@click.option("--no-refresh", is_flag=True, help="Show the stored state without asking the provider.")
@json_option
@page_options
@pass_state
def learners_badges(state: State, email: str, no_refresh: bool, as_json: bool, page) -> None:
    """A learner's badges, their state on the provider and the public URL to share."""
    listing = award_service.learner_badges(state.db, state.host, email, refresh=not no_refresh, page=page)
    columns = ["id", "badge_id", "badge_name", "state", "provider_state", "provider_url", "earned_at"]
    empty = "no more badges" if page.after else f"{email} holds no badges yet"
    emit_listing((award.as_dict() for award in listing), listing, as_json, columns, empty)


@learners.command("remove")
@click.argument("email")
@click.option("--on-provider", is_flag=True, help="Revoke the badges their providers hold first.")
@click.option("--yes", is_flag=True, help="Do not ask; needed when stdin is not a terminal.")
@pass_state
def learners_remove(state: State, email: str, on_provider: bool, yes: bool) -> None:
    """Erase a learner: their awards, completions and the learner (an erasure request).

    --on-provider first revokes every badge a provider holds for them; if that fails nothing local
    is deleted. Asks for confirmation on a terminal; elsewhere --yes is required.
    """
    learner = learner_service.get_by_email(state.db, email)
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInput(f"erasing {learner.email} cannot be undone: give --yes to confirm")
        click.confirm(f"Erase {learner.email} with all their awards and completions?", abort=True)
    erased = removal.remove_learner(state.db, state.host, learner.email, on_provider=on_provider)
    revoked = f", {erased.revoked_on_provider} revoked on the provider first" if on_provider else ""
    click.echo(
        f"Erased {erased.email}: {erased.awards} award(s) and {erased.completions} completion(s) "
        f"deleted{revoked}."
    )


@learners.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row; change nothing in the database.")
@click.option(
    "--errors-dir", type=click.Path(file_okay=False), help="Where error files go (default: next to FILE)."
)
@pass_state
def learners_import(state: State, file: str, dry_run: bool, errors_dir: str | None) -> None:
    """Import learners from a CSV (email, firstName, lastName; or ALM's single name)."""
    from badgebridge.core.migration import import_learners

    report = import_learners(state.db, file, dry_run=dry_run, errors_dir=errors_dir)
    problem = print_file_reports([report], dry_run)
    if problem:
        raise click.ClickException(problem)


@learners.command("push")
@click.argument("connection")
@click.option("--email", help="Push only this learner.")
@json_option
@pass_state
def learners_push(state: State, connection: str, email: str | None, as_json: bool) -> None:
    """Add the learners to CONNECTION's provider account (Credly: the organization's workforce).

    Idempotent: learners the provider knows already are reported as present. Exits 1 if the
    provider refused any.
    """
    results = workforce.push(state.db, state.host, connection, email)
    rows = [{"email": r.email, "outcome": r.outcome.value, "message": r.message} for r in results]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["email", "outcome", "message"], "no learners to push (learners add creates one)")
        counts = {outcome: sum(r.outcome == outcome for r in results) for outcome in PushOutcome}
        click.echo(
            f"{counts[PushOutcome.ADDED]} added, {counts[PushOutcome.PRESENT]} already there, "
            f"{counts[PushOutcome.REFUSED]} refused."
            + (" Nothing changed." if results and not counts[PushOutcome.ADDED] else "")
        )
    refused = [r for r in results if r.outcome == PushOutcome.REFUSED]
    if refused:
        raise click.ClickException(
            f"the provider refused {len(refused)} learner(s): {refused[0].email}: {refused[0].message}"
        )
