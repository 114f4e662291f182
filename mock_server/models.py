"""The mock's in-memory objects, each rendering itself as the /v1 API shows it (credly-api.md §4).

`base_url` is the scheme and host the request came to (`http://127.0.0.1:54321`): self-links, image URLs
and public badge pages point back at the mock.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .timestamps import format_date, format_timestamp, now

_USER_NAMESPACE = uuid.UUID("9b4e6a57-3c1f-4d0a-8e2b-7f5c1d3a9e64")


def new_id() -> str:
    return str(uuid.uuid4())


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


@dataclass(eq=False)
class Organization:
    id: str
    name: str
    token: str
    created_at: datetime = field(default_factory=now)

    @property
    def vanity_slug(self) -> str:
        return slugify(self.name)

    def url(self, base_url: str) -> str:
        return f"{base_url}/v1/organizations/{self.id}"

    def vanity_url(self, base_url: str) -> str:
        return f"{base_url}/org/{self.vanity_slug}"

    def reference(self, base_url: str) -> dict[str, Any]:
        """The short form embedded as a template's `owner` or a badge's `created_by`."""
        return {
            "type": "Organization",
            "id": self.id,
            "name": self.name,
            "url": self.url(base_url),
            "vanity_url": self.vanity_url(base_url),
            "vanity_slug": self.vanity_slug,
            "verified": True,
            "viewable": True,
            "enable_blockchain": False,
        }

    def to_dict(self, base_url: str) -> dict[str, Any]:
        stamp = format_timestamp(self.created_at)
        return {
            "id": self.id,
            "name": self.name,
            "website_url": None,
            "webhook_url": None,
            "contact_email": None,
            "legal_contact_email": None,
            "technical_contact_email": None,
            "support_email": None,
            "support_url": None,
            "zip_or_postal_code": None,
            "organization_type": "Business",
            "bio": None,
            "twitter_url": None,
            "facebook_url": None,
            "linked_in_url": None,
            "linked_in_org_id": None,
            "vanity_slug": self.vanity_slug,
            "vanity_url": self.vanity_url(base_url),
            "city": None,
            "address": None,
            "location": None,
            "country": None,
            "state_or_province": None,
            "primary_hex_color": None,
            "allowed_webhooks": [],
            "enable_blockchain": False,
            "print_method": None,
            "pdf_id": None,
            "workforce_enabled": False,
            "verified": True,
            "verified_at": stamp,
            "has_employees": False,
            "internationalize_badge_templates": False,
            "require_template_detail_attributes": False,
            "featured_badge_templates": [],
            "photo": None,
            "photo_url": None,
            "url": self.url(base_url),
            "created_at": stamp,
            "updated_at": stamp,
        }


@dataclass(eq=False)
class BadgeTemplate:
    id: str
    organization: Organization
    name: str
    description: str = ""
    state: str = "active"
    public: bool = True
    allow_duplicate_badges: bool = False
    badges_count: int = 0
    image_id: str = field(default_factory=new_id)
    created_at: datetime = field(default_factory=now)

    @property
    def vanity_slug(self) -> str:
        return slugify(self.name)

    @property
    def updated_at(self) -> datetime:
        """Templates are never edited through the mock, so this is their creation time."""
        return self.created_at

    def image_url(self, base_url: str) -> str:
        return f"{base_url}/_mock/images/{self.image_id}.png"

    def to_dict(self, base_url: str) -> dict[str, Any]:
        stamp = format_timestamp(self.created_at)
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "state": self.state,
            "public": self.public,
            "visibility": "public" if self.public else "private",
            "allow_duplicate_badges": self.allow_duplicate_badges,
            "badges_count": self.badges_count,
            "recipient_type": "User",
            "vanity_slug": self.vanity_slug,
            "certification": False,
            "level": None,
            "cost": None,
            "time_to_earn": None,
            "type_category": None,
            "template_type": None,
            "criteria_url": None,
            "criteria_url_name": None,
            "global_activity_url": None,
            "lock_badge_state": False,
            "send_expiring_badge_notifications": False,
            "show_badge_lmi": False,
            "show_lmi_jobs": False,
            "show_skill_tag_links": False,
            "record_to_blockchain": False,
            "printing_disabled": False,
            "image": {"id": self.image_id, "url": self.image_url(base_url)},
            "image_url": self.image_url(base_url),
            "url": f"{self.organization.vanity_url(base_url)}/badge/{self.vanity_slug}",
            "owner": self.organization.reference(base_url),
            "alignments": [],
            "recommendations": [],
            "required_badge_templates": [],
            "badge_template_activities": [],
            "skills": [],
            "reporting_tags": [],
            "created_at": stamp,
            "updated_at": stamp,
            "state_updated_at": stamp,
        }


@dataclass(eq=False)
class Badge:
    """An issued badge. The earner's `user` appears once the earner accepts it."""

    id: str
    template: BadgeTemplate
    recipient_email: str
    issued_to_first_name: str
    issued_to_last_name: str
    issued_at: datetime
    issued_to_middle_name: str | None = None
    issuer_earner_id: str | None = None
    expires_at: datetime | None = None
    locale: str = "en"
    suppress_badge_notification_email: bool = False
    country_name: str | None = None
    state_or_province: str | None = None
    evidence: list[Any] = field(default_factory=list)
    state: str = "pending"
    revocation_reason: str | None = None
    accepted: bool = False
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)
    state_updated_at: datetime = field(default_factory=now)

    @property
    def issued_to(self) -> str:
        parts = (self.issued_to_first_name, self.issued_to_middle_name, self.issued_to_last_name)
        return " ".join(part for part in parts if part)

    def set_state(self, state: str) -> None:
        self.state = state
        self.updated_at = self.state_updated_at = now()

    def badge_url(self, base_url: str) -> str:
        return f"{base_url}/badges/{self.id}"

    def _user(self, base_url: str) -> dict[str, Any] | None:
        if not self.accepted:
            return None
        user_id = str(uuid.uuid5(_USER_NAMESPACE, self.recipient_email.lower()))
        return {
            "id": user_id,
            "email": self.recipient_email,
            "first_name": self.issued_to_first_name,
            "middle_name": self.issued_to_middle_name,
            "last_name": self.issued_to_last_name,
            "url": f"{base_url}/users/{user_id}",
            "confirmed": True,
            "photo_url": None,
            "current_position_name": None,
            "current_organization_name": None,
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
            "replaces_badge_id": None,
            "replacement_badge_id": None,
            "country": self.country_name,
            "country_code": None,
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


@dataclass(eq=False)
class Event:
    """A recorded event about a badge or a template (webhook body plus the resource it concerns)."""

    id: str
    organization: Organization
    event_type: str
    subject: Badge | BadgeTemplate
    occurred_at: datetime = field(default_factory=now)

    def to_dict(self, base_url: str) -> dict[str, Any]:
        key = "badge" if isinstance(self.subject, Badge) else "badge_template"
        return {
            "id": self.id,
            "organization_id": self.organization.id,
            "event_type": self.event_type,
            "occurred_at": format_timestamp(self.occurred_at),
            key: self.subject.to_dict(base_url),
        }
