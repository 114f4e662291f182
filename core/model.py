"""The types that cross the plugin boundary, and the domain's vocabulary.

Hosts normalise: every datetime handed to a plugin is timezone-aware UTC, every email is stripped
and lower-cased. Providers format values for their own wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class AwardState(StrEnum):
    """Where an award is in its life (DESIGN.md, Domain)."""

    QUEUED = "queued"  # stored, due to be sent
    SENDING = "sending"  # claimed by a sender, under a lease
    ISSUED = "issued"  # the provider holds the badge (see provider_state)
    FAILED = "failed"  # the provider refused, or retries ran out; `awards retry` sends it again
    REVOKED = "revoked"  # revoked on the provider
    AWARDED = "awarded"  # a platform-only badge: awarded locally, never sent anywhere
    CANCELLED = "cancelled"  # cancelled before it was sent; never sent unless reissued


class BadgeState(StrEnum):
    ACTIVE = "Active"
    RETIRED = "Retired"


class ObjectKind(StrEnum):
    """The learning objects a badge or skill level can be attached to."""

    COURSE = "course"
    LEARNING_PATH = "learning_path"
    CERTIFICATION = "certification"


@dataclass(frozen=True)
class ProviderDeclaration:
    """What a provider plugin declares about itself.

    :param name: the ``externalBadgeProvider`` value, lower-case (``credly``).
    :param settings_schema: a JSON Schema (draft 2020-12) of the connection settings, an object
        schema. Mark secret properties with ``"writeOnly": true``: the host never prints them in
        full and reads them from a prompt, an environment variable or stdin, never from argv.
    :param title: how people write the provider's name (``Credly``).
    """

    name: str
    settings_schema: Mapping[str, Any]
    title: str = ""

    @property
    def secret_settings(self) -> tuple[str, ...]:
        props = self.settings_schema.get("properties", {})
        return tuple(key for key, spec in props.items() if spec.get("writeOnly"))


@dataclass(frozen=True)
class Connection:
    """A named, validated set of settings for one provider account, as hooks receive it.

    Secret settings arrive as ``badgebridge.Secret``; call ``.reveal()`` only to put them on the wire.
    """

    name: str
    provider: str
    settings: Mapping[str, Any]


@dataclass(frozen=True)
class ConnectionInfo:
    """What ``connect`` learned: the account the settings reach."""

    account_name: str
    account_id: str | None = None


@dataclass(frozen=True)
class ProviderBadge:
    """One badge (template) in a provider's catalog."""

    external_id: str
    name: str
    description: str = ""
    image_url: str = ""
    state: str = "active"


@dataclass(frozen=True)
class Recipient:
    """The learner a badge goes to. ``learner_id`` is our stable id, for reconciliation."""

    email: str
    first_name: str
    last_name: str
    learner_id: str


@dataclass(frozen=True)
class IssueRequest:
    """A badge to issue.

    :param award_id: the host's award id, stable across retries (an idempotency key).
    :param external_badge_id: the provider's badge (template) id.
    :param issued_at: when the learner earned it, timezone-aware UTC.
    """

    award_id: str
    external_badge_id: str
    recipient: Recipient
    issued_at: datetime
    evidence: tuple[Mapping[str, Any], ...] = field(default=())


@dataclass(frozen=True)
class IssuedBadge:
    """A badge as the provider holds it.

    :param state: the provider's own state word (Credly: pending, accepted, rejected, revoked).
    :param url: the public URL the learner shares, if the provider has one.
    """

    provider_badge_id: str
    state: str
    url: str | None = None
