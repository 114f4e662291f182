"""The badge catalog: import from a connection, list, retire."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from badgebridge.core.model import BadgeState
from badgebridge.core.services import catalog
from badgebridge.core.services import connections as connection_service
from badgebridge.web.console import console
from badgebridge.web.views.common import reported, required

blueprint = Blueprint("catalog", __name__, url_prefix="/badges")


@blueprint.get("/")
def index():
    connection = request.args.get("connection") or None
    state = request.args.get("state", "").capitalize()
    state = state if state in set(BadgeState) else None
    return render_template(
        "badges.html",
        badges=catalog.list_badges(console().db, connection, state),
        connections=connection_service.all_connections(console().db),
        connection=connection,
        state=state,
        states=list(BadgeState),
    )


@blueprint.post("/import")
def import_badges():
    with reported():
        result = catalog.import_badges(console().db, console().host, required("connection", "A connection"))
        flash(
            f"Imported {result.total} active badge(s) from {result.connection!r}: {result.added} new, "
            f"{result.updated} updated, {result.unchanged} unchanged, {result.retired} retired.",
            "success",
        )
    return redirect(url_for("catalog.index"))


@blueprint.post("/<badge_id>/retire")
def retire(badge_id: str):
    with reported():
        changed = catalog.retire_badge(console().db, badge_id)
        flash(f"Badge {badge_id!r} " + ("retired." if changed else "was retired already."), "success")
    return redirect(url_for("catalog.index"))
