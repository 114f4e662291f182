"""An organization, with the fields Credly's organization documentation lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..timestamps import format_timestamp
from .common import slugify

# The fields `PUT /v1/organizations/<org>` may change; everything else is the mock's own.
EDITABLE_FIELDS = (
    "name",
    "website_url",
    "webhook_url",
    "contact_email",
    "legal_contact_email",
    "technical_contact_email",
    "support_email",
    "support_url",
    "zip_or_postal_code",
    "organization_type",
    "bio",
    "twitter_url",
    "facebook_url",
    "linked_in_url",
    "linked_in_org_id",
    "city",
    "address",
    "location",
    "country",
    "state_or_province",
    "primary_hex_color",
    "allowed_webhooks",
)


@dataclass(eq=False)
class Organization:
    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    profile: dict[str, Any] = field(default_factory=dict)
    has_employees: bool = False

    @property
    def webhook_url(self) -> str | None:
        return self.profile.get("webhook_url")

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
        fields: dict[str, Any] = {name: None for name in EDITABLE_FIELDS}
        fields.update({"organization_type": "Business", "allowed_webhooks": []})
        fields.update(self.profile)
        return {
            "id": self.id,
            **fields,
            "name": self.name,
            "vanity_slug": self.vanity_slug,
            "vanity_url": self.vanity_url(base_url),
            "enable_blockchain": False,
            "print_method": None,
            "pdf_id": None,
            "workforce_enabled": True,
            "verified": True,
            "verified_at": format_timestamp(self.created_at),
            "has_employees": self.has_employees,
            "internationalize_badge_templates": False,
            "require_template_detail_attributes": False,
            "featured_badge_templates": [],
            "photo": None,
            "photo_url": None,
            "url": self.url(base_url),
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.updated_at),
        }
