"""Printing lists for people (aligned columns) and for programs (``--json``), as rows arrive.

Neither needs every row at once: JSON is written an object at a time, and a table's column widths
come from its first ``SAMPLE`` rows (a longer cell further down widens only its own line).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

import click

SAMPLE = 200  # rows a table's column widths are measured on
FLUSH = 500  # rows written at once


def emit_json(items: Iterable[dict[str, Any]]) -> None:
    """A JSON array, one object a line, written as the items arrive (``jq '.[]'`` reads it)."""
    chunk: list[str] = []
    opened = False
    for item in items:
        chunk.append(("[\n" if not opened else ",\n") + json.dumps(item, default=str))
        opened = True
        if len(chunk) >= FLUSH:
            click.echo("".join(chunk), nl=False)
            chunk.clear()
    chunk.append("\n]" if opened else "[]")
    click.echo("".join(chunk))


def emit_table(rows: Iterable[dict[str, Any]], columns: Sequence[str], empty: str) -> None:
    """Rows as aligned columns under upper-case headings; ``empty`` when there are none."""
    rows = iter(rows)
    sample = [[_cell(row.get(column)) for column in columns] for row in islice(rows, SAMPLE)]
    if not sample:
        click.echo(empty)
        return
    widths = [max(len(column), *(len(line[i]) for line in sample)) for i, column in enumerate(columns)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    click.echo(line([column.upper() for column in columns]))
    chunk = [line(cells) for cells in sample]
    for row in rows:
        chunk.append(line([_cell(row.get(column)) for column in columns]))
        if len(chunk) >= FLUSH:
            click.echo("\n".join(chunk))
            chunk.clear()
    if chunk:
        click.echo("\n".join(chunk))


def emit_listing(
    rows: Iterable[dict[str, Any]], listing: Any, as_json: bool, columns: Sequence[str], empty: str
) -> None:
    """A page of a list (``rows``, read from ``listing``) as JSON or a table; then, when more rows
    follow, ``more: --after CURSOR`` on stderr, so stdout stays the page alone."""
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, columns, empty)
    if listing.next_cursor is not None:
        click.echo(f"more: --after {shlex.quote(listing.next_cursor)}", err=True)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)
