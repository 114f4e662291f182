"""Events: list and get (recorded by the other mixins through `_record`)."""

from __future__ import annotations

from collections.abc import Sequence

from .. import query
from ..exceptions import EventNotFound
from ..filters import EVENT_FILTERS, EVENT_SORTS
from ..models import Event
from ..query import Clause
from .base import BackendBase, Caller


class EventsMixin(BackendBase):
    def list_events(
        self,
        caller: Caller,
        organization_id: str,
        clauses: Sequence[Clause] = (),
        sort: Sequence[tuple[str, bool]] = (),
    ) -> list[Event]:
        """Filtered and sorted; without `sort`, in the order they happened."""
        with self._lock:
            organization = self._owned(caller, organization_id)
            events = [e for e in self._events.values() if e.organization is organization]
        return query.apply_sort(query.apply_filter(events, clauses, EVENT_FILTERS), sort, EVENT_SORTS)

    def get_event(self, caller: Caller, organization_id: str, event_id: str) -> Event:
        with self._lock:
            organization = self._owned(caller, organization_id)
            event = self._events.get(event_id)
            if event is None or event.organization is not organization:
                raise EventNotFound(event_id)
            return event
