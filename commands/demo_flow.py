"""``badgebridge demo``: the whole flow, offline, against the bundled Credly mock.

It starts the mock in-process on a free port, works in a throwaway database unless one is given,
and goes through each step an integration admin, an author and a learner would take with a real
Credly account, saying what happens: connect, migrate an ALM ``badge.csv``, make a badge a skill,
attach it to a course, complete the course, and show the badge as the mock now holds it.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

from badgebridge.core.errors import InvalidInput
from badgebridge.core.migration import run_migration
from badgebridge.core.model import AwardState, ObjectKind
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.secrets import mask
from badgebridge.core.services import awards as award_service
from badgebridge.core.services import connections as connection_service
from badgebridge.core.services import learners as learner_service
from badgebridge.core.services import learning_objects as object_service
from badgebridge.core.services import skills as skill_service
from badgebridge.core.services.sender import AwardSender
from badgebridge.core.storage import Database, open_database

CONNECTION = "demo-credly"
LEARNER = ("ada.lovelace@example.org", "Ada", "Lovelace")
COURSE = ("SPEAK-101", "Speaking with confidence")
SKILL = "Public speaking"
CREATED = "2025-03-01T09:00:00.000Z"

Echo = Callable[[str], None]


def run_demo(db_url: str | None, *, host: PluginHost, echo: Echo) -> None:
    from badgebridge.mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_SEED, DEFAULT_TOKEN, MockServer

    templates = {t["name"]: t["id"] for t in DEFAULT_SEED["organizations"][0]["badge_templates"]}
    with tempfile.TemporaryDirectory(prefix="badgebridge-demo-") as scratch, MockServer() as mock:
        db = open_database(db_url or f"sqlite:///{Path(scratch) / 'demo.db'}")
        try:
            echo(f"1. Started a mock of the Credly API at {mock.url} (nothing leaves this machine).")
            echo(f"   Data goes to {'the database you gave' if db_url else 'a throwaway database'}.")
            _connect(db, host, mock.url, DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN, echo)
            _migrate(db, host, Path(scratch), templates, echo)
            _skill_and_course(db, echo)
            learner = _complete(db, host, echo)
            _show(mock.url, DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN, learner.email, echo)
        finally:
            db.dispose()
    echo(
        "Done. With a real account: badgebridge connections add NAME --provider credly --org-id ID "
        "--host api.credly.com --token-env CREDLY_TOKEN"
    )


def _connect(db: Database, host: PluginHost, url: str, org_id: str, token: str, echo: Echo) -> None:
    settings = {"org_id": org_id, "token": token, "host": url}
    try:
        record = connection_service.add(db, host, CONNECTION, "credly", settings)
    except InvalidInput:  # a kept demo database: point the connection at this run's mock
        record = connection_service.update_settings(db, host, CONNECTION, settings)
    echo(
        f"2. Connected {record.name!r} to the Credly organization {record.account_name!r} "
        f"(organization id {org_id}, token {mask(token)}); badgebridge checked it with Credly first."
    )


def _migrate(db: Database, host: PluginHost, folder: Path, templates: dict[str, str], echo: Echo) -> None:
    rows = [
        ["DEMO-SPEAKER", "Public Speaker", templates["Public Speaker"], "Credly"],
        ["DEMO-STEWARD", "Data Steward", templates["Data Steward"], "Credly"],
        ["DEMO-LOCAL", "Demo Day Attendee", "", ""],
    ]
    path = folder / "badge.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "id",
                "badgeName",
                "badgeCreationDate",
                "state",
                "imageUrl",
                "externalBadgeId",
                "externalBadgeProvider",
            ]
        )
        for badge_id, name, external_id, provider in rows:
            writer.writerow(
                [
                    badge_id,
                    name,
                    CREATED,
                    "Active",
                    f"https://img.example.org/{badge_id}.png",
                    external_id,
                    provider,
                ]
            )
    report = run_migration(db, host, path, errors_dir=folder)
    (summary,) = report.files
    counts = f"{summary.rows} rows, {summary.imported} imported, {summary.failed} failed"
    echo(f"3. Migrated an ALM badge.csv ({counts}):")
    for badge_id, name, external_id, _ in rows:
        where = f"Credly template {external_id}" if external_id else "platform-only, never sent anywhere"
        echo(f"     {badge_id:<13} {name:<18} ({where})")
    echo("   Each externalBadgeId was checked against the organization's active templates on Credly.")


def _skill_and_course(db: Database, echo: Echo) -> None:
    skill, _ = skill_service.create(db, SKILL, badge_id="DEMO-SPEAKER", level=1, max_credits=1)
    echo(f"4. Made the badge DEMO-SPEAKER a skill: {skill.name!r} level 1, reached with 1 credit.")
    course_id, name = COURSE
    object_service.add(db, ObjectKind.COURSE, course_id, name)
    object_service.assign_skill(db, ObjectKind.COURSE, course_id, skill.id, 1, 1)
    object_service.assign_badge(db, ObjectKind.COURSE, course_id, "DEMO-LOCAL")
    echo(
        f"5. Added the course {course_id} ({name!r}); it grants 1 credit towards {SKILL!r} "
        "and carries the platform-only badge DEMO-LOCAL."
    )


def _complete(db: Database, host: PluginHost, echo: Echo) -> learner_service.LearnerRecord:
    learner, _ = learner_service.add(db, *LEARNER)
    who = f"{learner.first_name} {learner.last_name} <{learner.email}>"
    award_ids = object_service.complete(db, learner.email, ObjectKind.COURSE, COURSE[0])
    if award_ids is None:
        echo(f"6. {who} completed {COURSE[0]} in an earlier demo run (kept database); nothing changed.")
        return learner
    echo(
        f"6. {who} completed {COURSE[0]}; {len(award_ids)} awards were stored, then the Credly one was sent."
    )
    AwardSender(db, host).send_awards(award_ids)
    for award in award_service.list_awards(db, ids=award_ids):
        if award.state == AwardState.AWARDED:
            echo(f"     {award.badge_id}: awarded locally (platform-only).")
        elif award.state == AwardState.ISSUED:
            on_credly = f"badge {award.provider_badge_id} ({award.provider_state})"
            echo(f"     {award.badge_id}: issued on Credly as {on_credly}.")
        else:
            raise InvalidInput(
                f"the demo award {award.id} did not reach the mock: {award.state}: {award.error}"
            )
    return learner


def _show(url: str, org_id: str, token: str, email: str, echo: Echo) -> None:
    response = httpx.get(
        f"{url}/v1/organizations/{org_id}/badges",
        params={"filter": f"recipient_email::{email}"},
        auth=(token, ""),
        timeout=10,
    )
    response.raise_for_status()
    echo("7. The learner's badges as the Credly mock now holds them (GET /v1/organizations/.../badges):")
    if not response.json()["data"]:
        echo("     none: this run's mock started empty, and the badges went to an earlier run's mock.")
    for badge in response.json()["data"]:
        for label, value in (
            ("badge", badge["badge_template"]["name"]),
            ("issued to", f"{badge['issued_to']} <{badge['recipient_email']}>"),
            (
                "state",
                f"{badge['state']} (the learner accepts it on Credly, then shares it, e.g. on LinkedIn)",
            ),
            ("issued at", badge["issued_at"]),
            ("public URL", badge.get("badge_url")),
        ):
            echo(f"     {label:<11} {value}")
