"""Migrate: upload ALM's CSVs, see the per-file summary, download the error files.

Each upload is a run in its own folder under the console's upload folder (``<run>/`` holds the
files, ``<run>/errors/`` their error files), named by a random id, so one run never sees another's.
"""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, abort, render_template, request, send_from_directory
from werkzeug.utils import secure_filename

from badgebridge.core.errors import InvalidInput
from badgebridge.core.migration import run_migration
from badgebridge.core.migration.error_files import ERRORS_SUFFIX
from badgebridge.core.services import connections as connection_service
from badgebridge.web.console import console

blueprint = Blueprint("migrate", __name__, url_prefix="/migrate")

RUN_ID = re.compile(r"^[0-9a-f]{16}$")


@blueprint.get("/")
def index():
    return render_template("migrate.html", connections=connection_service.all_connections(console().db))


@blueprint.post("/")
def upload():
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        raise InvalidInput("choose one or more CSV files (badge.csv, skill.csv, course.csv, ...)")
    run_id = secrets.token_hex(8)
    folder = console().upload_dir / run_id
    folder.mkdir(parents=True, mode=0o700)
    for file in files:
        name = secure_filename(file.filename or "")
        if not name.lower().endswith(".csv"):
            raise InvalidInput(f"{file.filename!r} is not a .csv file")
        file.save(folder / name)
    report = run_migration(
        console().db,
        console().host,
        str(folder),
        dry_run=request.form.get("dry_run") == "on",
        connection=request.form.get("connection") or None,
        errors_dir=str(folder / "errors"),
    )
    sent = console().send(report.award_ids) if report.award_ids else None
    return render_template(
        "migrate_report.html",
        report=report,
        run_id=run_id,
        sent=sent,
        connections=connection_service.all_connections(console().db),
    )


@blueprint.get("/<run_id>/errors/<name>")
def errors(run_id: str, name: str):
    if not RUN_ID.match(run_id) or name != secure_filename(name) or not name.endswith(ERRORS_SUFFIX):
        abort(404)
    return send_from_directory(console().upload_dir / run_id / "errors", name, as_attachment=True)
