"""The dashboard: awards by state, issued per hour (an SVG chart), failures by reason, tokens near
expiry, connections."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from badgebridge.core.clock import utcnow
from badgebridge.core.services import award_reports
from badgebridge.core.services import connections as connection_service
from badgebridge.web.charts import bar_chart
from badgebridge.web.console import console

blueprint = Blueprint("dashboard", __name__)

DAY_CHOICES = (1, 3, 7, 14)


@blueprint.get("/")
def index():
    db = console().db
    days = request.args.get("days", type=int, default=3)
    days = days if days in DAY_CHOICES else 3
    per_hour = award_reports.issued_per_hour(db, days)
    records = connection_service.all_connections(db)
    expiries = connection_service.secret_expiries(console().host, records)
    now = utcnow()
    return render_template(
        "dashboard.html",
        counts=award_reports.counts_by_state(db),
        chart=bar_chart(per_hour),
        issued=sum(n for _, n in per_hour),
        days=days,
        day_choices=DAY_CHOICES,
        failures=award_reports.failures_by_reason(db),
        connections=records,
        now=now,
        near_expiry=[expiry for expiry in expiries if expiry.is_near(now)],
        warn_days=connection_service.WARN_BEFORE_EXPIRY.days,
        expires_at=connection_service.soonest_expiries(expiries),
    )
