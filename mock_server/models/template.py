"""A badge template."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..timestamps import format_timestamp
from .common import new_id, slugify
from .organization import Organization

# The fields a template create or update (`/v1` or the control API) may set.
EDITABLE_FIELDS = (
    "name",
    "description",
    "state",
    "public",
    "allow_duplicate_badges",
    "skills",
    "reporting_tags",
    "level",
    "time_to_earn",
    "cost",
    "type_category",
    "criteria_url",
)


@dataclass(eq=False)
class BadgeTemplate:
    id: str
    organization: Organization
    name: str
    created_at: datetime
    updated_at: datetime
    state_updated_at: datetime
    description: str = ""
    state: str = "active"
    public: bool = True
    allow_duplicate_badges: bool = False
    skills: list[str] = field(default_factory=list)
    reporting_tags: list[str] = field(default_factory=list)
    level: str | None = None
    time_to_earn: str | None = None
    cost: str | None = None
    type_category: str | None = None
    criteria_url: str | None = None
    badges_count: int = 0
    image_id: str = field(default_factory=new_id)

    @property
    def vanity_slug(self) -> str:
        return slugify(self.name)

    def image_url(self, base_url: str) -> str:
        return f"{base_url}/_mock/images/{self.image_id}.png"

    def to_dict(self, base_url: str, *, single: bool = False) -> dict[str, Any]:
        """The template as lists show it; `single` adds the fields only `GET .../<id>` has."""
        shown = {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "state": self.state,
            "public": self.public,
            "visibility": "public" if self.public else "private",
            "allow_duplicate_badges": self.allow_duplicate_badges,
            "badges_count": self.badges_count,
            "get_issue_count": self.badges_count,
            "recipient_type": "User",
            "vanity_slug": self.vanity_slug,
            "certification": False,
            "level": self.level,
            "cost": self.cost,
            "time_to_earn": self.time_to_earn,
            "type_category": self.type_category,
            "template_type": None,
            "criteria_url": self.criteria_url,
            "criteria_url_name": None,
            "global_activity_url": None,
            "lock_badge_state": False,
            "send_expiring_badge_notifications": False,
            "show_badge_lmi": False,
            "show_lmi_jobs": False,
            "show_skill_tag_links": False,
            "show_template_settings": True,
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
            "skills": list(self.skills),
            "reporting_tags": list(self.reporting_tags),
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.updated_at),
            "state_updated_at": format_timestamp(self.state_updated_at),
        }
        if single:
            shown["recommending_templates"] = []
            shown["criterion_for"] = []
        return shown
