"""The Credly provider's hooks (entry point ``credly = badgebridge.plugins.credly.provider``).

Each hook gets the connection's client and translates between ``badgebridge.core.model`` and Credly's wire;
the client raises the ``badgebridge.core.errors`` family.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from importlib import resources
from typing import Any

from badgebridge import hookimpl
from badgebridge.core.clock import as_utc
from badgebridge.core.errors import ProviderRefused
from badgebridge.core.model import (
    Connection,
    ConnectionInfo,
    IssuedBadge,
    IssueRequest,
    ProviderBadge,
    ProviderDeclaration,
    ProviderEvent,
    PushedLearner,
    PushOutcome,
    Recipient,
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


@hookimpl
def fetch_event(connection: Connection, event_id: str) -> ProviderEvent:
    return provider_event(client_for(connection).get_event(event_id))


@hookimpl
def subscribe_events(connection: Connection, url: str) -> str:
    organization = client_for(connection).update_organization({"webhook_url": url})
    return str(organization.get("webhook_url") or url)


@hookimpl
def rotate_token(connection: Connection) -> Mapping[str, str]:
    if connection.settings.get("auth") == "oauth":
        raise ProviderRefused(
            f"connection {connection.name!r} uses OAuth client credentials; only an authorization "
            "token (auth token) is rotated through Credly"
        )
    return {"token": client_for(connection).rotate_token()}


ALREADY_EMPLOYED = ("already", "taken", "exists")
"""Words of Credly's 422 when the email is in the workforce already (the shape is unverified, §4.7)."""


@hookimpl
def push_learners(connection: Connection, recipients: Sequence[Recipient]) -> Iterator[PushedLearner]:
    client = client_for(connection)
    present = {str(e.get("email", "")).casefold() for e in client.iter_employees()}
    for recipient in recipients:
        if recipient.email.casefold() in present:
            yield PushedLearner(recipient.email, PushOutcome.PRESENT)
            continue
        try:
            client.add_employee(employee_payload(recipient))
        except ProviderRefused as exc:
            if exc.status == 422 and any(word in exc.message.lower() for word in ALREADY_EMPLOYED):
                yield PushedLearner(recipient.email, PushOutcome.PRESENT)
            else:
                yield PushedLearner(recipient.email, PushOutcome.REFUSED, exc.message)
            continue
        present.add(recipient.email.casefold())
        yield PushedLearner(recipient.email, PushOutcome.ADDED)


def employee_payload(recipient: Recipient) -> dict[str, str]:
    """The body of Credly's employee create call; ``external_id`` is the host's learner id."""
    return {
        "email": recipient.email,
        "first_name": recipient.first_name,
        "last_name": recipient.last_name,
        "external_id": recipient.learner_id,
    }


def provider_event(event: Mapping[str, Any]) -> ProviderEvent:
    """An event as ``GET …/events/<id>`` shows it; Credly's event types are the host's spelling."""
    badge, template = event.get("badge"), event.get("badge_template")
    return ProviderEvent(
        event_id=str(event["id"]),
        event_type=str(event["event_type"]),
        account_id=_organization_of(event),
        occurred_at=_timestamp(event.get("occurred_at")),
        badge=_issued_badge(badge) if isinstance(badge, Mapping) and badge.get("id") else None,
        template=_template(template) if isinstance(template, Mapping) and template.get("id") else None,
    )


def _organization_of(event: Mapping[str, Any]) -> str | None:
    if event.get("organization_id"):
        return str(event["organization_id"])
    template = event.get("badge_template")
    owner = template.get("owner") if isinstance(template, Mapping) else None
    return str(owner["id"]) if isinstance(owner, Mapping) and owner.get("id") else None


def _template(template: Mapping[str, Any]) -> ProviderBadge:
    return ProviderBadge(
        external_id=str(template["id"]),
        name=str(template.get("name") or ""),
        description=template.get("description") or "",
        image_url=template.get("image_url") or "",
        state=str(template.get("state") or "active"),
    )


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


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
