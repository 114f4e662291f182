"""Credentials: authorization tokens (Basic auth), OAuth applications and the Bearer tokens they get."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..timestamps import format_timestamp
from .organization import Organization

# Credly's authorization tokens expire 180 days after they are made.
TOKEN_LIFETIME = timedelta(days=180)
SCOPES = (
    "authorization_tokens",
    "badge_templates",
    "events",
    "invitations",
    "issued_badges",
    "memberships",
    "recommendations",
    "workforce",
)
# Doorkeeper's default, and what open-source Credly clients assume.
DEFAULT_OAUTH_LIFETIME = 7200


def new_secret() -> str:
    return secrets.token_hex(20)


@dataclass(eq=False)
class AuthorizationToken:
    id: str
    organization: Organization
    token: str
    created_at: datetime
    description: str | None = None
    read_enabled: bool = True
    write_enabled: bool = True
    delete_enabled: bool = True

    @property
    def expires_at(self) -> datetime:
        return self.created_at + TOKEN_LIFETIME

    @property
    def read_only(self) -> bool:
        return not (self.write_enabled or self.delete_enabled)

    def allows(self, permission: str) -> bool:
        return bool(getattr(self, f"{permission}_enabled"))

    def to_dict(self, base_url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "token": self.token,
            "owner_id": self.organization.id,
            "description": self.description,
            "read_enabled": self.read_enabled,
            "write_enabled": self.write_enabled,
            "delete_enabled": self.delete_enabled,
            "created_at": format_timestamp(self.created_at),
            "expires_at": format_timestamp(self.expires_at),
            "owner": {
                "type": "Organization",
                "id": self.organization.id,
                "name": self.organization.name,
                "url": self.organization.url(base_url),
            },
        }


@dataclass(eq=False)
class OAuthApplication:
    id: str
    organization: Organization
    name: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    expires_in: int
    created_at: datetime
    description: str | None = None

    def to_dict(self, base_url: str) -> dict[str, Any]:
        """As `GET /v1/organizations/<org>/oauth_applications` shows it (the secret is never shown)."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "uid": self.client_id,
            "secret": None,
            "scopes": " ".join(self.scopes),
            "created_by_id": None,
            "created_by_type": "Organization",
            "created_at": format_timestamp(self.created_at),
        }


@dataclass(eq=False)
class AccessToken:
    """A Bearer token from `POST /oauth/token`."""

    token: str
    application: OAuthApplication
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
