"""Awards: filter, look at one and its history, retry, cancel, reissue, revoke, export CSV.

The changes are ``badgebridge awards``'s (``core.services.recovery``), with the same messages.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from badgebridge.core.clock import as_utc, utcnow
from badgebridge.core.errors import InvalidInput
from badgebridge.core.model import AwardState
from badgebridge.core.services import award_reports, catalog, history, recovery
from badgebridge.core.services import awards as award_service
from badgebridge.core.services import connections as connection_service
from badgebridge.core.services import learning_objects as object_service
from badgebridge.web.console import console
from badgebridge.web.views.common import object_ref, reported, required

blueprint = Blueprint("awards", __name__, url_prefix="/awards")

RETRYABLE = (AwardState.FAILED, AwardState.QUEUED)  # also cancellable; ticked in the list
REISSUABLE = (AwardState.REVOKED, AwardState.CANCELLED)  # a provider-deleted badge is revoked here
REVOCABLE = (AwardState.ISSUED, AwardState.AWARDED)


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
    """The matching awards as CSV, streamed as they are read from the database."""
    export = award_reports.CsvExport(console().db, _filter())
    return Response(
        stream_with_context(iter(export)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=awards.csv"},
    )


@blueprint.get("/<int:award_id>")
def show(award_id: int):
    db = console().db
    award = award_service.get(db, award_id)
    lease = award.lease_expires_at
    abandoned = award.state == AwardState.SENDING and lease is not None and lease < utcnow()
    return render_template(
        "award.html",
        award=award,
        retryable=award.state in RETRYABLE or abandoned,
        cancellable=award.state in RETRYABLE,
        reissuable=award.state in REISSUABLE and award.connection is not None,
        revocable=award.state in REVOCABLE,
        attempts=history.attempts(db, award_id),
    )


def _chosen(what: str) -> list[int]:
    chosen = [int(value) for value in request.form.getlist("award") if value.isdigit()]
    if not chosen:
        raise InvalidInput(f"tick the awards to {what}")
    return chosen


def _back_to_list():
    return redirect(request.referrer if _local(request.referrer) else url_for("awards.index"))


def _local(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


def _flash_skipped(changes: recovery.Changes) -> None:
    for award_id, why in changes.skipped.items():
        flash(f"Award {award_id} {why}; left alone.", "error")


def _retry(award_ids: list[int]) -> None:
    """``awards retry``: queue failed, waiting and abandoned awards again, then send them."""
    changes = recovery.retry(console().db, award_ids)
    _flash_skipped(changes)
    if changes.changed:
        sent = console().send(changes.changed)
        flash(f"Queued {len(changes.changed)} award(s) again; sent them: {sent}", "success")
    else:
        flash("No failed, waiting or abandoned awards; nothing changed.", "success")


def _cancel(award_ids: list[int]) -> None:
    changes = recovery.cancel(console().db, award_ids)
    for award_id in changes.changed:
        flash(f"Award {award_id} cancelled; it will not be sent.", "success")
    _flash_skipped(changes)


@blueprint.post("/<int:award_id>/retry")
def retry(award_id: int):
    with reported():
        _retry([award_id])
    return redirect(url_for("awards.show", award_id=award_id))


@blueprint.post("/retry")
def retry_many():
    """Retry the failed and waiting awards ticked in the list."""
    with reported():
        _retry(_chosen("retry"))
    return _back_to_list()


@blueprint.post("/<int:award_id>/cancel")
def cancel(award_id: int):
    with reported():
        _cancel([award_id])
    return redirect(url_for("awards.show", award_id=award_id))


@blueprint.post("/cancel")
def cancel_many():
    """Cancel the queued and failed awards ticked in the list."""
    with reported():
        _cancel(_chosen("cancel"))
    return _back_to_list()


@blueprint.post("/<int:award_id>/reissue")
def reissue(award_id: int):
    with reported():
        recovery.reissue(console().db, award_id)
        flash(f"Award {award_id} queued to be issued again: {console().send([award_id])}", "success")
    return redirect(url_for("awards.show", award_id=award_id))


@blueprint.post("/<int:award_id>/revoke")
def revoke(award_id: int):
    with reported():
        award, how = award_service.revoke(
            console().db, console().host, award_id, required("reason", "A reason")
        )
        if how == "already":
            where = f" ({award.revoke_reason})" if award.revoke_reason else ""
            flash(f"Award {award_id} was revoked already{where}; nothing changed.", "success")
        elif how == "remote":
            flash(
                f"Award {award_id} was {award.provider_state} on the provider already; recorded as revoked.",
                "success",
            )
        else:
            where = "on the provider" if award.connection else "locally (a platform-only badge)"
            flash(f"Award {award_id} revoked {where}.", "success")
    return redirect(url_for("awards.show", award_id=award_id))
