"""Organizations: list, get, update (`webhook_url`), and the control API's create."""

from __future__ import annotations

import secrets
from typing import Any

from ..exceptions import Conflict, OrganizationNotFound, WebhookUrlRefused
from ..models import AuthorizationToken, Organization, new_id
from ..webhooks import is_loopback_url
from .base import BackendBase, Caller


class OrganizationsMixin(BackendBase):
    def list_organizations(self, caller: Caller) -> list[Organization]:
        """The organizations the caller's credential can see: its own."""
        return [caller.organization]

    def get_organization(self, caller: Caller, organization_id: str) -> Organization:
        with self._lock:
            return self._owned(caller, organization_id)

    def update_organization(
        self, caller: Caller, organization_id: str, changes: dict[str, Any]
    ) -> Organization:
        """Change the profile fields given (validated by the caller); a webhook_url must be loopback."""
        url = changes.get("webhook_url")
        if url and not is_loopback_url(url):
            raise WebhookUrlRefused(url)
        with self._lock:
            organization = self._owned(caller, organization_id)
            for key, value in changes.items():
                if key == "name":
                    organization.name = value
                else:
                    organization.profile[key] = value
            organization.updated_at = self.clock.now()
            return organization

    def find_organization(self, organization_id: str) -> Organization | None:
        """Any organization by id (control API, public pages)."""
        with self._lock:
            return self._organizations.get(organization_id)

    def organization(self, organization_id: str) -> Organization:
        """Any organization by id; OrganizationNotFound."""
        organization = self.find_organization(organization_id)
        if organization is None:
            raise OrganizationNotFound(organization_id)
        return organization

    def create_organization(
        self, name: str, *, id: str | None = None, token: str | None = None
    ) -> tuple[Organization, AuthorizationToken]:
        """A new organization and its first authorization token (a random one unless given)."""
        with self._lock:
            if id is not None and id in self._organizations:
                raise Conflict(f"An organization with id {id} already exists.")
            if token is not None and token in self._by_token:
                raise Conflict("That token already belongs to an organization.")
            now = self.clock.now()
            organization = Organization(id=id or new_id(), name=name, created_at=now, updated_at=now)
            self._organizations[organization.id] = organization
            credential = self._add_token(
                organization, token or secrets.token_hex(16), "created with the organization"
            )
            return organization, credential

    def _add_token(
        self, organization: Organization, token: str, description: str | None, **flags: bool
    ) -> AuthorizationToken:
        credential = AuthorizationToken(
            id=new_id(),
            organization=organization,
            token=token,
            created_at=self.clock.now(),
            description=description,
            **flags,
        )
        self._authorization_tokens[credential.id] = credential
        self._by_token[token] = credential
        return credential

    def primary_token(self, organization: Organization) -> str | None:
        """The organization's first authorization token (after rotations, what it was rotated into)."""
        with self._lock:
            for credential in self._authorization_tokens.values():
                if credential.organization is organization:
                    return credential.token
        return None
