"""`CredlyBackend`: the mock's in-memory Credly, one method per API operation, split by resource."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import AuthorizationToken, Badge, BadgeTemplate, Employee, Event, Organization
from .badges import BadgesMixin
from .base import Caller
from .credentials import CredentialsMixin
from .events import EventsMixin
from .organizations import OrganizationsMixin
from .templates import TemplatesMixin
from .workforce import WorkforceMixin

__all__ = ["Caller", "CredlyBackend", "Snapshot"]


@dataclass(frozen=True)
class Snapshot:
    """A consistent copy of everything the mock holds, for `GET /_mock/state`."""

    organizations: list[Organization]
    badge_templates: list[BadgeTemplate]
    badges: list[Badge]
    events: list[Event]
    employees: list[Employee]
    authorization_tokens: list[AuthorizationToken]
    tokens: dict[str, str]
    requests: dict[str, int]


class CredlyBackend(
    OrganizationsMixin, CredentialsMixin, TemplatesMixin, BadgesMixin, EventsMixin, WorkforceMixin
):
    """In-memory Credly for the organizations of one seed (see `seed.py`), on an injectable clock."""

    def snapshot(self) -> Snapshot:
        with self._lock:
            organizations = list(self._organizations.values())
            tokens = {org.id: self.primary_token(org) or "" for org in organizations}
            return Snapshot(
                organizations=organizations,
                badge_templates=list(self._templates.values()),
                badges=list(self._badges.values()),
                events=list(self._events.values()),
                employees=list(self._employees.values()),
                authorization_tokens=list(self._authorization_tokens.values()),
                tokens=tokens,
                requests=dict(self._requests),
            )
