"""``badgebridge migrate``: ALM migration CSVs."""

from __future__ import annotations

import click

from badgebridge.commands.base import Output, State, output_options, pass_state, print_file_reports, send_new


@click.command()
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
@click.option(
    "--no-send",
    is_flag=True,
    help="Queue the awards the completions earn without sending them; `badgebridge worker` sends them.",
)
@output_options
@pass_state
def migrate(
    state: State,
    path: str,
    dry_run: bool,
    connection: str | None,
    errors_dir: str | None,
    no_send: bool,
    quiet: bool,
    verbose: bool,
    log_file: str | None,
) -> None:
    """Migrate ALM migration CSVs (a folder, or one file): badge.csv, skill.csv, course.csv, ...

    Good rows are imported, each bad row goes to <file>.errors.csv with its row, every column
    that is wrong and why; a file whose header lacks a required column is not read. A rerun
    imports nothing twice. On a terminal a progress bar shows each file's rows, rows per second
    and time left (not with --quiet). Completions issue their badges before the command returns,
    unless --no-send leaves them queued for the worker (for volume imports).
    """
    from badgebridge.commands.progress import FileBars, wanted
    from badgebridge.core.migration import run_migration

    output = Output(quiet, verbose, log_file)
    with FileBars() as bars:
        report = run_migration(
            state.db,
            state.host,
            path,
            dry_run=dry_run,
            connection=connection,
            errors_dir=errors_dir,
            progress=bars if wanted(quiet) else None,
        )
    failed_rows = print_file_reports(report.files, dry_run)
    for problem in report.problems:
        click.echo(f"Not read: {problem}")
    first = next((f"{f.name} {f.first_error}" for f in report.files if f.first_error), None)
    problems = [*report.problems, f"{failed_rows} (the first: {first})" if failed_rows else None]
    if report.award_ids and no_send:
        click.echo(f"{len(report.award_ids)} new award(s) queued; `badgebridge worker` sends them.")
    elif report.award_ids:
        try:
            send_new(state, report.award_ids, "the migrated completions", detail=output.detail)
        except click.ClickException as exc:
            problems.append(exc.message)
    if any(problems):
        raise click.ClickException("; ".join(p for p in problems if p))
