"""The JSON Schema of each file's rows, compiled for speed, explained in words when a row fails.

A row reaches the schema as a dict of its non-empty cells (whitespace stripped), keyed by the
schema's column names; an optional column may be missing from it. Before validation the values of
typed columns are converted as the schema says: an ``enum`` value is matched case-insensitively
and replaced by its canonical spelling, an ``integer`` or ``number`` column's text becomes a
number (text that is not a number stays text, so the schema reports it).

``problems(row)`` runs the compiled validator (``fastjsonschema``); only for a row that fails does
it run ``jsonschema`` (draft 2020-12, same formats) to list every problem with its column. The
compiled validator leaves out the conditional requirements of the form below, which its generated
code would evaluate by raising and catching an exception per row; they are checked by
``Condition`` instead (the same rule: a column given, and matching the pattern if there is one,
requires others).

Schema conventions the explanations rely on: the ``then`` of a conditional requirement carries a
``description`` saying when (``"when externalBadgeId is given"``); a top-level ``anyOf``/``oneOf``
(also inside ``allOf``) whose branches are only ``required`` lists names alternative columns (``oneOf``:
give exactly one); a ``pattern`` carries a ``description`` of what it accepts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

import fastjsonschema
from jsonschema import Draft202012Validator, ValidationError

from badgebridge.core.migration.formats import FORMATS, compiled_formats, format_checker

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_SHOWN = 40  # characters of a long value quoted in a message


class Problem(NamedTuple):
    """What is wrong with a row: in one column, or (column None) with the row as a whole."""

    column: str | None
    text: str


@dataclass(frozen=True)
class Alternatives:
    """Columns that stand in for one another: a row gives one option (exactly one if exclusive)."""

    options: tuple[tuple[str, ...], ...]
    exclusive: bool

    def missing(self, present: Callable[[str], bool], what: str) -> Problem | None:
        """``what`` is wrong when no option is complete; names the first option's first missing column."""
        if any(all(present(column) for column in option) for option in self.options):
            return None
        first = next(column for column in self.options[0] if not present(column))
        others = " or ".join(" and ".join(option) for option in self.options[1:])
        return Problem(first, f"{what} (or give {others})")

    def clash(self, row: dict[str, Any]) -> Problem | None:
        given = [option for option in self.options if all(column in row for column in option)]
        if not self.exclusive or len(given) < 2:
            return None
        names = " or ".join(" and ".join(option) for option in self.options)
        return Problem(given[-1][0], f"give {names}, not both")


class RowSchema:
    """One file's row schema: its columns, their converters, and both validators."""

    def __init__(self, name: str, schema: dict[str, Any]) -> None:
        self.name = name
        self.schema = schema
        self.columns: tuple[str, ...] = tuple(schema["properties"])
        self.required: tuple[str, ...] = tuple(schema.get("required", ()))
        self.alternatives: tuple[Alternatives, ...] = tuple(_alternatives(schema))
        self.converters: dict[str, Callable[[str], Any]] = {
            column: converter
            for column, spec in schema["properties"].items()
            if (converter := _converter(spec)) is not None
        }
        compiled, self.conditions = _without_conditions(schema)
        self._validate = fastjsonschema.compile(
            compiled, formats=compiled_formats(), detailed_exceptions=False
        )
        self._validator = Draft202012Validator(schema, format_checker=format_checker())

    def problems(self, row: dict[str, Any]) -> list[Problem]:
        """Every problem of a row (none on the fast path of a valid row)."""
        try:
            self._validate(row)
        except fastjsonschema.JsonSchemaValueException as exc:
            failed = exc.message
        else:
            for condition in self.conditions:
                if not condition.holds(row):
                    break
            else:
                return []
            failed = "a conditional requirement is not met"
        found = list(dict.fromkeys(p for error in self._validator.iter_errors(row) for p in _explain(error)))
        return found or [Problem(None, failed)]


@dataclass(frozen=True)
class Condition:
    """``{"if": {"required": [column], "properties": {column: {"pattern": ...}}}, "then":
    {"required": [...]}}``: the row gives ``column`` (matching ``pattern``, if any, when it is
    text) only with every column of ``then``."""

    column: str
    pattern: re.Pattern[str] | None
    then: frozenset[str]

    def holds(self, row: dict[str, Any]) -> bool:
        value = row.get(self.column)
        if value is None:
            return True
        if self.pattern is not None and isinstance(value, str) and not self.pattern.search(value):
            return True
        return row.keys() >= self.then


