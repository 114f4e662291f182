"""Skills made from badges: up to three levels, each with max credits and a badge."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from badgebridge.core.model import BadgeState
from badgebridge.core.services import catalog
from badgebridge.core.services import skills as skill_service
from badgebridge.web.console import console
from badgebridge.web.views.common import number, reported, required

blueprint = Blueprint("skills", __name__, url_prefix="/skills")


@blueprint.get("/")
def index():
    db = console().db
    return render_template(
        "skills.html",
        skills=skill_service.list_skills(db),
        badges=catalog.list_badges(db, state=BadgeState.ACTIVE),
        chosen_badge=request.args.get("badge", ""),
    )


@blueprint.post("/")
def create():
    with reported():
        level = int(number("level", "The level", 1))
        max_credits = number("max_credits", "Max credits", 1.0)
        skill, outcome = skill_service.create(
            console().db,
            required("name", "A name"),
            badge_id=request.form.get("badge") or None,
            level=level,
            max_credits=max_credits,
            skill_id=request.form.get("skill_id", "").strip() or None,
        )
        if outcome == "unchanged":
            flash(f"Skill {skill.id!r} already has level {level} like that; nothing changed.", "success")
        else:
            flash(
                f"Skill {skill.id!r} ({skill.name}) {outcome}: level {level}, {max_credits:g} credits.",
                "success",
            )
    return redirect(url_for("skills.index"))
