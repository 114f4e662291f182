"""The columns of every file migrate reads, rendered from the row schemas into docs/migration-files.md.

``python -m badgebridge.core.migration.columns > docs/migration-files.md`` writes the page; a test
fails when the page and the schemas differ. Each file gets a table of its columns: whether a
column is required (always, when another column says so, or as one of alternatives) and what
value it takes; then the rules across columns that the schema cannot say.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from badgebridge.core.migration.files import FILES
from badgebridge.core.migration.formats import EXAMPLE_DATE_TIME, FIRST_YEAR, LAST_YEAR
from badgebridge.core.migration.learners import LEARNERS
from badgebridge.core.migration.pipeline import FileSpec
from badgebridge.core.migration.schemas import RowSchema, load, shown

HEADER = """# Migration files: their columns

Generated from the row schemas (`core/migration/schemas/*.schema.json`) by
`python -m badgebridge.core.migration.columns > docs/migration-files.md`; do not edit by hand.

`badgebridge migrate` reads these files in this order (`learners import` reads the last one).
Column names are matched in any case; columns not listed are ignored (ALM's exports carry more).
An empty cell is a missing value. A header without a required column is the file's error: none of
its rows is read. Every other problem is its row's: the row goes to `<file>.errors.csv` with all
of its problems in one line (`row 3, column started: ...; row 3, column startedDate: ...`).
"""

FORMATS = {
    "alm-date-time": (
        f"date-time in UTC with milliseconds, like `{EXAMPLE_DATE_TIME}`, years {FIRST_YEAR}–{LAST_YEAR}"
    ),
    "alm-boolean": "`TRUE` or `FALSE` (any case)",
}


def render() -> str:
    return HEADER + "".join(_file(spec) for spec in (*FILES, LEARNERS))


def _file(spec: FileSpec) -> str:
    schema = load(spec.schema)
    title = schema.schema["title"].split(": ", 1)[-1]
    name = "learners CSV (any name)" if spec is LEARNERS else spec.name
    about = f"{title[0].upper()}{title[1:]}."
    if "$comment" in schema.schema:
        about += f" {schema.schema['$comment']}"
    lines = [f"\n## {name}\n", about, "", "| column | required | value |", "|---|---|---|"]
    required = _required(schema)
    for column, spec_of in schema.schema["properties"].items():
        lines.append(f"| `{column}` | {required.get(column, 'optional')} | {_value(spec_of)} |")
    rules = [rule.__doc__.strip().splitlines()[0] for rule in spec.rules if rule.__doc__]
    if rules:
        lines += ["", "Also checked: " + " ".join(rules)]
    return "\n".join(lines) + "\n"


def _required(schema: RowSchema) -> dict[str, str]:
    """When each column is required: ``required``, ``when ...``, or ``one of `a`, `b```."""
    said = dict.fromkeys(schema.required, "required")
    for alternatives in schema.alternatives:
        options = [" and ".join(f"`{column}`" for column in option) for option in alternatives.options]
        text = ("exactly one of " if alternatives.exclusive else "one of ") + " or ".join(options)
        for option in alternatives.options:
            for column in option:
                said.setdefault(column, text)
    conditions: dict[str, list[str]] = {}
    for then in _conditional(schema.schema):
        for column in then.get("required", ()):
            conditions.setdefault(column, []).append(then.get("description", "in some rows"))
    for column, whens in conditions.items():
        said.setdefault(column, "; ".join(whens))
    return said


def _conditional(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for part in schema.get("allOf", ()):
        if "then" in part:
            yield part["then"]


def _value(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return "one of " + ", ".join(f"`{value}`" for value in spec["enum"]) + " (any case)"
    if "format" in spec:
        return FORMATS[spec["format"]]
    kind = spec.get("type")
    if kind in ("integer", "number"):
        text = "whole number" if kind == "integer" else "number"
        if "minimum" in spec and "maximum" in spec:
            return f"{text}, {shown(spec['minimum'])} to {shown(spec['maximum'])}"
        if "minimum" in spec:
            return f"{text}, at least {shown(spec['minimum'])}"
        return text
    if "pattern" in spec and "description" in spec:
        return spec["description"]
    if "maxLength" in spec:
        return f"text, at most {spec['maxLength']} characters"
    return "text"


if __name__ == "__main__":
    sys.stdout.write(render())
