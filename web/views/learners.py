"""Learners: add them, record completions, and the learner's own view of their badges."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from badgebridge.core.services import awards as award_service
from badgebridge.core.services import learners as learner_service
from badgebridge.core.services import learning_objects as object_service
from badgebridge.web.console import console
from badgebridge.web.views.common import object_ref, reported, required

blueprint = Blueprint("learners", __name__, url_prefix="/learners")


@blueprint.get("/")
def index():
    db = console().db
    return render_template(
        "learners.html", learners=learner_service.list_learners(db), objects=object_service.list_objects(db)
    )


@blueprint.post("/")
def add():
    with reported():
        learner, outcome = learner_service.add(
            console().db,
            required("email", "An email"),
            required("first_name", "A first name"),
            required("last_name", "A last name"),
        )
        flash(f"Learner {learner.email} {outcome}.", "success")
    return redirect(url_for("learners.index"))


@blueprint.post("/complete")
def complete():
    """Record a completion, as the learning platform would, and issue what it earns."""
    with reported():
        email = required("email", "A learner")
        kind, object_id = object_ref(request.form.get("object", ""))
        award_ids = object_service.complete(console().db, email, kind, object_id)
        where = f"{kind.replace('_', ' ')} {object_id!r}"
        if award_ids is None:
            flash(f"{email} had completed {where} already; nothing changed.", "success")
        else:
            flash(f"Recorded: {email} completed {where}. " + console().send(award_ids), "success")
    return redirect(url_for("learners.index"))


@blueprint.get("/badges")
def badges():
    """What the learner sees in the platform: their badges, the provider's state, the URL to share."""
    email = request.args.get("email", "")
    learner = learner_service.get_by_email(console().db, email)
    held = list(award_service.learner_badges(console().db, console().host, learner.email, refresh=True))
    return render_template("learner_badges.html", learner=learner, awards=held)
