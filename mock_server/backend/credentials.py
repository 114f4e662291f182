"""Authorization tokens (list, create, rotate) and OAuth 2.0 client credentials."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from ..exceptions import CannotRotate, InvalidClient, InvalidScope, OAuthApplicationNotFound
from ..models import SCOPES, AccessToken, AuthorizationToken, OAuthApplication, new_id
from ..models.credentials import DEFAULT_OAUTH_LIFETIME, new_secret
from .base import BackendBase, Caller


class CredentialsMixin(BackendBase):
    # -- authorization tokens ----------------------------------------------------------------------

    def list_authorization_tokens(self, caller: Caller, organization_id: str) -> list[AuthorizationToken]:
        """The organization's tokens; a read-only caller sees only the read-only ones (Credly's rule)."""
        with self._lock:
            organization = self._owned(caller, organization_id)
            tokens = [t for t in self._authorization_tokens.values() if t.organization is organization]
        own = caller.authorization_token
        if own is not None and own.read_only:
            tokens = [t for t in tokens if t.read_only]
        return tokens

    def create_authorization_token(
        self, caller: Caller, organization_id: str, description: str | None = None, **flags: bool
    ) -> AuthorizationToken:
        """A new token (flags: read_enabled, write_enabled, delete_enabled; all true by default)."""
        with self._lock:
            organization = self._owned(caller, organization_id)
            return self._add_token(organization, secrets.token_hex(16), description, **flags)  # type: ignore[attr-defined]

    def rotate_authorization_token(self, caller: Caller, organization_id: str) -> AuthorizationToken:
        """Give the caller's own token a new value and a new 180 days; the old value is refused at once.

        A caller on an OAuth access token has no token of its own to rotate: CannotRotate.
        """
        with self._lock:
            self._owned(caller, organization_id)
            credential = caller.authorization_token
            if credential is None:
                raise CannotRotate()
            del self._by_token[credential.token]
            credential.token = secrets.token_hex(16)
            credential.created_at = self.clock.now()
            self._by_token[credential.token] = credential
            return credential

    # -- OAuth -------------------------------------------------------------------------------------

    def create_oauth_application(
        self,
        organization_id: str,
        name: str,
        scopes: Sequence[str] | None = None,
        expires_in: int | None = None,
    ) -> OAuthApplication:
        """A client-credentials application (control API: on Credly, staff create them)."""
        organization = self.organization(organization_id)  # type: ignore[attr-defined]
        with self._lock:
            application = OAuthApplication(
                id=new_id(),
                organization=organization,
                name=name,
                client_id=secrets.token_hex(16),
                client_secret=new_secret(),
                scopes=tuple(scopes) if scopes is not None else SCOPES,
                expires_in=expires_in or DEFAULT_OAUTH_LIFETIME,
                created_at=self.clock.now(),
            )
            self._applications[application.id] = application
            self._by_client_id[application.client_id] = application
            return application

    def list_oauth_applications(self, caller: Caller, organization_id: str) -> list[OAuthApplication]:
        with self._lock:
            organization = self._owned(caller, organization_id)
            return [a for a in self._applications.values() if a.organization is organization]

    def get_oauth_application(
        self, caller: Caller, organization_id: str, application_id: str
    ) -> OAuthApplication:
        with self._lock:
            organization = self._owned(caller, organization_id)
            application = self._applications.get(application_id)
            if application is None or application.organization is not organization:
                raise OAuthApplicationNotFound(application_id)
            return application

    def issue_access_token(
        self, client_id: str, client_secret: str, scopes: Sequence[str] | None
    ) -> AccessToken:
        """A Bearer token for the client (`scopes`: None for all the application's)."""
        with self._lock:
            application = self._by_client_id.get(client_id)
        if application is None or not secrets.compare_digest(application.client_secret, client_secret):
            raise InvalidClient()
        wanted = tuple(scopes) if scopes else application.scopes
        refused = [scope for scope in wanted if scope not in application.scopes]
        if refused:
            raise InvalidScope(f"The application may not ask for: {' '.join(refused)}.")
        now = self.clock.now()
        access = AccessToken(
            token=secrets.token_urlsafe(32),
            application=application,
            scopes=wanted,
            created_at=now,
            expires_at=now + timedelta(seconds=application.expires_in),
        )
        with self._lock:
            self._access_tokens[access.token] = access
        return access
