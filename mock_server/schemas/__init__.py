"""The mock's JSON Schemas (draft 2020-12): request bodies it validates, objects it serves, the seed file.

Each `<name>.json` file in this folder is one schema; schemas refer to each other by file name
(`{"$ref": "badge_template.json"}`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource


def names() -> list[str]:
    """Every schema in this folder, by file name without `.json`."""
    return sorted(
        f.name.removesuffix(".json")
        for f in resources.files(__package__).iterdir()
        if f.name.endswith(".json")
    )


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with an instance.

    `field` is the dotted path of the offending value (`organizations.0.name`); for missing required
    properties it names them all, comma-separated, and `missing` is true.
    """

    field: str
    detail: str
    missing: bool = False

    def __str__(self) -> str:
        return f"{self.field} {self.detail}" if self.missing else f"{self.field}: {self.detail}"


@cache
def load(name: str) -> dict[str, Any]:
    """The schema in `<name>.json`."""
    return json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    files = [f for f in resources.files(__package__).iterdir() if f.name.endswith(".json")]
    return Registry().with_resources(
        (f.name, Resource.from_contents(load(f.name.removesuffix(".json")))) for f in files
    )


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load(name), registry=_registry())


def find_problem(name: str, instance: Any) -> Problem | None:
    """The first problem of `instance` against schema `name` (missing fields first), or None."""
    errors = sorted(validator(name).iter_errors(instance), key=_error_order)
    return _describe(errors[0]) if errors else None


def _error_order(error: ValidationError) -> tuple[int, int, list[str]]:
    return (error.validator != "required", len(error.absolute_path), [str(p) for p in error.absolute_path])


def _describe(error: ValidationError) -> Problem:
    where = [str(part) for part in error.absolute_path]
    if error.validator == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        return Problem(", ".join(".".join([*where, key]) for key in missing), "is required", missing=True)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return Problem(".".join([*where, extra[0]]), "is not a known field")
    return Problem(".".join(where) or "body", error.message)
