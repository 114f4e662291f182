"""Reading requests: the credential in `Authorization`, JSON or form bodies, and their validation."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from typing import Any

from flask import request

from . import schemas
from .exceptions import BadControlRequest, CredlyError, InvalidField, MalformedBody, MissingField
from .timestamps import parse_timestamp

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")
_BOOLEANS = (
    "suppress_badge_notification_email",
    "suppress_revoke_notification_email",
    "expires_at",
    "public",
    "allow_duplicate_badges",
    "read_enabled",
    "write_enabled",
    "delete_enabled",
)
_OPTIONAL_ISSUE_FIELDS = (
    "issued_to_first_name",
    "issued_to_middle_name",
    "issued_to_last_name",
    "locale",
    "suppress_badge_notification_email",
    "country_name",
    "state_or_province",
    "evidence",
    "notification_message",
)


def credential(value: str | None) -> tuple[str, str | None]:
    """`(scheme, token)` from an `Authorization` header; scheme is `basic`, `bearer` or ``.

    `Basic <b64>`: the decoded credential up to the first `:` or `|` (`token:`, `token`, `token|x` all
    work). `Bearer <token>`: the token as it is.
    """
    scheme, _, encoded = (value or "").strip().partition(" ")
    scheme, encoded = scheme.lower(), encoded.strip()
    if scheme == "bearer":
        return scheme, encoded or None
    if scheme != "basic":
        return "", None
    decoded = _decode_basic(encoded)
    return scheme, (re.split(r"[:|]", decoded, maxsplit=1)[0] or None) if decoded else None


def token_from_header(value: str | None) -> str | None:
    """The token an `Authorization` header carries, or None."""
    return credential(value)[1]


def basic_pair(value: str | None) -> tuple[str, str] | None:
    """`(user, password)` of a Basic header (the OAuth client id and secret), or None."""
    scheme, _, encoded = (value or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    decoded = _decode_basic(encoded.strip())
    if not decoded or ":" not in decoded:
        return None
    user, _, password = decoded.partition(":")
    return user, password


def _decode_basic(encoded: str) -> str | None:
    try:
        return base64.b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def read_body(wrapper: str | None = None) -> dict[str, Any]:
    """A `/v1` body: a JSON object whatever the Content-Type, else form fields; {} when empty.

    Raises MalformedBody (400) for a body that is neither. `wrapper` unwraps Rails-style bodies
    (`{"organization": {...}}`) when that is the only key.
    """
    raw = request.get_data(cache=True)
    if request.mimetype in FORM_TYPES and not raw.lstrip().startswith(b"{"):
        body: Any = request.form.to_dict()
    elif not raw.strip():
        return {}
    else:
        try:
            body = json.loads(raw)
        except ValueError as error:
            raise MalformedBody(f"The request body is not valid JSON: {error}.") from None
        if not isinstance(body, dict):
            raise MalformedBody("The request body must be a JSON object.")
    if wrapper is not None and set(body) == {wrapper} and isinstance(body[wrapper], dict):
        return body[wrapper]
    return body


def read_control_body(schema: str) -> dict[str, Any]:
    """A `/_mock` body: a JSON object (an empty body is `{}`) valid against `schema`."""
    if not request.get_data():
        body: Any = {}
    else:
        body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise BadControlRequest("The body must be a JSON object.")
    problem = schemas.find_problem(schema, body)
    if problem is not None:
        raise BadControlRequest(f"{problem}.")
    return body


def cleaned(body: dict[str, Any]) -> dict[str, Any]:
    """Drop null and blank values (they count as absent); read "true"/"false" strings as booleans."""
    result = {}
    for key, value in body.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str):
            value = value.strip()
            if key in _BOOLEANS and value.lower() in _TRUE + _FALSE:
                value = value.lower() in _TRUE
        result[key] = value
    return result


def validated(schema: str, body: dict[str, Any]) -> dict[str, Any]:
    """`body` when it is valid against `schema`; MissingField or InvalidField (422) otherwise."""
    problem = schemas.find_problem(schema, body)
    if problem is None:
        return body
    if problem.missing:
        raise MissingField(*problem.field.split(", "))
    raise InvalidField(problem.field, f"is invalid ({problem.detail})")


def _timestamp(field: str, value: str) -> datetime:
    moment = parse_timestamp(value)
    if moment is None:
        raise InvalidField(field, f"is not a date and time ({value!r})")
    return moment


def issue_fields(
    body: dict[str, Any], *, strict: bool = False, schema: str = "issue_badge"
) -> dict[str, Any]:
    """The issue fields `CredlyBackend.issue_badge` takes, from a request body.

    Without `strict`, names may be left out (older clients send none). Raises MissingField naming
    every absent required field, InvalidField for a malformed one.
    """
    body = validated(schema, cleaned(body))
    if strict:
        missing = [name for name in ("issued_to_first_name", "issued_to_last_name") if name not in body]
        if missing:
            raise MissingField(*missing)
    fields: dict[str, Any] = {key: body[key] for key in _OPTIONAL_ISSUE_FIELDS if key in body}
    for key in ("badge_template_id", "issuer_earner_id", "recipient_email"):
        if key in body:
            fields[key] = str(body[key])
    if "issued_at" in body:
        fields["issued_at"] = _timestamp("issued_at", body["issued_at"])
    expires_at = body.get("expires_at", False)
    if expires_at is True:
        raise InvalidField("expires_at", "must be a date and time, or false")
    if expires_at is not False:
        fields["expires_at"] = _timestamp("expires_at", expires_at)
    return fields


def batch_items(body: dict[str, Any], *, strict: bool) -> list[dict[str, Any] | CredlyError]:
    """The `badges` of a batch body, each parsed as an issue body or left as the error it raised."""
    validated("issue_badges", body)
    items: list[dict[str, Any] | CredlyError] = []
    for item in body["badges"]:
        try:
            items.append(issue_fields(item, strict=strict))
        except CredlyError as error:
            items.append(error)
    return items


def revoke_reason(body: dict[str, Any]) -> str:
    """The `reason` of a revoke request body (`suppress_revoke_notification_email` is read and ignored)."""
    return validated("revoke_badge", cleaned(body))["reason"]


def known_fields(schema: str, body: dict[str, Any], *, keep_nulls: bool = False) -> dict[str, Any]:
    """The fields of `body` that `schema` names, validated (unknown fields are ignored)."""
    properties = schemas.load(schema)["properties"]
    source = body if keep_nulls else cleaned(body)
    chosen = {key: value for key, value in source.items() if key in properties}
    if keep_nulls:
        chosen = {**cleaned(chosen), **{k: None for k, v in chosen.items() if v is None or v == ""}}
    return validated(schema, chosen)
