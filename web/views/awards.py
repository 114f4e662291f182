"""Awards: filter, look at one, retry, revoke, export CSV.

Hook for the award lifecycle (issue 5's cancel, reissue and attempt history): add an entry to
``LIFECYCLE_ACTIONS`` (a button on the award's page, posted to ``/awards/<id>/do/<name>``) and set
``ATTEMPT_HISTORY`` to a function that lists an award's attempts; the page shows both when present.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from badgebridge.core.clock import as_utc
from badgebridge.core.errors import InvalidInput
from badgebridge.core.model import AwardState
from badgebridge.core.services import award_reports, catalog
from badgebridge.core.services import awards as award_service
from badgebridge.core.services import connections as connection_service
from badgebridge.core.services import learning_objects as object_service
from badgebridge.web.console import Console, console
from badgebridge.web.views.common import object_ref, reported, required

blueprint = Blueprint("awards", __name__, url_prefix="/awards")

RETRYABLE = (AwardState.FAILED, AwardState.QUEUED)
REVOCABLE = (AwardState.ISSUED, AwardState.AWARDED)
CSV_COLUMNS = (
    "id",
    "learner_email",
    "badge_id",
    "badge_name",
    "reason",
    "connection",
    "state",
    "provider_state",
    "provider_badge_id",
    "provider_url",
    "attempts",
    "next_attempt_at",
    "error",
    "earned_at",
)

LifecycleAction = tuple[str, Callable[[Console, int], str]]  # (button label, action -> message)
LIFECYCLE_ACTIONS: dict[str, LifecycleAction] = {}
ATTEMPT_HISTORY: Callable[[Console, int], list[dict[str, Any]]] | None = None


def _filter() -> award_reports.AwardFilter:
    args = request.args
    state = args.get("state") or None
    if state and state not in set(AwardState):
        raise InvalidInput(f"no award state {state!r}")
    kind, object_id = object_ref(args["object"]) if args.get("object") else (None, None)
    until = _day(args.get("until"), "until")
    return award_reports.AwardFilter(
        state=state,
        badge_id=args.get("badge") or None,
        object_kind=kind,
        object_id=object_id,
        connection=args.get("connection") or None,
        learner=args.get("learner") or None,
        since=_day(args.get("since"), "since"),
        until=until + timedelta(days=1) if until else None,  # the whole "until" day
    )


def _day(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return as_utc(datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time()))
    except ValueError:
        raise InvalidInput(f"{name} must be a date like 2024-05-01, not {value!r}") from None


@blueprint.get("/")
def index():
    db = console().db
    page = award_reports.search(db, _filter())
    return render_template(
        "awards.html",
        page=page,
        args=request.args,
        states=list(AwardState),
        badges=catalog.list_badges(db),
        objects=object_service.list_objects(db),
        connections=connection_service.all_connections(db),
        retryable=RETRYABLE,
    )


@blueprint.get("/export.csv")
def export():
    page = award_reports.search(console().db, _filter(), limit=1_000_000)
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for award in page.awards:
        writer.writerow(award.as_dict())
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=awards.csv"},
    )


@blueprint.get("/<int:award_id>")
def show(award_id: int):
    award = award_service.get(console().db, award_id)
    return render_template(
        "award.html",
        award=award,
        retryable=award.state in RETRYABLE,
        revocable=award.state in REVOCABLE,
        actions={name: label for name, (label, _) in LIFECYCLE_ACTIONS.items()},
        attempts=ATTEMPT_HISTORY(console(), award_id) if ATTEMPT_HISTORY else None,
    )


@blueprint.post("/<int:award_id>/retry")
def retry(award_id: int):
    with reported():
        ids = award_service.requeue(console().db, [award_id])
        if ids:
            flash(console().send(ids), "success")
        else:
            flash(f"Award {award_id} is neither failed nor waiting; nothing changed.", "success")
    return redirect(url_for("awards.show", award_id=award_id))


@blueprint.post("/retry")
def retry_many():
    """Retry the failed and waiting awards ticked in the list."""
    with reported():
        chosen = [int(value) for value in request.form.getlist("award") if value.isdigit()]
        if not chosen:
            raise InvalidInput("tick the awards to retry")
        ids = award_service.requeue(console().db, chosen)
        flash(
            console().send(ids) if ids else "None of them is failed or waiting; nothing changed.", "success"
        )
    return redirect(request.referrer if _local(request.referrer) else url_for("awards.index"))


def _local(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


@blueprint.post("/<int:award_id>/revoke")
def revoke(award_id: int):
    with reported():
        award, changed = award_service.revoke(
            console().db, console().host, award_id, required("reason", "A reason")
        )
        if changed:
            where = "on the provider" if award.connection else "locally (a platform-only badge)"
            flash(f"Award {award_id} revoked {where}.", "success")
        else:
            flash(f"Award {award_id} was revoked already; nothing changed.", "success")
    return redirect(url_for("awards.show", award_id=award_id))


@blueprint.post("/<int:award_id>/do/<name>")
def lifecycle(award_id: int, name: str):
    if name not in LIFECYCLE_ACTIONS:
        abort(404)
    with reported():
        flash(LIFECYCLE_ACTIONS[name][1](console(), award_id), "success")
    return redirect(url_for("awards.show", award_id=award_id))
