"""``badgebridge demo``: the whole flow, offline, against the bundled Credly mock.

It starts the mock in-process on a free port, works in a throwaway database unless one is given,
and goes through each step a newcomer would take with a real Credly account, saying what happens.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

from core.errors import InvalidInput
from core.model import AwardState
from core.plugin_manager import PluginHost
from core.secrets import mask
from core.services import awards as award_service
from core.services import catalog
from core.services import connections as connection_service
from core.services import learners as learner_service
from core.services.sender import AwardSender
from core.storage import Database, open_database

CONNECTION = "demo-credly"
LEARNER = ("ada.lovelace@example.org", "Ada", "Lovelace")

Echo = Callable[[str], None]


def run_demo(db_url: str | None, *, host: PluginHost, echo: Echo) -> None:
    from mock_server import DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN, MockServer

    with tempfile.TemporaryDirectory(prefix="badgebridge-demo-") as scratch, MockServer() as mock:
        db = open_database(db_url or f"sqlite:///{Path(scratch) / 'demo.db'}")
        try:
            echo(f"1. Started a mock of the Credly API at {mock.url} (nothing leaves this machine).")
            echo(f"   Data goes to {'the database you gave' if db_url else 'a throwaway database'}.")
            _connect(db, host, mock.url, DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN, echo)
            badge = _import(db, host, echo)
            learner = _add_learner(db, echo)
            provider_badge_id = _grant(db, host, badge, learner.email, echo)
            _show(mock.url, DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN, provider_badge_id, echo)
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


def _import(db: Database, host: PluginHost, echo: Echo) -> catalog.BadgeRecord:
    result = catalog.import_badges(db, host, CONNECTION)
    active = catalog.list_badges(db, CONNECTION, "active")
    echo(f"3. Imported the organization's {result.total} active badge templates into the local catalog:")
    for badge in active:
        echo(f"     {badge.id}  {badge.name}  (Credly template {badge.external_badge_id})")
    return active[0]


def _add_learner(db: Database, echo: Echo) -> learner_service.LearnerRecord:
    learner, _ = learner_service.add(db, *LEARNER)
    echo(f"4. Added the learner {learner.first_name} {learner.last_name} <{learner.email}>.")
    return learner


def _grant(db: Database, host: PluginHost, badge: catalog.BadgeRecord, email: str, echo: Echo) -> str:
    award, _ = award_service.grant(db, badge.id, email)
    echo(f"5. Awarded {badge.name!r} to {email}: stored locally as award {award.id}, then sent to Credly.")
    AwardSender(db, host).send_awards([award.id])
    award = award_service.get(db, award.id)
    if award.state != AwardState.ISSUED:
        raise InvalidInput(f"the demo award did not reach the mock: {award.state}: {award.error}")
    echo(f"   Credly accepted it as badge {award.provider_badge_id} ({award.provider_state}).")
    return award.provider_badge_id


def _show(url: str, org_id: str, token: str, badge_id: str, echo: Echo) -> None:
    response = httpx.get(f"{url}/v1/organizations/{org_id}/badges/{badge_id}", auth=(token, ""), timeout=10)
    response.raise_for_status()
    badge = response.json()["data"]
    echo("6. The badge as the Credly mock now holds it (GET /v1/organizations/.../badges/ID):")
    for label, value in (
        ("badge", badge["badge_template"]["name"]),
        (
            "issued to",
            f"{badge['issued_to_first_name']} {badge['issued_to_last_name']} <{badge['recipient_email']}>",
        ),
        ("state", f"{badge['state']} (the learner accepts it on Credly, then shares it, e.g. on LinkedIn)"),
        ("issued at", badge["issued_at"]),
        ("public URL", badge.get("badge_url")),
    ):
        echo(f"     {label:<11} {value}")
