"""An employee of the organization's Credly workforce (shapes unverified: see the README)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..timestamps import format_timestamp

EDITABLE_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "external_id",
    "department",
    "position_title",
    "employee_state",
    "city",
    "state_or_province",
    "country",
)


@dataclass(eq=False)
class Employee:
    id: str
    organization_id: str
    email: str
    created_at: datetime
    updated_at: datetime
    first_name: str | None = None
    last_name: str | None = None
    external_id: str | None = None
    department: str | None = None
    position_title: str | None = None
    employee_state: str = "active"
    city: str | None = None
    state_or_province: str | None = None
    country: str | None = None
    invited_at: datetime | None = None

    def to_dict(self, base_url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "external_id": self.external_id,
            "department": self.department,
            "position_title": self.position_title,
            "employee_state": self.employee_state,
            "city": self.city,
            "state_or_province": self.state_or_province,
            "country": self.country,
            "invitation_sent_at": format_timestamp(self.invited_at),
            "url": f"{base_url}/v1/organizations/{self.organization_id}/employees/{self.id}",
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.updated_at),
        }
