"""The `/v1` blueprint, the checks every `/v1` request passes first, and the organization routes.

Order of the checks: scripted answers and faults, the credential (401), its permission or OAuth
scope (403), the organization in the path (404, then 403), and only then the handler (body: 400 or
422; business rules: 404 or 422).
"""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from .. import parsing
from ..exceptions import MissingField
from .helpers import backend, context, one, page

v1 = Blueprint("v1", __name__, url_prefix="/v1")

ORG = "/organizations/<organization_id>"
# The OAuth scope each operation needs (Credly's scope names); absent: any scope will do.
SCOPES = {
    **dict.fromkeys(
        (
            "list_badge_templates",
            "get_badge_template",
            "create_badge_template",
            "update_badge_template",
            "archive_badge_template",
            "delete_badge_template",
        ),
        "badge_templates",
    ),
    **dict.fromkeys(
        (
            "issue_badge",
            "issue_badges",
            "list_badges",
            "get_badge",
            "revoke_badge",
            "replace_badge",
            "delete_badge",
            "high_volume_issued_badge_search",
        ),
        "issued_badges",
    ),
    "list_events": "events",
    "get_event": "events",
    **dict.fromkeys(
        ("list_authorization_tokens", "create_authorization_token", "rotate_authorization_token"),
        "authorization_tokens",
    ),
    **dict.fromkeys(
        (
            "list_employees",
            "create_employee",
            "get_employee",
            "update_employee",
            "delete_employee",
            "get_employee_data",
        ),
        "workforce",
    ),
    "invite_employees": "invitations",
}
# The authorization-token flag each HTTP method needs.
PERMISSIONS = {
    "GET": "read",
    "HEAD": "read",
    "POST": "write",
    "PUT": "write",
    "PATCH": "write",
    "DELETE": "delete",
}


def guard_api(operation: str) -> None:
    """Count the request, then answer it as scripted or faulted if the control API says so."""
    mock = context()
    mock.backend.count_request(operation)
    mock.script.apply(operation)
    mock.faults.apply()


@v1.before_request
def _checks() -> None:
    operation = (request.endpoint or "").removeprefix("v1.")
    guard_api(operation)
    mock = backend()
    g.caller = mock.authenticate(*parsing.credential(request.headers.get("Authorization")))
    mock.authorize(g.caller, SCOPES.get(operation), PERMISSIONS.get(request.method, "write"))
    organization_id = (request.view_args or {}).get("organization_id")
    if organization_id is not None:
        mock.check_organization(g.caller, organization_id)


@v1.get("/organizations")
def list_organizations() -> Response:
    return page(backend().list_organizations(g.caller))


@v1.get(ORG)
def get_organization(organization_id: str) -> tuple[Response, int]:
    return one(backend().get_organization(g.caller, organization_id))


@v1.put(ORG)
def update_organization(organization_id: str) -> tuple[Response, int]:
    changes = parsing.known_fields("update_organization", parsing.read_body("organization"), keep_nulls=True)
    if "name" in changes and not changes["name"]:
        raise MissingField("name")
    return one(backend().update_organization(g.caller, organization_id, changes))
