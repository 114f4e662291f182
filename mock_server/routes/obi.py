"""Open Badges 2.0 documents, public and without a token: `/obi/v2/...` (also under `/v1`)."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, jsonify, request

from ..exceptions import BadgeNotFound, BadgeTemplateNotFound, OrganizationNotFound
from ..timestamps import format_timestamp
from .helpers import backend, base_url
from .v1 import guard_api

obi = Blueprint("obi", __name__)
CONTEXT = "https://w3id.org/openbadges/v2"


@obi.before_request
def _checks() -> None:
    guard_api((request.endpoint or "").removeprefix("obi."))


def _both(rule: str):
    def decorate(view):
        obi.add_url_rule(f"/obi/v2{rule}", view_func=view, methods=["GET"])
        obi.add_url_rule(f"/v1/obi/v2{rule}", endpoint=view.__name__, view_func=view, methods=["GET"])
        return view

    return decorate


@_both("/badge_assertions/<badge_id>")
def obi_badge_assertion(badge_id: str) -> Response:
    badge = backend().find_badge(badge_id)
    if badge is None:
        raise BadgeNotFound(badge_id)
    base = base_url()
    salt = hashlib.sha256(badge.id.encode()).hexdigest()[:16]
    identity = hashlib.sha256((badge.recipient_email.casefold() + salt).encode()).hexdigest()
    assertion = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": f"{base}/obi/v2/badge_assertions/{badge.id}",
        "recipient": {"type": "email", "hashed": True, "salt": salt, "identity": f"sha256${identity}"},
        "badge": f"{base}/obi/v2/badge_classes/{badge.template.id}",
        "issuedOn": format_timestamp(badge.issued_at),
        "verification": {"type": "HostedBadge"},
        "image": badge.template.image_url(base),
        "evidence": badge.badge_url(base),
        "revoked": badge.state == "revoked",
    }
    if badge.expires_at is not None:
        assertion["expires"] = format_timestamp(badge.expires_at)
    if badge.state == "revoked":
        assertion["revocationReason"] = badge.revocation_reason
    return jsonify(assertion)


@_both("/badge_classes/<template_id>")
def obi_badge_class(template_id: str) -> Response:
    template = backend().find_template(template_id)
    if template is None:
        raise BadgeTemplateNotFound(template_id)
    base = base_url()
    return jsonify(
        {
            "@context": CONTEXT,
            "type": "BadgeClass",
            "id": f"{base}/obi/v2/badge_classes/{template.id}",
            "name": template.name,
            "description": template.description or template.name,
            "image": template.image_url(base),
            "criteria": {
                "narrative": template.description or template.name,
                "id": template.to_dict(base)["url"],
            },
            "issuer": f"{base}/obi/v2/issuers/{template.organization.id}",
            "tags": list(template.skills),
        }
    )


@_both("/issuers/<organization_id>")
def obi_issuer(organization_id: str) -> Response:
    organization = backend().find_organization(organization_id)
    if organization is None:
        raise OrganizationNotFound(organization_id)
    base = base_url()
    return jsonify(
        {
            "@context": CONTEXT,
            "type": "Issuer",
            "id": f"{base}/obi/v2/issuers/{organization.id}",
            "name": organization.name,
            "url": organization.profile.get("website_url") or organization.vanity_url(base),
            "email": organization.profile.get("contact_email")
            or f"badges@{organization.vanity_slug}.example",
        }
    )
