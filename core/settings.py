"""Connection settings: validated against the provider's JSON Schema before any provider call.

Host-side normalisation happens here too: text is stripped, and a property with
``"format": "host"`` (a hostname or an http(s) URL) becomes ``scheme://host[:port][/path]`` with no
trailing slash (``https`` when no scheme is given). Error messages name the setting and never
echo a secret's value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import jsonschema

from badgebridge.core.errors import ConfigurationError
from badgebridge.core.model import Connection, ProviderDeclaration
from badgebridge.core.secrets import Secret

HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)

format_checker = jsonschema.FormatChecker()


@format_checker.checks("host")
def is_host(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return _normalise_host(value) is not None


def _normalise_host(value: str) -> str | None:
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or not HOSTNAME.match(parts.hostname):
        return None
    if parts.query or parts.fragment or parts.username:
        return None
    netloc = parts.hostname.lower() + (f":{port}" if port else "")
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def validate_settings(declaration: ProviderDeclaration, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings stripped, defaulted and normalised, or an error naming the first bad one."""
    cleaned = {key: value.strip() if isinstance(value, str) else value for key, value in settings.items()}
    props = declaration.settings_schema.get("properties", {})
    for key, spec in props.items():
        if "default" in spec and cleaned.get(key) in (None, ""):
            cleaned[key] = spec["default"]
    validator = jsonschema.Draft202012Validator(declaration.settings_schema, format_checker=format_checker)
    errors = sorted(validator.iter_errors(cleaned), key=lambda e: (list(e.absolute_path), e.validator))
    if errors:
        raise ConfigurationError(_describe(declaration, errors[0]))
    for key, spec in props.items():
        if spec.get("format") == "host" and isinstance(cleaned.get(key), str):
            cleaned[key] = _normalise_host(cleaned[key])
    return cleaned


def missing_required(declaration: ProviderDeclaration, settings: Mapping[str, Any]) -> set[str]:
    """The settings the schema requires (conditional requirements included) that ``settings`` lacks."""
    props = declaration.settings_schema.get("properties", {})
    given = dict(settings) | {
        key: spec["default"]
        for key, spec in props.items()
        if "default" in spec and settings.get(key) in (None, "")
    }
    validator = jsonschema.Draft202012Validator(declaration.settings_schema)
    return {
        key
        for error in validator.iter_errors(given)
        if error.validator == "required"
        for key in error.validator_value
        if key not in error.instance
    }


def _describe(declaration: ProviderDeclaration, error: jsonschema.ValidationError) -> str:
    provider = declaration.title or declaration.name
    if error.validator == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        return f"{provider} setting {missing[0]!r} is required"
    if error.validator == "additionalProperties":
        known = ", ".join(sorted(declaration.settings_schema.get("properties", {})))
        extra = sorted(set(error.instance) - set(declaration.settings_schema.get("properties", {})))
        return f"{provider} has no setting {extra[0]!r} (its settings: {known})"
    field = ".".join(str(p) for p in error.absolute_path) or "settings"
    spec = declaration.settings_schema.get("properties", {}).get(field, {})
    if spec.get("writeOnly"):
        return f"{provider} setting {field!r} is not valid ({error.validator})"
    if error.validator == "format":
        return f"{provider} setting {field!r}: {error.instance!r} is not a valid {error.validator_value}"
    return f"{provider} setting {field!r}: {error.message}"


def split_secrets(declaration: ProviderDeclaration, settings: Mapping[str, Any]) -> tuple[dict, dict]:
    """(plain settings, secret settings) by the schema's ``writeOnly`` marks."""
    secret = set(declaration.secret_settings)
    plain = {k: v for k, v in settings.items() if k not in secret}
    secrets = {k: v for k, v in settings.items() if k in secret}
    return plain, secrets


def make_connection(
    name: str, declaration: ProviderDeclaration, plain: Mapping, secrets: Mapping
) -> Connection:
    """A ``Connection`` for the hooks, with secrets wrapped so they print masked."""
    settings = dict(plain) | {key: Secret(value) for key, value in secrets.items()}
    return Connection(name=name, provider=declaration.name, settings=settings)
