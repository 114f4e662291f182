"""Logging in and out."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from badgebridge.core.services import users as user_service
from badgebridge.web.console import console

blueprint = Blueprint("auth", __name__)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    target = request.values.get("next", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = url_for("dashboard.index")
    if request.method == "GET":
        return render_template("login.html", next=target, email="")
    email = request.form.get("email", "")
    try:
        user = user_service.authenticate(console().db, email, request.form.get("password", ""))
    except user_service.LoginRefused as exc:
        return render_template("login.html", next=target, email=email, error=str(exc)), 401
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["session_key"] = user.session_key
    return redirect(target)


@blueprint.route("/logout", methods=["POST"])
def logout():
    """End the session here and on the server: every copy of the cookie stops working."""
    user_service.end_sessions(console().db, g.user.id)
    session.clear()
    return redirect(url_for("auth.login"))
