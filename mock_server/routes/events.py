"""`/v1/organizations/<org>/events`: list and get."""

from __future__ import annotations

from flask import Response, g

from .helpers import backend, list_query, one, page
from .v1 import ORG, v1


@v1.get(f"{ORG}/events")
def list_events(organization_id: str) -> Response:
    return page(backend().list_events(g.caller, organization_id, **list_query()))


@v1.get(f"{ORG}/events/<event_id>")
def get_event(organization_id: str, event_id: str) -> tuple[Response, int]:
    return one(backend().get_event(g.caller, organization_id, event_id))
