"""The backend's state, its lock, authentication and the event log, shared by the resource mixins.

Methods for `/v1` operations take the `caller` (who signed the request) and check that it owns the
organization in the path: an unknown organization is OrganizationNotFound, one that belongs to another
credential is Forbidden. Control-API methods take no caller. Every method holds one re-entrant lock
for the few microseconds it touches the dictionaries, never across I/O or a fault's latency.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..exceptions import Forbidden, InsufficientScope, InvalidToken, MissingPermission, OrganizationNotFound
from ..models import (
    BASE,
    AccessToken,
    AuthorizationToken,
    Badge,
    BadgeTemplate,
    Employee,
    Event,
    OAuthApplication,
    Organization,
    new_id,
)

EventListener = Callable[[Event], None]


@dataclass(frozen=True)
class Caller:
    """Who signed a `/v1` request: an authorization token (Basic) or an OAuth access token (Bearer)."""

    organization: Organization
    credential: AuthorizationToken | AccessToken

    @property
    def authorization_token(self) -> AuthorizationToken | None:
        return self.credential if isinstance(self.credential, AuthorizationToken) else None


class BackendBase:
    """State and the helpers every resource mixin uses."""

    def __init__(self, seed: dict[str, Any], clock: Clock) -> None:
        self._seed = seed
        self.clock = clock
        self._lock = threading.RLock()
        self._listener: EventListener | None = None
        self.reset()

    def on_event(self, listener: EventListener | None) -> None:
        """Call `listener(event)` for every event recorded from now on (the webhook dispatcher)."""
        self._listener = listener

    def reset(self) -> None:
        """Forget everything and load the seed again (the seed's templates record no events)."""
        with self._lock:
            self._organizations: dict[str, Organization] = {}
            self._authorization_tokens: dict[str, AuthorizationToken] = {}
            self._by_token: dict[str, AuthorizationToken] = {}
            self._applications: dict[str, OAuthApplication] = {}
            self._by_client_id: dict[str, OAuthApplication] = {}
            self._access_tokens: dict[str, AccessToken] = {}
            self._templates: dict[str, BadgeTemplate] = {}
            self._badges: dict[str, Badge] = {}
            # (template id, "email:<casefolded email>" or "earner:<issuer_earner_id>") -> holding badge ids
            self._holders: dict[tuple[str, str], set[str]] = {}
            self._events: dict[str, Event] = {}
            self._employees: dict[str, Employee] = {}
            self._employee_emails: dict[tuple[str, str], str] = {}
            self._requests: Counter[str] = Counter()
            for org in self._seed["organizations"]:
                organization, _ = self.create_organization(org["name"], id=org["id"], token=org["token"])
                for template in org["badge_templates"]:
                    self._add_template(organization, **template)  # type: ignore[attr-defined]

    def seeded_organizations(self) -> list[dict[str, str]]:
        """`{"id", "name", "token"}` of each organization of the seed (what a reset brings back)."""
        return [{"id": o["id"], "name": o["name"], "token": o["token"]} for o in self._seed["organizations"]]

    def count_request(self, operation: str) -> None:
        """Count one API request for the `stats` of `GET /_mock/state`."""
        with self._lock:
            self._requests[operation] += 1

    # -- authentication ----------------------------------------------------------------------------

    def authenticate(self, scheme: str, token: str | None) -> Caller:
        """Who a token belongs to; InvalidToken for a missing, unknown, expired or rotated one.

        `scheme` is `bearer` or `basic`. A Bearer token is looked up among OAuth access tokens first,
        then among authorization tokens (lenient: some clients send the token as a Bearer).
        """
        now = self.clock.now()
        with self._lock:
            if scheme == "bearer" and token in self._access_tokens:
                access = self._access_tokens[token]
                if access.expires_at <= now:
                    del self._access_tokens[token]
                    raise InvalidToken(headers=_bearer_challenge("The access token expired"))
                return Caller(access.application.organization, access)
            authorization = self._by_token.get(token or "")
        if authorization is None or authorization.expires_at <= now:
            headers = _bearer_challenge("The access token is invalid") if scheme == "bearer" else None
            raise InvalidToken(headers=headers)
        return Caller(authorization.organization, authorization)

    @staticmethod
    def authorize(caller: Caller, scope: str | None, permission: str) -> None:
        """MissingPermission or InsufficientScope when the credential may not do the operation."""
        credential = caller.credential
        if isinstance(credential, AuthorizationToken):
            if not credential.allows(permission):
                raise MissingPermission(permission)
        elif scope is not None and scope not in credential.scopes:
            raise InsufficientScope(scope)

    def check_organization(self, caller: Caller, organization_id: str) -> None:
        """OrganizationNotFound or Forbidden, before anything in the request is looked at."""
        with self._lock:
            self._owned(caller, organization_id)

    def _owned(self, caller: Caller, organization_id: str) -> Organization:
        organization = self._organizations.get(organization_id)
        if organization is None:
            raise OrganizationNotFound(organization_id)
        if organization is not caller.organization:
            raise Forbidden()
        return organization

    # -- events ------------------------------------------------------------------------------------

    def _record(self, organization: Organization, event_type: str, subject: Badge | BadgeTemplate) -> Event:
        """Record an event with the subject as it is now, then tell the listener (which only queues)."""
        key = "badge" if isinstance(subject, Badge) else "badge_template"
        event = Event(
            id=new_id(),
            organization=organization,
            event_type=event_type,
            subject_key=key,
            subject_id=subject.id,
            details=subject.to_dict(BASE),
            occurred_at=self.clock.now(),
        )
        self._events[event.id] = event
        if self._listener is not None:
            self._listener(event)
        return event


def _bearer_challenge(description: str) -> dict[str, str]:
    return {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'}
