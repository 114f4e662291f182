"""badge.csv against the real Credly plugin and the bundled mock (over a real socket)."""

from __future__ import annotations

from sqlalchemy import select

from badgebridge.core.migration import run_migration
from badgebridge.core.plugin_manager import PluginHost
from badgebridge.core.services import connections
from badgebridge.core.storage.schema import badges
from tests.migration.alm import BADGE_HEADER, D, read_csv, write_csv


def test_external_badges_are_checked_against_the_credly_mock(db, credly_mock, tmp_path):
    host = PluginHost()
    host.load_entrypoints()
    org = credly_mock.create_organization("Migration Org")
    speaker = credly_mock.create_template(org["id"], "Public Speaker")["id"]
    archived = credly_mock.create_template(org["id"], "Old Thing", state="archived")["id"]
    settings = {"org_id": org["id"], "token": org["token"], "host": credly_mock.url}
    record = connections.add(db, host, "credly-main", "credly", settings)
    path = write_csv(
        tmp_path,
        "badge.csv",
        BADGE_HEADER,
        [
            ["PB1", "Public Speaker", D, "", "Active", "pb1.png", speaker, "Credly"],
            ["PB2", "Old Thing", D, "", "Active", "pb2.png", archived, "CREDLY"],
            ["PB3", "Local Hero", D, "", "Active", "pb3.png", "", ""],
        ],
    )

    report = run_migration(db, host, path)

    assert (report.files[0].imported, report.files[0].failed) == (2, 1)
    assert read_csv(tmp_path / "badge.errors.csv")[1][-1] == (
        f"row 3, column externalBadgeId: '{archived}' is not an active badge "
        "of connection 'credly-main' (Credly)"
    )
    with db.begin() as conn:
        stored = conn.execute(
            select(badges.c.id, badges.c.external_badge_provider, badges.c.connection_id).order_by(
                badges.c.id
            )
        ).all()
    assert [tuple(row) for row in stored] == [("PB1", "credly", record.id), ("PB3", None, None)]
