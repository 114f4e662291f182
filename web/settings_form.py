"""A provider's connection form, made from its settings schema (so every provider gets its own).

Each property of the schema is a field: its ``title`` the label, its ``description`` the help text,
its ``default`` a placeholder, ``enum`` a choice, ``integer``/``number`` a number, ``boolean`` a
checkbox. A ``writeOnly`` property (a secret) is a password field that is never filled in again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from badgebridge.core.model import ProviderDeclaration


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    help: str
    kind: str  # text, password, number, checkbox, select
    required: bool
    placeholder: str = ""
    choices: tuple[str, ...] = ()
    step: str = "any"


def fields_of(declaration: ProviderDeclaration) -> list[Field]:
    schema = declaration.settings_schema
    required = set(schema.get("required", []))
    return [_field(key, spec, key in required) for key, spec in schema.get("properties", {}).items()]


def _field(key: str, spec: Mapping[str, Any], required: bool) -> Field:
    kind = {"integer": "number", "number": "number", "boolean": "checkbox"}.get(spec.get("type"), "text")
    if spec.get("writeOnly"):
        kind = "password"
    elif "enum" in spec:
        kind = "select"
    default = spec.get("default")
    return Field(
        key=key,
        label=spec.get("title", key.replace("_", " ").capitalize()),
        help=spec.get("description", ""),
        kind=kind,
        required=required,
        placeholder="" if default is None or kind == "password" else str(default),
        choices=tuple(str(choice) for choice in spec.get("enum", ())),
        step="1" if spec.get("type") == "integer" else "any",
    )


def read_settings(declaration: ProviderDeclaration, form: Mapping[str, str]) -> dict[str, Any]:
    """The settings the form gives, typed as the schema says; empty fields are left out (so the
    schema's defaults apply and its ``required`` names what is missing)."""
    settings: dict[str, Any] = {}
    for key, spec in declaration.settings_schema.get("properties", {}).items():
        if spec.get("type") == "boolean":
            settings[key] = form.get(f"setting_{key}") == "on"
            continue
        value = form.get(f"setting_{key}", "").strip()
        if value:
            settings[key] = _typed(value, spec.get("type"))
    return settings


def _typed(value: str, kind: str | None) -> Any:
    """The value as the schema's type; left a string when it is not one (the schema then says so)."""
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    return value


def kept_values(declaration: ProviderDeclaration, form: Mapping[str, str]) -> dict[str, str]:
    """What to fill the form with again after a refusal: everything but the secrets."""
    secret = set(declaration.secret_settings)
    return {
        key: form.get(f"setting_{key}", "")
        for key in declaration.settings_schema.get("properties", {})
        if key not in secret
    }
