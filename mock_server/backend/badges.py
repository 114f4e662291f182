"""Issued badges: issue (one or a batch), list, search, get, revoke, replace, delete; the earner's answer.

The duplicate rule is a dictionary lookup: `_holders` maps (template id, recipient key) to the ids of
the pending or accepted badges holding it, so an issue costs the same with ten badges held or a
million.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .. import query
from ..exceptions import (
    AlreadyReplaced,
    BadgeNotFound,
    CredlyError,
    DuplicateBadge,
    InvalidStateTransition,
    TemplateNotIssuable,
    UnknownBadgeTemplate,
)
from ..filters import BADGE_FILTERS, BADGE_SORTS
from ..models import Badge, Organization, new_id
from ..query import Clause
from .base import BackendBase, Caller


def _holder_keys(template_id: str, email: str, earner_id: str | None) -> list[tuple[str, str]]:
    keys = [(template_id, f"email:{email.casefold()}")]
    if earner_id is not None:
        keys.append((template_id, f"earner:{earner_id}"))
    return keys


class BadgesMixin(BackendBase):
    def issue_badge(self, caller: Caller, organization_id: str, fields: dict[str, Any]) -> Badge:
        """Issue a pending badge from the fields of `parsing.issue_fields`.

        Refuses an unknown, archived or draft template, and a duplicate: a pending or accepted badge
        of the same template with the same email (any case) or the same non-null issuer_earner_id,
        unless the template allows duplicates.
        """
        with self._lock:
            return self._issue(self._owned(caller, organization_id), fields)

    def issue_badges(
        self, caller: Caller, organization_id: str, items: Sequence[dict[str, Any] | CredlyError]
    ) -> tuple[list[Badge], list[tuple[int, CredlyError]]]:
        """Issue each item (an error already found while parsing stays that error): badges and errors."""
        issued: list[Badge] = []
        errors: list[tuple[int, CredlyError]] = []
        with self._lock:
            organization = self._owned(caller, organization_id)
            for index, item in enumerate(items):
                try:
                    if isinstance(item, CredlyError):
                        raise item
                    issued.append(self._issue(organization, item))
                except CredlyError as error:
                    errors.append((index, error))
        return issued, errors

    def list_badges(
        self,
        caller: Caller,
        organization_id: str,
        clauses: Sequence[Clause] = (),
        sort: Sequence[tuple[str, bool]] = (),
        *,
        newest_first: bool = True,
    ) -> list[Badge]:
        """Filtered and sorted; without `sort`, newest first (so a reissue is the first one listed)."""
        with self._lock:
            organization = self._owned(caller, organization_id)
            badges = [b for b in self._badges.values() if b.template.organization is organization]
        if newest_first:
            badges.reverse()
        return query.apply_sort(query.apply_filter(badges, clauses, BADGE_FILTERS), sort, BADGE_SORTS)

    def get_badge(self, caller: Caller, organization_id: str, badge_id: str) -> Badge:
        with self._lock:
            return self._badge_of(self._owned(caller, organization_id), badge_id)

    def revoke_badge(self, caller: Caller, organization_id: str, badge_id: str, reason: str) -> Badge:
        """Revoke a badge in any state but revoked (revoking twice is InvalidStateTransition)."""
        with self._lock:
            organization = self._owned(caller, organization_id)
            badge = self._badge_of(organization, badge_id)
            if badge.state == "revoked":
                raise InvalidStateTransition(badge.id, badge.state, "revoked")
            badge.revocation_reason = reason
            self._set_state(badge, "revoked")
            return badge

    def replace_badge(
        self, caller: Caller, organization_id: str, badge_id: str, fields: dict[str, Any]
    ) -> Badge:
        """A new badge in place of this one, linked both ways; the old one becomes revoked.

        `fields` are issue fields; the template, recipient, names and earner id default to the old
        badge's. A badge replaced already is AlreadyReplaced naming the newest of its line.
        """
        with self._lock:
            organization = self._owned(caller, organization_id)
            old = self._badge_of(organization, badge_id)
            if old.replacement_badge_id is not None:
                raise AlreadyReplaced(self._newest_of(old))
            inherited = {
                "badge_template_id": old.template.id,
                "recipient_email": old.recipient_email,
                "issued_to_first_name": old.issued_to_first_name,
                "issued_to_middle_name": old.issued_to_middle_name,
                "issued_to_last_name": old.issued_to_last_name,
                "issuer_earner_id": old.issuer_earner_id,
                "issued_at": self.clock.now(),
            }
            held = old.holds
            if held:
                self._release(old)
            try:
                new = self._issue(organization, {**inherited, **fields, "replaces_badge_id": old.id})
            except CredlyError:
                if held:
                    self._hold(old)
                raise
            old.replacement_badge_id = new.id
            old.revocation_reason = old.revocation_reason or f"Replaced by badge {new.id}."
            if old.state != "revoked":
                old.set_state("revoked", self.clock.now())
                self._record(organization, "badge.state.changed", old)
            return new

    def delete_badge(self, caller: Caller, organization_id: str, badge_id: str) -> Badge:
        """Remove a badge for good; its events stay and still show it."""
        with self._lock:
            badge = self._badge_of(self._owned(caller, organization_id), badge_id)
            del self._badges[badge.id]
            if badge.holds:
                self._release(badge)
            badge.template.badges_count -= 1
            self._record(badge.template.organization, "badge.deleted", badge)
            return badge

    # -- the earner (control API and the earner pages) ---------------------------------------------

    def accept_badge(self, badge_id: str) -> Badge:
        """The earner accepts a pending badge."""
        return self._answer(badge_id, "accepted")

    def reject_badge(self, badge_id: str) -> Badge:
        """The earner rejects a pending badge."""
        return self._answer(badge_id, "rejected")

    def find_badge(self, badge_id: str) -> Badge | None:
        """Any organization's badge by id (for the control API and the public badge page)."""
        with self._lock:
            return self._badges.get(badge_id)

    def badges_of_earner(self, email: str) -> list[Badge]:
        """Every badge issued to `email` (any case), in any organization, newest first."""
        key = email.casefold()
        with self._lock:
            return [b for b in reversed(self._badges.values()) if b.recipient_email.casefold() == key]

    def _answer(self, badge_id: str, state: str) -> Badge:
        with self._lock:
            badge = self._badges.get(badge_id)
            if badge is None:
                raise BadgeNotFound(badge_id)
            if badge.state != "pending":
                raise InvalidStateTransition(badge.id, badge.state, state)
            badge.accepted = state == "accepted"
            self._set_state(badge, state)
            return badge

    # -- helpers -----------------------------------------------------------------------------------

    def _issue(self, organization: Organization, fields: dict[str, Any]) -> Badge:
        fields = dict(fields)
        template_id = fields.pop("badge_template_id")
        template = self._templates.get(template_id)
        if template is None or template.organization is not organization:
            raise UnknownBadgeTemplate(template_id)
        if template.state != "active":
            raise TemplateNotIssuable(template.id, template.state)
        keys = _holder_keys(template.id, fields["recipient_email"], fields.get("issuer_earner_id"))
        if not template.allow_duplicate_badges and any(self._holders.get(key) for key in keys):
            raise DuplicateBadge()
        issued_at: datetime = fields.pop("issued_at")
        badge = Badge(
            id=new_id(), template=template, issued_at=issued_at, created_at=self.clock.now(), **fields
        )
        self._badges[badge.id] = badge
        self._hold(badge)
        template.badges_count += 1
        self._record(organization, "badge.created", badge)
        return badge

    def _set_state(self, badge: Badge, state: str) -> None:
        held = badge.holds
        badge.set_state(state, self.clock.now())
        if held and not badge.holds:
            self._release(badge)
        self._record(badge.template.organization, "badge.state.changed", badge)

    def _hold(self, badge: Badge) -> None:
        for key in _holder_keys(badge.template.id, badge.recipient_email, badge.issuer_earner_id):
            self._holders.setdefault(key, set()).add(badge.id)

    def _release(self, badge: Badge) -> None:
        for key in _holder_keys(badge.template.id, badge.recipient_email, badge.issuer_earner_id):
            holders = self._holders.get(key)
            if holders is not None:
                holders.discard(badge.id)
                if not holders:
                    del self._holders[key]

    def _newest_of(self, badge: Badge) -> str:
        """The last badge of the line of replacements that starts at `badge`."""
        current = badge
        while current.replacement_badge_id is not None:
            following = self._badges.get(current.replacement_badge_id)
            if following is None:
                return current.replacement_badge_id
            current = following
        return current.id

    def _badge_of(self, organization: Organization, badge_id: str) -> Badge:
        badge = self._badges.get(badge_id)
        if badge is None or badge.template.organization is not organization:
            raise BadgeNotFound(badge_id)
        return badge
