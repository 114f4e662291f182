"""URL rules and their thin handlers: parse the request, call the backend, serialise the answer.

Three blueprints: `v1` (the Credly API: faults, then the token, on every request), `control`
(`/_mock/...`, the mock's own API; JSON in, JSON out, never faulted) and `public` (what a browser
opens: the badge page behind `badge_url`).
"""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, Response, g, jsonify, render_template_string, request

from . import parsing, query
from .context import get_context
from .exceptions import BadgeNotFound

v1 = Blueprint("v1", __name__, url_prefix="/v1")
control = Blueprint("control", __name__, url_prefix="/_mock")
public = Blueprint("public", __name__)

ORG = "/organizations/<organization_id>"
# A 1×1 PNG served for every template image, so image URLs resolve.
BADGE_IMAGE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGOQ7+oCAAH/ATTF0XY4AAAAAElFTkSuQmCC"
)
BADGE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ badge.template.name }}</title></head>
<body><h1>{{ badge.template.name }}</h1>
<p>Issued to {{ badge.issued_to }} by {{ badge.template.organization.name }} on {{ issued }}.</p>
<p>State: {{ badge.state }}</p></body></html>
"""


def _base_url() -> str:
    return request.host_url.rstrip("/")


def _one(item: Any, status: int = 200) -> tuple[Response, int]:
    return jsonify({"data": item.to_dict(_base_url()), "metadata": {}}), status


def _page(items: list[Any]) -> Response:
    page = query.paginate(items, request.args, _base_url() + request.path)
    return jsonify({"data": [item.to_dict(_base_url()) for item in page.items], "metadata": page.metadata})


def _list_query() -> dict[str, Any]:
    return {
        "clauses": query.parse_filter(request.args.get("filter")),
        "sort": query.parse_sort(request.args.get("sort")),
    }


# -- /v1 ------------------------------------------------------------------------------------------


@v1.before_request
def _faults_then_token() -> None:
    context = get_context()
    context.backend.count_request((request.endpoint or "").removeprefix("v1."))
    context.faults.apply()
    g.caller = context.backend.authenticate(parsing.token_from_header(request.headers.get("Authorization")))


@v1.get("/organizations", strict_slashes=False)
def list_organizations() -> Response:
    return _page(get_context().backend.list_organizations(g.caller))


@v1.get(ORG, strict_slashes=False)
def get_organization(organization_id: str) -> tuple[Response, int]:
    return _one(get_context().backend.get_organization(g.caller, organization_id))


@v1.get(f"{ORG}/badge_templates", strict_slashes=False)
def list_badge_templates(organization_id: str) -> Response:
    return _page(get_context().backend.list_badge_templates(g.caller, organization_id, **_list_query()))


@v1.get(f"{ORG}/badge_templates/<template_id>", strict_slashes=False)
def get_badge_template(organization_id: str, template_id: str) -> tuple[Response, int]:
    return _one(get_context().backend.get_badge_template(g.caller, organization_id, template_id))


@v1.post(f"{ORG}/badges", strict_slashes=False)
def issue_badge(organization_id: str) -> tuple[Response, int]:
    fields = parsing.issue_fields(parsing.read_body())
    return _one(get_context().backend.issue_badge(g.caller, organization_id, **fields), 201)


@v1.get(f"{ORG}/badges", strict_slashes=False)
def list_badges(organization_id: str) -> Response:
    return _page(get_context().backend.list_badges(g.caller, organization_id, **_list_query()))


@v1.get(f"{ORG}/badges/<badge_id>", strict_slashes=False)
def get_badge(organization_id: str, badge_id: str) -> tuple[Response, int]:
    return _one(get_context().backend.get_badge(g.caller, organization_id, badge_id))


@v1.put(f"{ORG}/badges/<badge_id>/revoke", strict_slashes=False)
def revoke_badge(organization_id: str, badge_id: str) -> tuple[Response, int]:
    reason = parsing.revoke_reason(parsing.read_body())
    return _one(get_context().backend.revoke_badge(g.caller, organization_id, badge_id, reason))


@v1.delete(f"{ORG}/badges/<badge_id>", strict_slashes=False)
def delete_badge(organization_id: str, badge_id: str) -> tuple[Response, int]:
    return _one(get_context().backend.delete_badge(g.caller, organization_id, badge_id))


@v1.get(f"{ORG}/events", strict_slashes=False)
def list_events(organization_id: str) -> Response:
    return _page(get_context().backend.list_events(g.caller, organization_id, **_list_query()))


@v1.get(f"{ORG}/events/<event_id>", strict_slashes=False)
def get_event(organization_id: str, event_id: str) -> tuple[Response, int]:
    return _one(get_context().backend.get_event(g.caller, organization_id, event_id))


# -- /_mock ---------------------------------------------------------------------------------------


@control.post("/reset", strict_slashes=False)
def reset() -> tuple[str, int]:
    context = get_context()
    context.backend.reset()
    context.faults.reset()
    return "", 204


@control.post("/organizations", strict_slashes=False)
def create_organization() -> tuple[Response, int]:
    body = parsing.read_control_body("control_organization")
    organization = get_context().backend.create_organization(
        body["name"], id=body.get("id"), token=body.get("token")
    )
    return jsonify({"id": organization.id, "name": organization.name, "token": organization.token}), 201


@control.post(f"{ORG}/badge_templates", strict_slashes=False)
def create_badge_template(organization_id: str) -> tuple[Response, int]:
    body = parsing.read_control_body("control_badge_template")
    template = get_context().backend.create_badge_template(organization_id, **body)
    return jsonify(template.to_dict(_base_url())), 201


@control.get("/state", strict_slashes=False)
def state() -> Response:
    context = get_context()
    snapshot = context.backend.snapshot()
    base = _base_url()
    return jsonify(
        {
            "organizations": [o.to_dict(base) for o in snapshot.organizations],
            "badge_templates": [t.to_dict(base) for t in snapshot.badge_templates],
            "badges": [b.to_dict(base) for b in snapshot.badges],
            "events": [e.to_dict(base) for e in snapshot.events],
            "tokens": snapshot.tokens,
            "stats": {"requests": snapshot.requests, **context.faults.counters()},
        }
    )


@control.post("/badges/<badge_id>/accept", strict_slashes=False)
def accept_badge(badge_id: str) -> Response:
    return jsonify(get_context().backend.accept_badge(badge_id).to_dict(_base_url()))


@control.post("/badges/<badge_id>/reject", strict_slashes=False)
def reject_badge(badge_id: str) -> Response:
    return jsonify(get_context().backend.reject_badge(badge_id).to_dict(_base_url()))


@control.get("/faults", strict_slashes=False)
def get_faults() -> Response:
    return jsonify(get_context().faults.settings())


@control.put("/faults", strict_slashes=False)
def set_faults() -> Response:
    return jsonify(get_context().faults.update(parsing.read_control_body("control_faults")))


@control.get("/images/<image_id>.png", strict_slashes=False)
def badge_image(image_id: str) -> Response:
    return Response(BADGE_IMAGE, mimetype="image/png")


# -- public pages ---------------------------------------------------------------------------------


@public.get("/badges/<badge_id>", strict_slashes=False)
def badge_page(badge_id: str) -> str:
    badge = get_context().backend.find_badge(badge_id)
    if badge is None:
        raise BadgeNotFound(badge_id)
    return render_template_string(BADGE_PAGE, badge=badge, issued=badge.issued_at.date().isoformat())
