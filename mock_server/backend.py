"""The mock's state: organizations, badge templates, badges and events, with one method per operation.

Methods for `/v1` operations take the `caller` (the organization whose token signed the request) and
check that it owns the organization in the path: an unknown organization is OrganizationNotFound, one
that belongs to another token is Forbidden. Control-API methods (`create_*`, `accept_badge`,
`reject_badge`, `snapshot`) take no caller. Every method holds one lock: the server is threaded.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import query
from .exceptions import (
    BadgeNotFound,
    BadgeTemplateNotFound,
    Conflict,
    DuplicateBadge,
    EventNotFound,
    Forbidden,
    InvalidStateTransition,
    InvalidToken,
    OrganizationNotFound,
    TemplateNotIssuable,
    UnknownBadgeTemplate,
)
from .filters import BADGE_FILTERS, BADGE_SORTS, EVENT_FILTERS, EVENT_SORTS, TEMPLATE_FILTERS, TEMPLATE_SORTS
from .models import Badge, BadgeTemplate, Event, Organization, new_id
from .query import Clause

# Badges in these states block a second badge of the same template for the same earner.
HOLDING_STATES = ("pending", "accepted")


@dataclass(frozen=True)
class Snapshot:
    """A consistent copy of everything the mock holds, for `GET /_mock/state`."""

    organizations: list[Organization]
    badge_templates: list[BadgeTemplate]
    badges: list[Badge]
    events: list[Event]
    tokens: dict[str, str]
    requests: dict[str, int]


class CredlyBackend:
    """In-memory Credly for the organizations of one seed (see `seed.py`)."""

    def __init__(self, seed: dict[str, Any]) -> None:
        self._seed = seed
        self._lock = threading.RLock()
        self.reset()

    # -- state -------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything and load the seed again (the seed's templates emit no events)."""
        with self._lock:
            self._organizations: dict[str, Organization] = {}
            self._tokens: dict[str, Organization] = {}
            self._templates: dict[str, BadgeTemplate] = {}
            self._badges: dict[str, Badge] = {}
            self._events: list[Event] = []
            self._requests: Counter[str] = Counter()
            for org in self._seed["organizations"]:
                organization = self.create_organization(org["name"], id=org["id"], token=org["token"])
                for template in org["badge_templates"]:
                    self._add_template(organization, **template)

    def seeded_organizations(self) -> list[dict[str, str]]:
        """`{"id", "name", "token"}` of each organization of the seed (what a reset brings back)."""
        return [{"id": o["id"], "name": o["name"], "token": o["token"]} for o in self._seed["organizations"]]

    def count_request(self, operation: str) -> None:
        """Count one `/v1` request for the `stats` of `GET /_mock/state`."""
        with self._lock:
            self._requests[operation] += 1

    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(
                organizations=list(self._organizations.values()),
                badge_templates=list(self._templates.values()),
                badges=list(self._badges.values()),
                events=list(self._events),
                tokens={org.id: org.token for org in self._organizations.values()},
                requests=dict(self._requests),
            )

    # -- authentication ----------------------------------------------------------------------------

    def authenticate(self, token: str | None) -> Organization:
        """The organization a token belongs to; InvalidToken for a missing or unknown token."""
        with self._lock:
            organization = self._tokens.get(token or "")
        if organization is None:
            raise InvalidToken()
        return organization

    def _owned(self, caller: Organization, organization_id: str) -> Organization:
        organization = self._organizations.get(organization_id)
        if organization is None:
            raise OrganizationNotFound(organization_id)
        if organization is not caller:
            raise Forbidden()
        return organization

    # -- organizations -----------------------------------------------------------------------------

    def list_organizations(self, caller: Organization) -> list[Organization]:
        """The organizations the caller's token can see: its own."""
        return [caller]

    def get_organization(self, caller: Organization, organization_id: str) -> Organization:
        with self._lock:
            return self._owned(caller, organization_id)

    # -- badge templates ---------------------------------------------------------------------------

    def list_badge_templates(
        self,
        caller: Organization,
        organization_id: str,
        clauses: Sequence[Clause] = (),
        sort: Sequence[tuple[str, bool]] = (),
    ) -> list[BadgeTemplate]:
        with self._lock:
            organization = self._owned(caller, organization_id)
            templates = [t for t in self._templates.values() if t.organization is organization]
        return query.apply_sort(
            query.apply_filter(templates, clauses, TEMPLATE_FILTERS), sort, TEMPLATE_SORTS
        )

    def get_badge_template(
        self, caller: Organization, organization_id: str, template_id: str
    ) -> BadgeTemplate:
        with self._lock:
            organization = self._owned(caller, organization_id)
            template = self._templates.get(template_id)
            if template is None or template.organization is not organization:
                raise BadgeTemplateNotFound(template_id)
            return template

    # -- badges ------------------------------------------------------------------------------------

    def issue_badge(
        self,
        caller: Organization,
        organization_id: str,
        *,
        badge_template_id: str,
        recipient_email: str,
        issued_to_first_name: str,
        issued_to_last_name: str,
        issued_at: datetime,
        **optional: Any,
    ) -> Badge:
        """Issue a pending badge; `optional` holds the other `Badge` fields the request gave.

        Refuses an unknown, archived or draft template, and a duplicate: a pending or accepted badge
        of the same template with the same email (any case) or the same non-null issuer_earner_id,
        unless the template allows duplicates.
        """
        with self._lock:
            organization = self._owned(caller, organization_id)
            template = self._templates.get(badge_template_id)
            if template is None or template.organization is not organization:
                raise UnknownBadgeTemplate(badge_template_id)
            if template.state != "active":
                raise TemplateNotIssuable(template.id, template.state)
            earner_id = optional.get("issuer_earner_id")
            if not template.allow_duplicate_badges and any(
                held.template is template
                and held.state in HOLDING_STATES
                and (
                    held.recipient_email.casefold() == recipient_email.casefold()
                    or (earner_id is not None and held.issuer_earner_id == earner_id)
                )
                for held in self._badges.values()
            ):
                raise DuplicateBadge()
            badge = Badge(
                id=new_id(),
                template=template,
                recipient_email=recipient_email,
                issued_to_first_name=issued_to_first_name,
                issued_to_last_name=issued_to_last_name,
                issued_at=issued_at,
                **optional,
            )
            self._badges[badge.id] = badge
            template.badges_count += 1
            self._record(organization, "badge.created", badge)
            return badge

    def list_badges(
        self,
        caller: Organization,
        organization_id: str,
        clauses: Sequence[Clause] = (),
        sort: Sequence[tuple[str, bool]] = (),
    ) -> list[Badge]:
        with self._lock:
            organization = self._owned(caller, organization_id)
            badges = [b for b in self._badges.values() if b.template.organization is organization]
        return query.apply_sort(query.apply_filter(badges, clauses, BADGE_FILTERS), sort, BADGE_SORTS)

    def get_badge(self, caller: Organization, organization_id: str, badge_id: str) -> Badge:
        with self._lock:
            return self._badge_of(self._owned(caller, organization_id), badge_id)

    def revoke_badge(self, caller: Organization, organization_id: str, badge_id: str, reason: str) -> Badge:
        """Revoke a badge in any state but revoked (revoking twice is InvalidStateTransition)."""
        with self._lock:
            organization = self._owned(caller, organization_id)
            badge = self._badge_of(organization, badge_id)
            if badge.state == "revoked":
                raise InvalidStateTransition(badge.id, badge.state, "revoked")
            badge.revocation_reason = reason
            badge.set_state("revoked")
            self._record(organization, "badge.state.changed", badge)
            return badge

    def delete_badge(self, caller: Organization, organization_id: str, badge_id: str) -> Badge:
        """Remove a badge for good; its events stay and still show it."""
        with self._lock:
            organization = self._owned(caller, organization_id)
            badge = self._badge_of(organization, badge_id)
            del self._badges[badge.id]
            badge.template.badges_count -= 1
            self._record(organization, "badge.deleted", badge)
            return badge

    def _badge_of(self, organization: Organization, badge_id: str) -> Badge:
        badge = self._badges.get(badge_id)
        if badge is None or badge.template.organization is not organization:
            raise BadgeNotFound(badge_id)
        return badge

    # -- events ------------------------------------------------------------------------------------

    def list_events(
        self,
        caller: Organization,
        organization_id: str,
        clauses: Sequence[Clause] = (),
        sort: Sequence[tuple[str, bool]] = (),
    ) -> list[Event]:
        with self._lock:
            organization = self._owned(caller, organization_id)
            events = [e for e in self._events if e.organization is organization]
        return query.apply_sort(query.apply_filter(events, clauses, EVENT_FILTERS), sort, EVENT_SORTS)

    def get_event(self, caller: Organization, organization_id: str, event_id: str) -> Event:
        with self._lock:
            organization = self._owned(caller, organization_id)
            for event in self._events:
                if event.id == event_id and event.organization is organization:
                    return event
            raise EventNotFound(event_id)

    def _record(self, organization: Organization, event_type: str, subject: Badge | BadgeTemplate) -> None:
        self._events.append(
            Event(id=new_id(), organization=organization, event_type=event_type, subject=subject)
        )

    # -- control API -------------------------------------------------------------------------------

    def create_organization(
        self, name: str, *, id: str | None = None, token: str | None = None
    ) -> Organization:
        """A new organization with its token (a random one unless given)."""
        with self._lock:
            if id is not None and id in self._organizations:
                raise Conflict(f"An organization with id {id} already exists.")
            if token is not None and token in self._tokens:
                raise Conflict("That token already belongs to an organization.")
            organization = Organization(id=id or new_id(), name=name, token=token or secrets.token_hex(16))
            self._organizations[organization.id] = organization
            self._tokens[organization.token] = organization
            return organization

    def create_badge_template(self, organization_id: str, name: str, **fields: Any) -> BadgeTemplate:
        """A new template (`fields`: id, state, description, allow_duplicate_badges, public)."""
        with self._lock:
            organization = self._organizations.get(organization_id)
            if organization is None:
                raise OrganizationNotFound(organization_id)
            template = self._add_template(organization, name=name, **fields)
            self._record(organization, "badge_template.created", template)
            return template

    def _add_template(
        self, organization: Organization, *, id: str | None = None, **fields: Any
    ) -> BadgeTemplate:
        if id is not None and id in self._templates:
            raise Conflict(f"A badge template with id {id} already exists.")
        template = BadgeTemplate(id=id or new_id(), organization=organization, **fields)
        self._templates[template.id] = template
        return template

    def accept_badge(self, badge_id: str) -> Badge:
        """The earner accepts a pending badge."""
        return self._answer(badge_id, "accepted")

    def reject_badge(self, badge_id: str) -> Badge:
        """The earner rejects a pending badge."""
        return self._answer(badge_id, "rejected")

    def _answer(self, badge_id: str, state: str) -> Badge:
        with self._lock:
            badge = self.find_badge(badge_id)
            if badge is None:
                raise BadgeNotFound(badge_id)
            if badge.state != "pending":
                raise InvalidStateTransition(badge.id, badge.state, state)
            badge.accepted = state == "accepted"
            badge.set_state(state)
            self._record(badge.template.organization, "badge.state.changed", badge)
            return badge

    def find_badge(self, badge_id: str) -> Badge | None:
        """Any organization's badge by id (for the control API and the public badge page)."""
        with self._lock:
            return self._badges.get(badge_id)
