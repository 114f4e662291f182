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
        _attached(changed, f"badge {badge_id!r}", kind, object_id, award_ids)
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
        what = f"{credits:g} credit(s) towards skill {skill_id!r} level {level}"
        _attached(changed, what, kind, object_id, award_ids)
    return redirect(url_for("learning_objects.index"))


def _attached(changed: bool, what: str, kind: str, object_id: str, award_ids: list[int]) -> None:
    """Say what an assignment did, and send what it awarded to earlier completers."""
    flash(
        ("Attached " if changed else "Already attached: ") + f"{what} to {label(kind)} {object_id!r}.",
        "success",
    )
    if award_ids:
        flash("Earlier completers: " + console().send(award_ids), "success")


@blueprint.post("/<kind>/<object_id>/detach-badge")
def detach_badge(kind: str, object_id: str):
    """Take off the badge the page showed (``badge``), from the object or an ``instance``."""
    with reported():
        kind_ = kind_of(kind)
        badge_id = request.form.get("badge") or None
        instance_id = request.form.get("instance") or None
        changed = object_service.detach_badge(console().db, kind_, object_id, badge_id, instance_id)
        where = f"{label(kind_).capitalize()} {object_id!r}" + (
            f" instance {instance_id!r}" if instance_id else ""
        )
        what = f"badge {badge_id!r}" if badge_id else "a badge"
        flash(f"{where} " + ("carries no badge now." if changed else f"did not carry {what}."), "success")
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
