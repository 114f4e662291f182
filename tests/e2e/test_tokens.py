"""Credly tokens end to end: age warnings, rotation through Credly, OAuth mode."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from badgebridge.core.clock import utcnow
from badgebridge.core.storage import open_database
from badgebridge.core.storage.schema import connections

pytestmark = pytest.mark.e2e


def age_token(cli, days: int) -> None:
    """Pretend the stored token was set ``days`` ago (nothing else can move the clock)."""
    db = open_database(cli.env["BADGEBRIDGE_DB"])
    try:
        with db.begin() as conn:
            conn.execute(update(connections).values(secrets_set_at=utcnow() - timedelta(days=days)))
    finally:
        db.dispose()


def test_an_old_token_is_warned_about_by_connections_list_and_the_worker(cli, credly_mock):
    org = credly_mock.create_organization("Token Org")
    cli.connect(credly_mock, org["id"], org["token"])
    fresh = cli.ok("connections", "list")
    assert "warning" not in fresh.stderr
    age_token(cli, 151)
    listed = cli.ok("connections", "list", "--json")
    (row,) = json.loads(listed.stdout)
    assert row["token_set_at"] is not None
    assert (
        "connection 'credly-main': its token was set 151 days ago and expires in 29 day(s)" in listed.stderr
    )
    assert "badgebridge connections rotate credly-main" in listed.stderr
    worker = cli.ok("worker", "--once")
    assert "its token was set 151 days ago" in worker.stderr
    assert org["token"] not in "".join(cli.outputs)
