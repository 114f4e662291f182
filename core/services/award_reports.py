"""Looking at many awards at once: filtered lists, exports, counts by state, issues per hour,
failures by reason."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TextIO

from sqlalchemy import func, select

from badgebridge.core.clock import utcnow
from badgebridge.core.model import AwardState, ObjectKind
from badgebridge.core.services import awards as award_service
from badgebridge.core.services.awards import AwardRecord
from badgebridge.core.storage import Database
from badgebridge.core.storage.paging import ALL, Listing, PageRequest
from badgebridge.core.storage.schema import awards, connections, learners


@dataclass(frozen=True)
class AwardFilter:
    """Which awards to show; every field left empty matches all. ``since``/``until`` bound the
    moment the award was earned (``until`` excluded)."""

    state: str | None = None
    badge_id: str | None = None
    object_kind: ObjectKind | None = None
    object_id: str | None = None
    connection: str | None = None
    learner: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list:
        found = []
        if self.state:
            found.append(awards.c.state == AwardState(self.state))
        if self.badge_id:
            found.append(awards.c.badge_id == self.badge_id)
        if self.object_kind and self.object_id:
            found += [awards.c.reason_kind == self.object_kind, awards.c.reason_id == self.object_id]
        if self.connection:
            found.append(connections.c.name == self.connection)
        if self.learner:
            found.append(learners.c.email == self.learner.strip().lower())
        if self.since:
            found.append(awards.c.earned_at >= self.since)
        if self.until:
            found.append(awards.c.earned_at < self.until)
        return found


@dataclass(frozen=True)
class AwardPage:
    awards: list[AwardRecord]
    total: int  # how many match, of which ``awards`` are the first ``limit``


def search(db: Database, where: AwardFilter, limit: int = 200) -> AwardPage:
    """The awards that match, newest first, at most ``limit`` of them, and how many match in all."""
    base = (
        select(awards.c.id)
        .join(learners, awards.c.learner_id == learners.c.id)
        .outerjoin(connections, awards.c.connection_id == connections.c.id)
        .where(*where.conditions())
    )
    with db.begin() as conn:
        total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        ids = list(conn.execute(base.order_by(awards.c.id.desc()).limit(limit)).scalars())
    found = award_service.list_awards(db, ids=ids) if ids else []
    return AwardPage(sorted(found, key=lambda a: a.id, reverse=True), total)


def counts_by_state(db: Database) -> dict[str, int]:
    """Every award state with how many awards are in it (zero included)."""
    with db.begin() as conn:
        counts = dict(conn.execute(select(awards.c.state, func.count()).group_by(awards.c.state)).all())
    return {state.value: counts.get(state.value, 0) for state in AwardState}


def issued_per_hour(db: Database, days: int = 3, now: datetime | None = None) -> list[tuple[datetime, int]]:
    """Awards sent to their provider in each hour of the last ``days`` days, oldest hour first."""
    now = now or utcnow()
    last = now.replace(minute=0, second=0, microsecond=0)
    first = last - timedelta(hours=24 * days - 1)
    with db.begin() as conn:
        sent = conn.execute(
            select(awards.c.sent_at).where(awards.c.sent_at >= first, awards.c.sent_at.is_not(None))
        ).scalars()
        per_hour = Counter(moment.replace(minute=0, second=0, microsecond=0) for moment in sent)
    hours = [first + timedelta(hours=n) for n in range(24 * days)]
    return [(hour, per_hour.get(hour, 0)) for hour in hours]


def failures_by_reason(db: Database, limit: int = 20) -> list[tuple[str, int]]:
    """The errors of failed awards and of awards waiting for a retry, most frequent first."""
    waiting = (awards.c.state == AwardState.FAILED) | (
        (awards.c.state == AwardState.QUEUED) & awards.c.last_error.is_not(None)
    )
    query = (
        select(awards.c.last_error, func.count().label("n"))
        .where(waiting)
        .group_by(awards.c.last_error)
        .order_by(func.count().desc(), awards.c.last_error)
        .limit(limit)
    )
    with db.begin() as conn:
        return [(error or "(no message)", n) for error, n in conn.execute(query).all()]


def each_matching(db: Database, where: AwardFilter, page: PageRequest = ALL) -> Listing[AwardRecord]:
    """The awards that match, oldest id first, read a batch at a time (for lists and exports of any
    size); ``page`` chooses a page of them."""
    return award_service.page_awards(db, where.conditions(), page)


def next_due(db: Database) -> datetime | None:
    """When the earliest award waiting for a retry is due, or None if none waits."""
    with db.begin() as conn:
        return conn.execute(
            select(func.min(awards.c.next_attempt_at)).where(awards.c.state == AwardState.QUEUED)
        ).scalar()


EXPORT_FIELDS = (
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
    "linked",
    "error",
    "attempts",
    "next_attempt_at",
    "earned_at",
    "revoke_reason",
)
"""The columns of an awards export (the CLI's ``awards export`` and the console's CSV)."""


class CsvExport:
    """Every matching award as CSV text, produced as it is read: iterating yields the header line,
    then pieces of about ``piece_size`` characters, reading the awards from the database a batch
    at a time (``each_matching``) only as the pieces are asked for. ``written`` counts the awards
    so far."""

    def __init__(self, db: Database, where: AwardFilter, piece_size: int = 64 * 1024) -> None:
        self.db, self.where, self.piece_size = db, where, piece_size
        self.written = 0

    def __iter__(self) -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_FIELDS), extrasaction="ignore")
        writer.writeheader()
        yield _taken(buffer)  # at once, so that a download starts before the first batch is read
        for award in each_matching(self.db, self.where):
            writer.writerow(award.as_dict())
            self.written += 1
            if buffer.tell() >= self.piece_size:
                yield _taken(buffer)
        if buffer.tell():
            yield _taken(buffer)


def _taken(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def export_csv(db: Database, where: AwardFilter, out: TextIO) -> int:
    """Write every matching award to ``out`` as CSV, streamed; returns how many were written."""
    export = CsvExport(db, where)
    out.writelines(export)
    return export.written
