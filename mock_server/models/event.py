"""A recorded event: the webhook body, plus the badge or template as it was when it happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..timestamps import format_timestamp
from .common import rebase
from .organization import Organization

EVENT_TYPES = (
    "badge.created",
    "badge.state.changed",
    "badge.deleted",
    "badge_template.created",
    "badge_template.changed",
    "badge_template.deleted",
)


@dataclass(eq=False)
class Event:
    """`details` is the subject rendered with `common.BASE` at the moment of the event."""

    id: str
    organization: Organization
    event_type: str
    subject_key: str
    subject_id: str
    details: dict[str, Any]
    occurred_at: datetime

    def webhook_body(self) -> dict[str, Any]:
        """What the mock POSTs to the organization's `webhook_url`."""
        return {
            "id": self.id,
            "organization_id": self.organization.id,
            "event_type": self.event_type,
            "occurred_at": format_timestamp(self.occurred_at),
        }

    def to_dict(self, base_url: str) -> dict[str, Any]:
        return {**self.webhook_body(), self.subject_key: rebase(self.details, base_url)}
