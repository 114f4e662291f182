"""An issued badge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import pycountry

from ..timestamps import format_date, format_timestamp
from .template import BadgeTemplate

_USER_NAMESPACE = uuid.UUID("9b4e6a57-3c1f-4d0a-8e2b-7f5c1d3a9e64")
# Badges in these states count for the duplicate rule: a second one of the template is refused.
HOLDING_STATES = frozenset({"pending", "accepted"})


@cache
def country_code(country: str | None) -> str | None:
    """The ISO 3166 alpha-3 code of a country name or code (`United States` -> `USA`), or None."""
    if not country:
        return None
    try:
        return pycountry.countries.lookup(country.strip()).alpha_3
    except LookupError:
        return None


@dataclass(eq=False)
class Badge:
    """An issued badge. The earner's `user` appears once the earner accepts it."""

    id: str
    template: BadgeTemplate
    recipient_email: str
    issued_at: datetime
    created_at: datetime
    issued_to_first_name: str | None = None
    issued_to_middle_name: str | None = None
    issued_to_last_name: str | None = None
    issuer_earner_id: str | None = None
    expires_at: datetime | None = None
    locale: str = "en"
    suppress_badge_notification_email: bool = False
    country_name: str | None = None
    state_or_province: str | None = None
    evidence: list[Any] = field(default_factory=list)
    notification_message: str | None = None
    state: str = "pending"
    revocation_reason: str | None = None
    replaces_badge_id: str | None = None
    replacement_badge_id: str | None = None
    accepted: bool = False
    updated_at: datetime | None = None
    state_updated_at: datetime | None = None

    def __post_init__(self) -> None:
        self.updated_at = self.updated_at or self.created_at
        self.state_updated_at = self.state_updated_at or self.created_at

    @property
    def holds(self) -> bool:
        """Whether the badge blocks a duplicate (pending or accepted)."""
        return self.state in HOLDING_STATES

    @property
    def issued_to(self) -> str:
        """The earner's full name, or the email when the issuer gave no name."""
        parts = (self.issued_to_first_name, self.issued_to_middle_name, self.issued_to_last_name)
        return " ".join(part for part in parts if part) or self.recipient_email

    def set_state(self, state: str, moment: datetime) -> None:
        self.state = state
        self.updated_at = self.state_updated_at = moment

    def badge_url(self, base_url: str) -> str:
        return f"{base_url}/badges/{self.id}"

    def _user(self, base_url: str) -> dict[str, Any] | None:
        if not self.accepted:
            return None
        user_id = str(uuid.uuid5(_USER_NAMESPACE, self.recipient_email.lower()))
        return {
            "id": user_id,
            "email": self.recipient_email,
            "first_name": self.issued_to_first_name or "",
            "middle_name": self.issued_to_middle_name,
            "last_name": self.issued_to_last_name or "",
            "url": f"{base_url}/earner/{self.recipient_email}",
            "confirmed": True,
            "photo_url": None,
            "current_position_name": None,
            "current_organization_name": None,
        }

    def minimal(self, base_url: str) -> dict[str, Any]:
        """The `badge_format=minimal` form of `high_volume_issued_badge_search`."""
        return {
            "id": self.id,
            "state": self.state,
            "badge_template_id": self.template.id,
            "recipient_email": self.recipient_email,
            "issued_to_first_name": self.issued_to_first_name,
            "issued_to_last_name": self.issued_to_last_name,
            "issuer_earner_id": self.issuer_earner_id,
            "issued_at": format_timestamp(self.issued_at),
            "expires_at": format_timestamp(self.expires_at),
            "updated_at": format_timestamp(self.updated_at),
            "badge_url": self.badge_url(base_url),
        }

    def to_dict(self, base_url: str) -> dict[str, Any]:
        organization = self.template.organization
        image_url = self.template.image_url(base_url)
        return {
            "id": self.id,
            "state": self.state,
            "badge_template": self.template.to_dict(base_url),
            "recipient_email": self.recipient_email,
            "issued_to": self.issued_to,
            "issued_to_first_name": self.issued_to_first_name,
            "issued_to_middle_name": self.issued_to_middle_name,
            "issued_to_last_name": self.issued_to_last_name,
            "issuer_earner_id": self.issuer_earner_id,
            "locale": self.locale,
            "public": True,
            "suppress_badge_notification_email": self.suppress_badge_notification_email,
            "issued_at": format_timestamp(self.issued_at),
            "issued_at_date": format_date(self.issued_at),
            "expires_at": format_timestamp(self.expires_at),
            "expires_at_date": format_date(self.expires_at),
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.updated_at),
            "state_updated_at": format_timestamp(self.state_updated_at),
            "revocation_reason": self.revocation_reason,
            "replaces_badge_id": self.replaces_badge_id,
            "replacement_badge_id": self.replacement_badge_id,
            "country": self.country_name,
            "country_code": country_code(self.country_name),
            "state_or_province": self.state_or_province,
            "image": {"id": self.template.image_id, "url": image_url},
            "image_url": image_url,
            "badge_url": self.badge_url(base_url),
            "user": self._user(base_url),
            "created_by": organization.reference(base_url),
            "issuer": {
                "summary": f"issued by {organization.name}",
                "entities": [
                    {"label": "Issued by", "primary": True, "entity": organization.reference(base_url)}
                ],
            },
            "alignments": [],
            "evidence": self.evidence,
            "printing_enabled": False,
            "print_method": None,
        }
