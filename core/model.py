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

EXPIRES_AFTER_DAYS = "x-expires-after-days"
"""The settings-schema keyword on a secret that the provider expires after that many days."""


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
        A secret that the provider expires carries ``"x-expires-after-days": N``: the host records
        when secrets were set and warns 30 days before (``connections list``, the worker).
    :param title: how people write the provider's name (``Credly``).
    """

    name: str
    settings_schema: Mapping[str, Any]
    title: str = ""

    @property
    def secret_settings(self) -> tuple[str, ...]:
        props = self.settings_schema.get("properties", {})
        return tuple(key for key, spec in props.items() if spec.get("writeOnly"))

    def secret_lifetime_days(self, key: str) -> int | None:
        """Days after which the provider expires the secret setting ``key`` (None: it does not)."""
        days = self.settings_schema.get("properties", {}).get(key, {}).get(EXPIRES_AFTER_DAYS)
        return days if isinstance(days, int) and days > 0 else None


@dataclass(frozen=True)
class Connection:
    """A named, validated set of settings for one provider account, as hooks receive it.

    Secret settings arrive as ``badgebridge.Secret``; call ``.reveal()`` only to put them on the wire.

    :param name: the connection's name, unique in the host (``credly-main``).
    :param provider: the provider's name, as its declaration gives it.
    :param settings: the settings, validated, defaulted and normalised against the declared schema.
    """

    name: str
    provider: str
    settings: Mapping[str, Any]


@dataclass(frozen=True)
class ConnectionInfo:
    """What ``connect`` learned: the account the settings reach.

    :param account_name: the account's name as the provider shows it (shown to the admin).
    :param account_id: the provider's id of the account, if it has one.
    """

    account_name: str
    account_id: str | None = None


@dataclass(frozen=True)
class ProviderBadge:
    """One badge (template) in a provider's catalog.

    :param external_id: the provider's id of the badge, the ``externalBadgeId`` value.
    :param name: the badge's name.
    :param description: what the badge is for, if the provider says.
    :param image_url: the badge's image, if the provider has one.
    :param state: ``active`` for a badge that can be issued (``import_badges`` yields only those).
    """

    external_id: str
    name: str
    description: str = ""
    image_url: str = ""
    state: str = "active"


@dataclass(frozen=True)
class Recipient:
    """The learner a badge goes to.

    :param email: the learner's identity on the provider, stripped and lower-cased.
    :param first_name: the learner's first name.
    :param last_name: the learner's last name.
    :param learner_id: the host's stable id of the learner, for finding the badge again.
    """

    email: str
    first_name: str
    last_name: str
    learner_id: str


@dataclass(frozen=True)
class IssueRequest:
    """A badge to issue.

    :param award_id: the host's award id, stable across retries (an idempotency key).
    :param external_badge_id: the provider's badge (template) id.
    :param recipient: the learner the badge goes to.
    :param issued_at: when the learner earned it, timezone-aware UTC.
    :param evidence: what the learner did to earn it, as the provider's evidence objects (may be empty).
    """

    award_id: str
    external_badge_id: str
    recipient: Recipient
    issued_at: datetime
    evidence: tuple[Mapping[str, Any], ...] = field(default=())


@dataclass(frozen=True)
class IssuedBadge:
    """A badge as the provider holds it.

    :param provider_badge_id: the provider's id of the issued badge.
    :param state: the provider's own state word (Credly: pending, accepted, rejected, revoked).
    :param url: the public URL the learner shares, if the provider has one.
    """

    provider_badge_id: str
    state: str
    url: str | None = None


class EventType(StrEnum):
    """The provider events the host acts on; a provider maps its own event names onto these.

    The spelling is Credly's (``credly-api.md`` §4.5); a provider whose words differ translates in
    its ``fetch_event``. Any other type is recorded and changes nothing.
    """

    BADGE_CREATED = "badge.created"
    BADGE_STATE_CHANGED = "badge.state.changed"
    BADGE_DELETED = "badge.deleted"
    TEMPLATE_CREATED = "badge_template.created"
    TEMPLATE_CHANGED = "badge_template.changed"
    TEMPLATE_DELETED = "badge_template.deleted"


class Role(StrEnum):
    """What a console user may do: an admin changes things, a viewer only looks."""

    ADMIN = "admin"
    VIEWER = "viewer"


class EventState(StrEnum):
    """Where a received webhook delivery is (the ``provider_events`` table)."""

    RECEIVED = "received"  # stored, due to be processed (again, after a transient failure)
    PROCESSING = "processing"  # claimed by a processor, under a lease
    HANDLED = "handled"  # the event was read from the provider and acted on (maybe changing nothing)
    IGNORED = "ignored"  # a replay, an unknown event, another organization's, or an unreadable body
    FAILED = "failed"  # the provider could not be read, for good or after every retry


@dataclass(frozen=True)
class ProviderEvent:
    """An event as the provider records it, read back from the provider, never from a webhook body.

    :param event_id: the provider's id of the event.
    :param event_type: one of ``EventType`` when the host should act on it, else the provider's word.
    :param account_id: the account (Credly: organization) the event belongs to; the host ignores an
        event whose account is not the connection's.
    :param occurred_at: when it happened, timezone-aware UTC, if the provider says.
    :param badge: for badge events, the issued badge (its state as of the event where the provider
        keeps that).
    :param template: for template events, the badge template as of the event.
    """

    event_id: str
    event_type: str
    account_id: str | None = None
    occurred_at: datetime | None = None
    badge: IssuedBadge | None = None
    template: ProviderBadge | None = None


class PushOutcome(StrEnum):
    """What pushing one learner into a provider's workforce did."""

    ADDED = "added"
    PRESENT = "present"  # the provider knew the learner already
    REFUSED = "refused"


@dataclass(frozen=True)
class PushedLearner:
    """One learner's result from ``push_learners``.

    :param email: the learner's email, as the host passed it.
    :param outcome: added, present (already there), or refused.
    :param message: for a refusal, the provider's words.
    """

    email: str
    outcome: PushOutcome
    message: str = ""
