"""The awards CSV export is streamed: read from the database while the response is being sent."""

from __future__ import annotations

import csv
import io

from badgebridge.core.services import award_reports, awards, learners

EMAILS = ("ada@example.org", "bo@example.org", "cy@example.org")


def grant(db, badge_id: str, email: str) -> int:
    learners.add(db, email, "First", "Last")
    return awards.grant(db, badge_id, email)[0].id


def test_the_export_is_streamed_and_reads_awards_made_after_it_began(admin, connected, db):
    badge = connected["Template One"]
    granted = [grant(db, badge, email) for email in EMAILS[:2]]
    response = admin.get("/awards/export.csv")
    assert response.status_code == 200
    assert "Content-Length" not in response.headers, "a buffered body would have a known length"
    assert response.headers["Content-Disposition"] == "attachment; filename=awards.csv"
    pieces = response.iter_encoded()
    header = next(pieces).decode()
    assert header == ",".join(award_reports.EXPORT_FIELDS) + "\r\n", "the header comes first, alone"
    granted.append(grant(db, badge, EMAILS[2]))  # while the download is under way
    rows = list(csv.DictReader(io.StringIO(header + b"".join(pieces).decode())))
    assert [(int(row["id"]), row["learner_email"], row["badge_id"]) for row in rows] == list(
        zip(granted, EMAILS, [badge] * 3, strict=True)
    )


def test_the_streamed_export_is_what_the_command_lines_export_writes(admin, connected, db):
    for email, template in zip(EMAILS, ("Template One", "Template Two", "Template One"), strict=True):
        grant(db, connected[template], email)
    out = io.StringIO()
    assert award_reports.export_csv(db, award_reports.AwardFilter(), out) == 3
    assert admin.get("/awards/export.csv").get_data(as_text=True) == out.getvalue()
    one = connected["Template One"]
    filtered = io.StringIO()
    award_reports.export_csv(db, award_reports.AwardFilter(badge_id=one), filtered)
    assert admin.get(f"/awards/export.csv?badge={one}").get_data(as_text=True) == filtered.getvalue()
    assert len(filtered.getvalue().splitlines()) == 3


def test_the_export_comes_in_pieces_of_about_the_size_asked_for(connected, db):
    for email in EMAILS:
        grant(db, connected["Template One"], email)
    export = award_reports.CsvExport(db, award_reports.AwardFilter(), piece_size=1)
    pieces = list(export)
    assert len(pieces) == 1 + 3, "the header, then a piece per award once each passes the size"
    assert export.written == 3
    whole = list(award_reports.CsvExport(db, award_reports.AwardFilter()))
    assert len(whole) == 2 and "".join(whole) == "".join(pieces)


def test_a_bad_filter_is_refused_with_a_page_before_any_csv_is_sent(admin):
    response = admin.get("/awards/export.csv?since=yesterday")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "since must be a date like 2024-05-01" in response.get_data(as_text=True)
