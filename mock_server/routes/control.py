"""`/_mock/...`: the mock's own control API (JSON in, JSON out, never faulted, no token)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from .. import parsing
from ..exceptions import BadControlRequest
from ..timestamps import format_timestamp
from .helpers import backend, base_url, context

control = Blueprint("control", __name__, url_prefix="/_mock")

# A 1x1 PNG served for every template image, so image URLs resolve.
BADGE_IMAGE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c6390efea02"
    "0001ff0134c5d176380000000049454e44ae426082"
)


@control.post("/reset")
def reset() -> tuple[str, int]:
    context().reset()
    return "", 204


@control.post("/organizations")
def create_organization() -> tuple[Response, int]:
    body = parsing.read_control_body("control_organization")
    organization, credential = backend().create_organization(
        body["name"], id=body.get("id"), token=body.get("token")
    )
    return jsonify({"id": organization.id, "name": organization.name, "token": credential.token}), 201


@control.post("/organizations/<organization_id>/badge_templates")
def create_badge_template(organization_id: str) -> tuple[Response, int]:
    body = parsing.read_control_body("control_badge_template")
    template = backend().add_badge_template(organization_id, **body)
    return jsonify(template.to_dict(base_url(), single=True)), 201


@control.patch("/badge_templates/<template_id>")
def edit_badge_template(template_id: str) -> Response:
    body = parsing.read_control_body("control_badge_template_update")
    return jsonify(backend().edit_badge_template(template_id, body).to_dict(base_url(), single=True))


@control.delete("/badge_templates/<template_id>")
def remove_badge_template(template_id: str) -> Response:
    return jsonify(backend().remove_badge_template(template_id).to_dict(base_url(), single=True))


@control.post("/organizations/<organization_id>/oauth_applications")
def create_oauth_application(organization_id: str) -> tuple[Response, int]:
    body = parsing.read_control_body("control_oauth_application")
    application = backend().create_oauth_application(
        organization_id, body["name"], scopes=body.get("scopes"), expires_in=body.get("expires_in")
    )
    answer = {
        "id": application.id,
        "name": application.name,
        "client_id": application.client_id,
        "client_secret": application.client_secret,
        "scopes": list(application.scopes),
        "expires_in": application.expires_in,
    }
    return jsonify(answer), 201


@control.get("/state")
def state() -> Response:
    mock = context()
    snapshot = mock.backend.snapshot()
    base = base_url()
    return jsonify(
        {
            "organizations": [o.to_dict(base) for o in snapshot.organizations],
            "badge_templates": [t.to_dict(base) for t in snapshot.badge_templates],
            "badges": [b.to_dict(base) for b in snapshot.badges],
            "events": [e.to_dict(base) for e in snapshot.events],
            "employees": [e.to_dict(base) for e in snapshot.employees],
            "authorization_tokens": [t.to_dict(base) for t in snapshot.authorization_tokens],
            "tokens": snapshot.tokens,
            "stats": {"requests": snapshot.requests, **mock.faults.counters()},
        }
    )


@control.post("/badges/<badge_id>/accept")
def accept_badge(badge_id: str) -> Response:
    return jsonify(backend().accept_badge(badge_id).to_dict(base_url()))


@control.post("/badges/<badge_id>/reject")
def reject_badge(badge_id: str) -> Response:
    return jsonify(backend().reject_badge(badge_id).to_dict(base_url()))


@control.get("/faults")
def get_faults() -> Response:
    return jsonify(context().faults.settings())


@control.put("/faults")
def set_faults() -> Response:
    return jsonify(context().faults.update(parsing.read_control_body("control_faults")))


@control.get("/requests")
def list_requests() -> Response:
    return jsonify(context().requests.entries())


@control.delete("/requests")
def clear_requests() -> tuple[str, int]:
    context().requests.clear()
    return "", 204


@control.post("/script")
def add_script() -> tuple[Response, int]:
    body = parsing.read_control_body("control_script")
    known = api_operations()
    if body["operation"] not in known:
        raise BadControlRequest(f"operation: {body['operation']!r} is not one of {', '.join(sorted(known))}.")
    entry = context().script.add(
        body["operation"], body.get("times", 1), body["status"], body.get("retry_after")
    )
    return jsonify(entry), 201


@control.get("/script")
def list_script() -> Response:
    return jsonify(context().script.entries())


@control.get("/webhooks")
def get_webhooks() -> Response:
    hooks = context().webhooks
    return jsonify(
        {"settings": hooks.settings(), "pending": hooks.pending(), "deliveries": hooks.deliveries()}
    )


@control.put("/webhooks")
def set_webhooks() -> Response:
    return jsonify(context().webhooks.update(parsing.read_control_body("control_webhooks")))


@control.get("/clock")
def get_clock() -> Response:
    return jsonify({"now": format_timestamp(context().clock.now())})


@control.post("/clock")
def advance_clock() -> Response:
    body = parsing.read_control_body("control_clock")
    mock = context()
    mock.clock.advance(body["advance_seconds"])
    return jsonify({"now": format_timestamp(mock.clock.now())})


@control.get("/settings")
def get_settings() -> Response:
    return jsonify(context().settings)


@control.put("/settings")
def set_settings() -> Response:
    mock = context()
    mock.settings.update(parsing.read_control_body("control_settings"))
    return jsonify(mock.settings)


@control.get("/images/<image_id>.png")
def badge_image(image_id: str) -> Response:
    return Response(BADGE_IMAGE, mimetype="image/png")


def api_operations() -> set[str]:
    """The operation names a script may name: every endpoint of the API blueprints."""
    names = set()
    for rule in current_app.url_map.iter_rules():
        blueprint, _, name = rule.endpoint.partition(".")
        if blueprint in ("v1", "oauth", "obi"):
            names.add(name)
    return names
