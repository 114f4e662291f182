"""Connections: the provider list, the Connect form (from the provider's settings schema), test,
sync with the provider, remove."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from badgebridge.core.errors import BadgeBridgeError, ConfigurationError
from badgebridge.core.services import connections as connection_service
from badgebridge.core.services import recovery
from badgebridge.web.console import console
from badgebridge.web.settings_form import fields_of, kept_values, read_settings
from badgebridge.web.views.common import reported

blueprint = Blueprint("connections", __name__, url_prefix="/connections")


@blueprint.get("/")
def index():
    return render_template(
        "connections.html",
        connections=[record.as_dict() for record in connection_service.all_connections(console().db)],
        providers=sorted(console().host.providers.values(), key=lambda p: p.title),
    )


def _provider(name: str):
    try:
        return console().host.provider(name)
    except ConfigurationError:
        abort(404)


@blueprint.route("/connect/<provider_name>", methods=["GET", "POST"])
def connect(provider_name: str):
    """The seed's *Connect* form: Connection Name, then the provider's own settings."""
    provider = _provider(provider_name)
    fields = fields_of(provider.declaration)
    if request.method == "GET":
        return render_template("connect.html", provider=provider, fields=fields, name="", values={})
    name = request.form.get("name", "")
    try:
        settings = read_settings(provider.declaration, request.form)
        record = connection_service.add(console().db, console().host, name, provider.name, settings)
    except BadgeBridgeError as exc:
        values = kept_values(provider.declaration, request.form)
        page = render_template(
            "connect.html", provider=provider, fields=fields, name=name, values=values, error=str(exc)
        )
        return page, 422
    flash(f"Connected {record.name!r} to the {provider.title} account {record.account_name!r}.", "success")
    return redirect(url_for("connections.index"))


@blueprint.post("/<name>/test")
def test(name: str):
    with reported():
        record, info = connection_service.test(console().db, console().host, name)
        flash(f"{record.name!r} works: {record.provider} account {info.account_name!r}.", "success")
    return redirect(url_for("connections.index"))


@blueprint.post("/<name>/sync")
def sync(name: str):
    """``awards sync NAME``: record the provider's state of the connection's issued awards."""
    with reported():
        report = recovery.sync(console().db, console().host, name)
        for award_id, change in report.changed.items():
            flash(f"Award {award_id}: {change}.", "success")
        for award_id, why in report.unreachable.items():
            flash(f"Award {award_id} not read: {why}", "error")
        flash(
            f"Synced {report.checked} issued award(s) of {name!r}: {len(report.changed)} changed, "
            f"{len(report.unreachable)} not read.",
            "success",
        )
    return redirect(url_for("connections.index"))


@blueprint.post("/<name>/remove")
def remove(name: str):
    with reported():
        connection_service.remove(console().db, name)
        flash(f"Removed connection {name!r}.", "success")
    return redirect(url_for("connections.index"))
