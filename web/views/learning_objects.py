"""Learning objects: add them, attach badges and skill credits, detach them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from badgebridge.core.model import BadgeState, ObjectKind
from badgebridge.core.services import catalog
from badgebridge.core.services import learning_objects as object_service
from badgebridge.core.services import skills as skill_service
from badgebridge.web.console import console
from badgebridge.web.views.common import kind_of, number, object_ref, reported, required

blueprint = Blueprint("learning_objects", __name__, url_prefix="/learning-objects")


def label(kind: str) -> str:
    return kind.replace("_", " ")


@blueprint.get("/")
def index():
    db = console().db
    return render_template(
        "learning_objects.html",
        objects=object_service.list_objects(db),
        badges=catalog.list_badges(db, state=BadgeState.ACTIVE),
        skills=skill_service.list_skills(db),
        kinds=list(ObjectKind),
        label=label,
    )


@blueprint.post("/")
def add():
    with reported():
        kind = kind_of(request.form.get("kind", ObjectKind.COURSE))
        object_id = required("object_id", "An id")
        outcome = object_service.add(console().db, kind, object_id, required("name", "A name"))
        flash(f"{label(kind).capitalize()} {object_id!r} {outcome}.", "success")
    return redirect(url_for("learning_objects.index"))


@blueprint.post("/assign-badge")
def assign_badge():
    with reported():
        kind, object_id = object_ref(request.form.get("object", ""))
        badge_id = required("badge", "A badge")
        changed, award_ids = object_service.assign_badge(console().db, kind, object_id, badge_id)
        what = f"badge {badge_id!r} to {label(kind)} {object_id!r}"
        flash(("Attached " if changed else "Already attached: ") + what + ".", "success")
        if award_ids:
            flash("Earlier completers: " + console().send(award_ids), "success")
    return redirect(url_for("learning_objects.index"))


@blueprint.post("/assign-skill")
def assign_skill():
    with reported():
        kind, object_id = object_ref(request.form.get("object", ""))
        skill_id = required("skill", "A skill")
        level = int(number("level", "The level", 1))
        credits = number("credits", "Credits")
        if credits is None:
            credits = skill_service.get(console().db, skill_id).level(level).max_credits
        changed, award_ids = object_service.assign_skill(
            console().db, kind, object_id, skill_id, level, credits
        )
        what = (
            f"{credits:g} credit(s) towards skill {skill_id!r} level {level} to {label(kind)} {object_id!r}"
        )
        flash(("Attached " if changed else "Already attached: ") + what + ".", "success")
        if award_ids:
            flash("Earlier completers: " + console().send(award_ids), "success")
    return redirect(url_for("learning_objects.index"))


@blueprint.post("/<kind>/<object_id>/detach-badge")
def detach_badge(kind: str, object_id: str):
    with reported():
        kind_ = kind_of(kind)
        changed = object_service.detach_badge(console().db, kind_, object_id)
        flash(
            f"{label(kind_).capitalize()} {object_id!r} "
            + ("carries no badge now." if changed else "carried no badge."),
            "success",
        )
    return redirect(url_for("learning_objects.index"))


@blueprint.post("/<kind>/<object_id>/detach-skill")
def detach_skill(kind: str, object_id: str):
    with reported():
        kind_ = kind_of(kind)
        skill_id = required("skill", "A skill")
        level = int(number("level", "The level", 1))
        changed = object_service.detach_skill(console().db, kind_, object_id, skill_id, level)
        what = f"credits towards skill {skill_id!r} level {level}"
        flash(
            f"{label(kind_).capitalize()} {object_id!r} "
            + (f"grants no {what} now." if changed else f"granted no {what}."),
            "success",
        )
    return redirect(url_for("learning_objects.index"))
