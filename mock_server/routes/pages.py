"""What a browser opens: the earner's page (`/earner/<email>`, accept or reject) and the public badge
page behind every `badge_url` (`/badges/<id>`, with LinkedIn's add-to-profile link). Server-rendered
HTML from `templates/`, no script, no build step."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, Response, redirect, render_template, url_for

from ..exceptions import BadgeNotFound
from ..models import Badge
from .helpers import backend, base_url

pages = Blueprint("pages", __name__)

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def linkedin_url(badge: Badge, base: str) -> str:
    """LinkedIn's add-to-profile form, filled in for the badge (a certification)."""
    fields = {
        "startTask": "CERTIFICATION_NAME",
        "name": badge.template.name,
        "organizationName": badge.template.organization.name,
        "issueYear": badge.issued_at.year,
        "issueMonth": badge.issued_at.month,
    }
    if badge.expires_at is not None:
        fields.update(expirationYear=badge.expires_at.year, expirationMonth=badge.expires_at.month)
    fields.update(certUrl=badge.badge_url(base), certId=badge.id)
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(fields, quote_via=quote)}"


@pages.get("/earner/<email>")
def earner_page(email: str) -> str:
    badges = backend().badges_of_earner(email)
    return render_template("earner.html", email=email, badges=badges)


@pages.post("/earner/<email>/badges/<badge_id>/<any(accept, reject):answer>")
def earner_answer(email: str, badge_id: str, answer: str) -> Response:
    """The earner's button: accept or reject a pending badge, then back to the earner's page."""
    badge = backend().find_badge(badge_id)
    if badge is None or badge.recipient_email.casefold() != email.casefold():
        raise BadgeNotFound(badge_id)
    if answer == "accept":
        backend().accept_badge(badge_id)
    else:
        backend().reject_badge(badge_id)
    return redirect(url_for("pages.earner_page", email=email), code=303)


@pages.get("/badges/<badge_id>")
def badge_page(badge_id: str) -> str:
    badge = backend().find_badge(badge_id)
    if badge is None:
        raise BadgeNotFound(badge_id)
    base = base_url()
    return render_template(
        "badge.html", badge=badge, linkedin=linkedin_url(badge, base), image=badge.template.image_url(base)
    )
