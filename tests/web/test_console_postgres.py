"""The console's pages and reports on PostgreSQL, in a throwaway schema."""

from __future__ import annotations

import re

import pytest

from badgebridge.core.errors import AuthenticationFailed
from badgebridge.core.services import award_reports, catalog
from badgebridge.core.services import users as user_service
from badgebridge.web import create_app
from tests.web.conftest import ADMIN, Session

pytestmark = pytest.mark.postgres


def test_the_flow_and_the_reports_on_postgres(pg, host, fake, tmp_path):
    user_service.add(pg, *ADMIN)
    app = create_app(database=pg, host=host, secret_key="test", upload_dir=tmp_path)
    admin = Session(app.test_client())
    assert admin.login(*ADMIN).status_code == 302
    admin.post(
        "/connections/connect/fake", {"name": "c1", "setting_account": "a", "setting_api_key": fake.key}
    )
    admin.post("/badges/import", {"connection": "c1"})
    badge = catalog.list_badges(pg)[0].id
    admin.post("/learning-objects/", {"kind": "course", "object_id": "C1", "name": "Intro"})
    admin.post("/learning-objects/assign-badge", {"object": "course:C1", "badge": badge})
    for email in ("a@example.org", "b@example.org"):
        admin.post("/learners/", {"email": email, "first_name": "A", "last_name": "B"})
    fake.failures.append(AuthenticationFailed("Fake refused the key", status=401))
    admin.post("/learners/complete", {"email": "a@example.org", "object": "course:C1"})
    admin.post("/learners/complete", {"email": "b@example.org", "object": "course:C1"})
    assert award_reports.counts_by_state(pg) == {
        "queued": 0,
        "sending": 0,
        "issued": 1,
        "failed": 1,
        "revoked": 0,
        "cancelled": 0,
        "awarded": 0,
    }
    assert award_reports.failures_by_reason(pg) == [("Fake refused the key", 1)]
    assert sum(n for _, n in award_reports.issued_per_hour(pg, 1)) == 1
    page = award_reports.search(
        pg, award_reports.AwardFilter(connection="c1", object_kind="course", object_id="C1")
    )
    assert page.total == 2 and [a.learner_email for a in page.awards] == ["b@example.org", "a@example.org"]
    dashboard = admin.text("/")
    assert re.search(r'<span class="number">1</span><span class="state failed">', dashboard)
    assert "b@example.org" in admin.text("/awards/?state=issued&since=2000-01-01")
