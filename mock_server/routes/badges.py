"""`/v1/organizations/<org>/badges` and `high_volume_issued_badge_search`."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from .. import parsing
from ..exceptions import InvalidField
from .helpers import backend, base_url, context, list_query, one, page
from .v1 import ORG, v1

BADGES = f"{ORG}/badges"
# Bulk exports read big pages.
HIGH_VOLUME_MAX_PER = 1000


def _strict() -> bool:
    return bool(context().settings["strict"])


@v1.post(BADGES)
def issue_badge(organization_id: str) -> tuple[Response, int]:
    fields = parsing.issue_fields(parsing.read_body("badge"), strict=_strict())
    return one(backend().issue_badge(g.caller, organization_id, fields), 201)


@v1.post(f"{BADGES}/batch")
def issue_badges(organization_id: str) -> tuple[Response, int]:
    """201 with the badges issued and `metadata.errors` for the others; 422 when none was issued."""
    items = parsing.batch_items(parsing.read_body(), strict=_strict())
    issued, errors = backend().issue_badges(g.caller, organization_id, items)
    base = base_url()
    metadata = {
        "count": len(issued),
        "errors": [
            {"index": index, "status": error.status, "message": error.text} for index, error in errors
        ],
    }
    if not issued:
        return jsonify({"data": {"message": errors[0][1].text}, "metadata": metadata}), 422
    return jsonify({"data": [badge.to_dict(base) for badge in issued], "metadata": metadata}), 201


@v1.get(BADGES)
def list_badges(organization_id: str) -> Response:
    return page(backend().list_badges(g.caller, organization_id, **list_query()))


@v1.get(f"{BADGES}/<badge_id>")
def get_badge(organization_id: str, badge_id: str) -> tuple[Response, int]:
    return one(backend().get_badge(g.caller, organization_id, badge_id))


@v1.put(f"{BADGES}/<badge_id>/revoke")
def revoke_badge(organization_id: str, badge_id: str) -> tuple[Response, int]:
    backend().get_badge(g.caller, organization_id, badge_id)
    reason = parsing.revoke_reason(parsing.read_body())
    return one(backend().revoke_badge(g.caller, organization_id, badge_id, reason))


@v1.post(f"{BADGES}/<badge_id>/replace")
def replace_badge(organization_id: str, badge_id: str) -> tuple[Response, int]:
    backend().get_badge(g.caller, organization_id, badge_id)
    body = parsing.read_body("badge")
    body.pop("badge_id", None)  # some clients repeat the id in the body
    fields = parsing.issue_fields(body, schema="replace_badge")
    return one(backend().replace_badge(g.caller, organization_id, badge_id, fields), 201)


@v1.delete(f"{BADGES}/<badge_id>")
def delete_badge(organization_id: str, badge_id: str) -> tuple[Response, int]:
    return one(backend().delete_badge(g.caller, organization_id, badge_id))


@v1.get(f"{ORG}/high_volume_issued_badge_search")
def high_volume_issued_badge_search(organization_id: str) -> Response:
    """All badges in creation order (stable while new ones arrive); `badge_format=minimal|default`."""
    badge_format = request.args.get("badge_format", "default")
    if badge_format not in ("minimal", "default"):
        raise InvalidField("badge_format", "must be minimal or default")
    badges = backend().list_badges(g.caller, organization_id, **list_query(), newest_first=False)
    render = (lambda badge, base: badge.minimal(base)) if badge_format == "minimal" else None
    return page(badges, render=render, max_per=HIGH_VOLUME_MAX_PER)