def _without_conditions(schema: dict[str, Any]) -> tuple[dict[str, Any], tuple[Condition, ...]]:
    """The schema without the top-level ``allOf`` items that are plain conditional requirements,
    and those as ``Condition`` objects; any other item stays in the schema."""
    kept, conditions = [], []
    for part in schema.get("allOf", ()):
        condition = _condition(part)
        if condition is None:
            kept.append(part)
        else:
            conditions.append(condition)
    if not conditions:
        return schema, ()
    rest = {key: value for key, value in schema.items() if key != "allOf"}
    return (rest | {"allOf": kept} if kept else rest), tuple(conditions)


def _condition(part: dict[str, Any]) -> Condition | None:
    if set(part) != {"if", "then"} or set(part["then"]) - {"required", "description"}:
        return None
    when = part["if"]
    given = when.get("required", ())
    properties = when.get("properties", {})
    if set(when) - {"required", "properties"} or len(given) != 1 or set(properties) - set(given):
        return None
    (column,) = given
    spec = properties.get(column, {})
    if set(spec) - {"pattern"}:
        return None
    pattern = re.compile(spec["pattern"]) if "pattern" in spec else None
    return Condition(column, pattern, frozenset(part["then"].get("required", ())))


@cache
def load(name: str) -> RowSchema:
    """The schema ``<name>.schema.json`` of this package (shipped as package data), compiled once."""
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    return RowSchema(name, json.loads(text))


def shown(value: Any) -> str:
    """A value quoted for a message, long text cut short."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…")


def _converter(spec: dict[str, Any]) -> Callable[[str], Any] | None:
    if "enum" in spec:
        canonical = {str(value).casefold(): value for value in spec["enum"]}
        return lambda text: canonical.get(text.casefold(), text)
    if spec.get("type") == "integer":
        return lambda text: int(text) if _INTEGER.fullmatch(text) else text
    if spec.get("type") == "number":
        return lambda text: float(text) if _NUMBER.fullmatch(text) else text
    return None


def _alternatives(schema: dict[str, Any]) -> Iterator[Alternatives]:
    for part in [schema, *schema.get("allOf", ())]:
        for keyword in ("anyOf", "oneOf"):
            branches = part.get(keyword, ())
            if branches and all(set(branch) == {"required"} for branch in branches):
                yield Alternatives(tuple(tuple(b["required"]) for b in branches), keyword == "oneOf")


def _explain(error: ValidationError) -> Iterator[Problem]:
    """The problems one ``jsonschema`` error stands for, in words, with their columns."""
    column = str(error.path[0]) if error.path else None
    value, spec = error.instance, error.schema
    match error.validator:
        case "required":
            when = f" {spec['description']}" if "description" in spec else ""
            for missing in error.validator_value:
                if missing not in value:
                    yield Problem(missing, f"a value is required{when}")
        case "anyOf" | "oneOf" if found := next(
            _alternatives({error.validator: spec[error.validator]}), None
        ):
            problem = found.missing(value.__contains__, "a value is required") or found.clash(value)
            if problem is not None:
                yield problem
        case "format":
            yield Problem(column, FORMATS[error.validator_value].problem(value) or error.message)
        case "enum":
            yield Problem(
                column, f"{shown(value)} is not one of {', '.join(map(str, error.validator_value))}"
            )
        case "maxLength":
            limit = error.validator_value
            yield Problem(
                column, f"{shown(value)} has {len(value)} characters, more than the {limit} allowed"
            )
        case "type":
            kind = "a whole number" if error.validator_value == "integer" else f"a {error.validator_value}"
            yield Problem(column, f"{shown(value)} is not {kind}")
        case "minimum" | "maximum" | "exclusiveMinimum":
            yield Problem(column, f"{shown(value)} is {_range(spec)}")
        case "pattern":
            yield Problem(column, f"{shown(value)} is not {spec.get('description', error.message)}")
        case _:
            yield Problem(column, error.message)


def _range(spec: dict[str, Any]) -> str:
    rules = []
    if "minimum" in spec and "maximum" in spec:
        rules.append(f"{shown(spec['minimum'])} to {shown(spec['maximum'])}")
    else:
        if "minimum" in spec:
            rules.append(f"at least {shown(spec['minimum'])}")
        if "exclusiveMinimum" in spec:
            rules.append(f"more than {shown(spec['exclusiveMinimum'])}")
        if "maximum" in spec:
            rules.append(f"at most {shown(spec['maximum'])}")
    return f"out of range ({', '.join(rules)})"
