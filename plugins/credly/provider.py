"""The Credly provider's hooks (entry point ``credly = badgebridge.plugins.credly.provider``).

Each hook gets the connection's client and translates between ``badgebridge.core.model`` and Credly's wire;
the client raises the ``badgebridge.core.errors`` family.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

from badgebridge import hookimpl
from badgebridge.core.model import (
    Connection,
    ConnectionInfo,
    IssuedBadge,
    IssueRequest,
    ProviderBadge,
    ProviderDeclaration,
)
from badgebridge.plugins.credly.client import client_for

SETTINGS_SCHEMA: Mapping[str, Any] = json.loads(
    resources.files(__package__).joinpath("settings.schema.json").read_text(encoding="utf-8")
)
ISSUED_AT_FORMAT = "%Y-%m-%d %H:%M:%S %z"
"""Credly's documented ``issued_at`` form, e.g. ``2014-04-01 09:41:00 +0000``."""
LIVE_STATES = ("pending", "accepted")
"""Badge states in which the recipient holds the badge (not rejected, not revoked)."""


@hookimpl
def declare_provider() -> ProviderDeclaration:
    return ProviderDeclaration(name="credly", title="Credly", settings_schema=SETTINGS_SCHEMA)


@hookimpl
def connect(connection: Connection) -> ConnectionInfo:
    organization = client_for(connection).get_organization()
    return ConnectionInfo(account_name=str(organization["name"]), account_id=str(organization["id"]))


@hookimpl
def import_badges(connection: Connection) -> Iterator[ProviderBadge]:
    templates = client_for(connection).iter_badge_templates("state::active", sort="name")
    return (_provider_badge(template) for template in templates if template.get("state") == "active")


@hookimpl
def issue_badge(connection: Connection, request: IssueRequest) -> IssuedBadge:
    return _issued_badge(client_for(connection).issue_badge(issue_payload(request)))


@hookimpl
def find_badge(connection: Connection, request: IssueRequest, after_send: bool = False) -> IssuedBadge | None:
    """By ``issuer_earner_id`` (every badge we issue carries it), then, unless we are looking for
    what our own send created, by ``recipient_email`` (a badge issued from elsewhere)."""
    client = client_for(connection)
    recipient = request.recipient
    keys = [("issuer_earner_id", recipient.learner_id)]
    if not after_send:
        keys.append(("recipient_email", recipient.email))
    for field, value in keys:
        query = (
            f"badge_template_id::{request.external_badge_id}|{field}::{value}|state::{','.join(LIVE_STATES)}"
        )
        for badge in client.list_badges(query):
            if badge["state"] in LIVE_STATES and _same(badge.get(field), value):
                return _issued_badge(badge)
    return None


@hookimpl
def fetch_badge(connection: Connection, provider_badge_id: str) -> IssuedBadge:
    return _issued_badge(client_for(connection).get_badge(provider_badge_id))


@hookimpl
def revoke_badge(connection: Connection, provider_badge_id: str, reason: str) -> IssuedBadge:
    return _issued_badge(client_for(connection).revoke_badge(provider_badge_id, reason))


def issue_payload(request: IssueRequest) -> dict[str, str]:
    """The body of Credly's issue call; ``issuer_earner_id`` lets ``find_badge`` look the badge up exactly."""
    recipient = request.recipient
    return {
        "recipient_email": recipient.email,
        "issued_to_first_name": recipient.first_name,
        "issued_to_last_name": recipient.last_name,
        "badge_template_id": request.external_badge_id,
        "issued_at": request.issued_at.strftime(ISSUED_AT_FORMAT),
        "issuer_earner_id": recipient.learner_id,
    }


def _provider_badge(template: Mapping[str, Any]) -> ProviderBadge:
    return ProviderBadge(
        external_id=str(template["id"]),
        name=str(template["name"]),
        description=template.get("description") or "",
        image_url=template.get("image_url") or "",
        state=template["state"],
    )


def _issued_badge(badge: Mapping[str, Any]) -> IssuedBadge:
    return IssuedBadge(
        provider_badge_id=str(badge["id"]), state=str(badge["state"]), url=badge.get("badge_url") or None
    )


def _same(held: object, wanted: str) -> bool:
    """Whether a listed badge's field is the value we filtered on (Credly's filters may match partially)."""
    return held is not None and str(held).casefold() == wanted.casefold()
