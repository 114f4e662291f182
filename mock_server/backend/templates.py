"""Badge templates: list, get, create, update, archive and delete (on `/v1` and the control API)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import query
from ..exceptions import BadgeTemplateNotFound, Conflict
from ..filters import TEMPLATE_FILTERS, TEMPLATE_SORTS
from ..models import BadgeTemplate, Organization, new_id
from ..query import Clause
from .base import BackendBase, Caller


class TemplatesMixin(BackendBase):
    def list_badge_templates(
        self,
        caller: Caller,
        organization_id: str,
        clauses: Sequence[Clause] = (),
        sort: Sequence[tuple[str, bool]] = (),
    ) -> list[BadgeTemplate]:
        """Filtered and sorted; without `sort`, in creation order."""
        with self._lock:
            organization = self._owned(caller, organization_id)
            templates = [t for t in self._templates.values() if t.organization is organization]
        return query.apply_sort(
            query.apply_filter(templates, clauses, TEMPLATE_FILTERS), sort, TEMPLATE_SORTS
        )

    def get_badge_template(self, caller: Caller, organization_id: str, template_id: str) -> BadgeTemplate:
        with self._lock:
            return self._template_of(self._owned(caller, organization_id), template_id)

    def create_badge_template(
        self, caller: Caller, organization_id: str, fields: dict[str, Any]
    ) -> BadgeTemplate:
        with self._lock:
            organization = self._owned(caller, organization_id)
            template = self._add_template(organization, **fields)
            self._record(organization, "badge_template.created", template)
            return template

    def update_badge_template(
        self, caller: Caller, organization_id: str, template_id: str, changes: dict[str, Any]
    ) -> BadgeTemplate:
        with self._lock:
            template = self._template_of(self._owned(caller, organization_id), template_id)
            return self._change_template(template, changes)

    def archive_badge_template(self, caller: Caller, organization_id: str, template_id: str) -> BadgeTemplate:
        return self.update_badge_template(caller, organization_id, template_id, {"state": "archived"})

    def delete_badge_template(self, caller: Caller, organization_id: str, template_id: str) -> BadgeTemplate:
        with self._lock:
            return self._delete_template(self._template_of(self._owned(caller, organization_id), template_id))

    # -- control API -------------------------------------------------------------------------------

    def add_badge_template(self, organization_id: str, name: str, **fields: Any) -> BadgeTemplate:
        """A new template in any organization, recording badge_template.created."""
        organization = self.organization(organization_id)  # type: ignore[attr-defined]
        with self._lock:
            template = self._add_template(organization, name=name, **fields)
            self._record(organization, "badge_template.created", template)
            return template

    def edit_badge_template(self, template_id: str, changes: dict[str, Any]) -> BadgeTemplate:
        """Change any template's fields, recording badge_template.changed (when something changed)."""
        with self._lock:
            return self._change_template(self._any_template(template_id), changes)

    def remove_badge_template(self, template_id: str) -> BadgeTemplate:
        """Delete any template, recording badge_template.deleted; its badges stay and still show it."""
        with self._lock:
            return self._delete_template(self._any_template(template_id))

    def find_template(self, template_id: str) -> BadgeTemplate | None:
        """Any organization's template by id (public pages)."""
        with self._lock:
            return self._templates.get(template_id)

    # -- helpers -----------------------------------------------------------------------------------

    def _any_template(self, template_id: str) -> BadgeTemplate:
        template = self._templates.get(template_id)
        if template is None:
            raise BadgeTemplateNotFound(template_id)
        return template

    def _template_of(self, organization: Organization, template_id: str) -> BadgeTemplate:
        template = self._templates.get(template_id)
        if template is None or template.organization is not organization:
            raise BadgeTemplateNotFound(template_id)
        return template

    def _add_template(
        self, organization: Organization, *, id: str | None = None, **fields: Any
    ) -> BadgeTemplate:
        if id is not None and id in self._templates:
            raise Conflict(f"A badge template with id {id} already exists.")
        now = self.clock.now()
        template = BadgeTemplate(
            id=id or new_id(),
            organization=organization,
            created_at=now,
            updated_at=now,
            state_updated_at=now,
            **fields,
        )
        self._templates[template.id] = template
        return template

    def _change_template(self, template: BadgeTemplate, changes: dict[str, Any]) -> BadgeTemplate:
        changed = {key: value for key, value in changes.items() if getattr(template, key) != value}
        if not changed:
            return template
        now = self.clock.now()
        for key, value in changed.items():
            setattr(template, key, value)
        template.updated_at = now
        if "state" in changed:
            template.state_updated_at = now
        self._record(template.organization, "badge_template.changed", template)
        return template

    def _delete_template(self, template: BadgeTemplate) -> BadgeTemplate:
        del self._templates[template.id]
        self._record(template.organization, "badge_template.deleted", template)
        return template
