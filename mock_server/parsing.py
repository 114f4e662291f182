"""Reading requests: the token in `Authorization`, JSON or form bodies, and their validation."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any

from flask import request

from . import schemas
from .exceptions import BadControlRequest, InvalidField, MissingField
from .timestamps import parse_timestamp

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


def token_from_header(value: str | None) -> str | None:
    """The token in an `Authorization` header, or None.

    `Basic <b64>`: the decoded credential up to the first `:` or `|` (`token:`, `token`, `token|x` all
    work). `Bearer <token>`: the token as it is.
    """
    scheme, _, credential = (value or "").strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer":
        return credential or None
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credential + "=" * (-len(credential) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return re.split(r"[:|]", decoded, maxsplit=1)[0] or None


def read_body() -> dict[str, Any]:
    """A `/v1` body: a JSON object whatever the Content-Type, else form fields; {} otherwise."""
    body = request.get_json(force=True, silent=True)
    if isinstance(body, dict):
        return body
    return request.form.to_dict() if request.mimetype in _FORM_TYPES else {}


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


def _cleaned(body: dict[str, Any], booleans: tuple[str, ...]) -> dict[str, Any]:
    """Drop null and blank values (they count as absent); read "true"/"false" strings as booleans."""
    cleaned = {}
    for key, value in body.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str):
            value = value.strip()
            if key in booleans and value.lower() in _TRUE + _FALSE:
                value = value.lower() in _TRUE
        cleaned[key] = value
    return cleaned


def _validated(schema: str, body: dict[str, Any]) -> None:
    problem = schemas.find_problem(schema, body)
    if problem is None:
        return
    if problem.missing:
        raise MissingField(*problem.field.split(", "))
    raise InvalidField(problem.field, f"is invalid ({problem.detail})")


def _timestamp(field: str, value: str) -> datetime:
    moment = parse_timestamp(value)
    if moment is None:
        raise InvalidField(field, f"is not a date and time ({value!r})")
    return moment


def issue_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `CredlyBackend.issue_badge` from an issue request body.

    Raises MissingField naming every absent required field, InvalidField for a malformed one.
    """
    body = _cleaned(body, ("suppress_badge_notification_email", "expires_at"))
    _validated("issue_badge", body)
    fields: dict[str, Any] = {
        "badge_template_id": str(body["badge_template_id"]),
        "recipient_email": body["recipient_email"],
        "issued_to_first_name": body["issued_to_first_name"],
        "issued_to_last_name": body["issued_to_last_name"],
        "issued_at": _timestamp("issued_at", body["issued_at"]),
    }
    for key in (
        "issued_to_middle_name",
        "locale",
        "suppress_badge_notification_email",
        "country_name",
        "state_or_province",
        "evidence",
    ):
        if key in body:
            fields[key] = body[key]
    if "issuer_earner_id" in body:
        fields["issuer_earner_id"] = str(body["issuer_earner_id"])
    expires_at = body.get("expires_at", False)
    if expires_at is True:
        raise InvalidField("expires_at", "must be a date and time, or false")
    if expires_at is not False:
        fields["expires_at"] = _timestamp("expires_at", expires_at)
    return fields


def revoke_reason(body: dict[str, Any]) -> str:
    """The `reason` of a revoke request body (`suppress_revoke_notification_email` is read and ignored)."""
    body = _cleaned(body, ("suppress_revoke_notification_email",))
    _validated("revoke_badge", body)
    return body["reason"]
