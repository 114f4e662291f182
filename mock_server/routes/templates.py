"""`/v1/organizations/<org>/badge_templates`: list, get, create, update, archive, delete."""

from __future__ import annotations

from flask import Response, g

from .. import parsing
from ..exceptions import MissingField
from .helpers import backend, list_query, one, page
from .v1 import ORG, v1

TEMPLATES = f"{ORG}/badge_templates"


def _fields() -> dict:
    return parsing.known_fields("badge_template_request", parsing.read_body("badge_template"))


@v1.get(TEMPLATES)
def list_badge_templates(organization_id: str) -> Response:
    return page(backend().list_badge_templates(g.caller, organization_id, **list_query()))


@v1.get(f"{TEMPLATES}/<template_id>")
def get_badge_template(organization_id: str, template_id: str) -> tuple[Response, int]:
    return one(backend().get_badge_template(g.caller, organization_id, template_id), single=True)


@v1.post(TEMPLATES)
def create_badge_template(organization_id: str) -> tuple[Response, int]:
    fields = _fields()
    if "name" not in fields:
        raise MissingField("name")
    return one(backend().create_badge_template(g.caller, organization_id, fields), 201, single=True)


@v1.put(f"{TEMPLATES}/<template_id>")
def update_badge_template(organization_id: str, template_id: str) -> tuple[Response, int]:
    backend().get_badge_template(g.caller, organization_id, template_id)
    changes = _fields()
    return one(backend().update_badge_template(g.caller, organization_id, template_id, changes), single=True)


@v1.route(f"{TEMPLATES}/<template_id>/archive", methods=["POST", "PUT"])
def archive_badge_template(organization_id: str, template_id: str) -> tuple[Response, int]:
    return one(backend().archive_badge_template(g.caller, organization_id, template_id), single=True)


@v1.delete(f"{TEMPLATES}/<template_id>")
def delete_badge_template(organization_id: str, template_id: str) -> tuple[Response, int]:
    return one(backend().delete_badge_template(g.caller, organization_id, template_id), single=True)
