"""Recovery from the command line: retry takes over dead claims, cancel, reissue, sync, revoke."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import one_line_error
from tests.e2e.delivery import wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def setup(cli, credly_mock):
    """A connection, a duplicates-allowed badge, one learner; returns (org, badge id, template id)."""
    org = credly_mock.create_organization("Recovery Org")
    template = credly_mock.create_template(org["id"], "Recoverable", allow_duplicate_badges=True)
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("badges", "import", "credly-main")
    (badge,) = cli.json("badges", "list")
    cli.ok("learners", "add", "ada@example.org", "--first-name", "Ada", "--last-name", "Lovelace")
    return org, badge["id"], template["id"]


def _badges(mock, template_id):
    return [b for b in mock.state()["badges"] if b["badge_template"]["id"] == template_id]


def _award(cli):
    (award,) = cli.json("awards", "list")
    return award


def _v1(mock, org, method, path):
    response = httpx.request(
        method,
        f"{mock.url}/v1/organizations/{org['id']}/badges/{path}",
        auth=(org["token"], ""),
        json={"reason": "revoked on Credly by its admin"},
    )
    response.raise_for_status()


def test_a_grant_killed_mid_send_is_taken_over_by_retry_once_its_lease_ran_out(cli, credly_mock, setup):
    _, badge_id, template_id = setup
    killed = cli(
        "awards",
        "grant",
        "--badge",
        badge_id,
        "--learner",
        "ada@example.org",
        env={"BADGEBRIDGE_TEST_KILL_AT": "after-claim", "BADGEBRIDGE_LEASE": "1"},
    )
    assert killed.returncode == -9
    award = _award(cli)
    assert award["state"] == "sending"
    early = cli.ok("awards", "retry", str(award["id"]), env={"BADGEBRIDGE_LEASE": "1"})
    if "is being sent" in early.stdout:  # its lease (1 s) had not run out yet: left alone
        assert _award(cli)["state"] == "sending"
        wait_for(lambda: _lease_over(cli), "the killed grant's lease to run out")
        result = cli.ok("awards", "retry", "--all")
    else:
        result = early
    assert "Queued 1 award(s) again" in result.stdout
    assert "issued on Credly" in result.stdout
    assert len(_badges(credly_mock, template_id)) == 1
    history = [(h["action"], h["outcome"]) for h in _history(cli)]
    assert ("retry", "requeued") in history


def _lease_over(cli) -> bool:
    from sqlalchemy import create_engine, select

    from badgebridge.core.clock import utcnow
    from badgebridge.core.storage.schema import awards

    engine = create_engine(cli.env["BADGEBRIDGE_DB"])
    with engine.connect() as conn:
        lease = conn.execute(select(awards.c.lease_expires_at)).scalar_one()
    engine.dispose()
    return lease.replace(tzinfo=utcnow().tzinfo) < utcnow()


def _history(cli):
    from sqlalchemy import create_engine, select

    from badgebridge.core.storage.schema import award_attempts

    engine = create_engine(cli.env["BADGEBRIDGE_DB"])
    with engine.connect() as conn:
        rows = conn.execute(select(award_attempts).order_by(award_attempts.c.id)).mappings().all()
    engine.dispose()
    return rows


def test_a_cancelled_award_is_never_sent(cli, credly_mock, setup):
    _, badge_id, template_id = setup
    credly_mock.set_faults(error_rate=1.0)
    cli("awards", "grant", "--badge", badge_id, "--learner", "ada@example.org")
    award = _award(cli)
    assert award["state"] == "queued"
    result = cli.ok("awards", "cancel", str(award["id"]))
    assert f"Award {award['id']} cancelled; it will not be sent." in result.stdout
    credly_mock.set_faults(error_rate=0.0)
    cli.ok("awards", "retry", "--all")
    cli.ok("worker", "--once")
    assert _award(cli)["state"] == "cancelled"
    assert _badges(credly_mock, template_id) == []
    again = cli("awards", "cancel", str(award["id"]))
    assert "was cancelled already" in again.stdout and again.returncode == 1
    result = cli.ok("awards", "reissue", str(award["id"]))
    assert "issued on Credly" in result.stdout
    assert len(_badges(credly_mock, template_id)) == 1
    refused = cli("awards", "cancel", str(award["id"]))
    assert "only queued or failed awards can be cancelled" in refused.stdout
    assert refused.returncode == 1


def test_sync_records_a_remote_revoke_and_a_local_revoke_then_succeeds(cli, credly_mock, setup):
    org, badge_id, template_id = setup
    cli.ok("awards", "grant", "--badge", badge_id, "--learner", "ada@example.org")
    award = _award(cli)
    credly_mock.accept(award["provider_badge_id"])
    result = cli.ok("awards", "sync")
    assert f"Award {award['id']}: pending -> accepted." in result.stdout
    assert _award(cli)["provider_state"] == "accepted"

    _v1(credly_mock, org, "PUT", f"{award['provider_badge_id']}/revoke")
    result = cli.ok("awards", "sync", "credly-main")
    assert f"Award {award['id']}: accepted -> revoked." in result.stdout
    assert (_award(cli)["state"], _award(cli)["provider_state"]) == ("revoked", "revoked")
    result = cli.ok("awards", "revoke", str(award["id"]), "--reason", "left the company")
    assert "was revoked already (revoked on Credly)" in result.stdout

    result = cli.ok("awards", "reissue", str(award["id"]))
    assert "issued on Credly" in result.stdout
    held = _badges(credly_mock, template_id)
    assert sorted(b["state"] for b in held) == ["pending", "revoked"]
    assert _award(cli)["provider_badge_id"] != award["provider_badge_id"]


def test_a_badge_deleted_on_the_provider_is_recorded_and_reissued(cli, credly_mock, setup):
    org, badge_id, template_id = setup
    cli.ok("awards", "grant", "--badge", badge_id, "--learner", "ada@example.org")
    award = _award(cli)
    _v1(credly_mock, org, "DELETE", award["provider_badge_id"])
    result = cli.ok("awards", "sync")
    assert f"Award {award['id']}: pending -> deleted." in result.stdout
    assert (_award(cli)["state"], _award(cli)["provider_state"]) == ("revoked", "deleted")
    cli.ok("awards", "reissue", str(award["id"]))
    assert [b["state"] for b in _badges(credly_mock, template_id)] == ["pending"]


def test_revoking_a_badge_revoked_on_the_provider_without_a_sync_says_so_and_succeeds(
    cli, credly_mock, setup
):
    org, badge_id, _ = setup
    cli.ok("awards", "grant", "--badge", badge_id, "--learner", "ada@example.org")
    award = _award(cli)
    _v1(credly_mock, org, "PUT", f"{award['provider_badge_id']}/revoke")
    result = cli.ok("awards", "revoke", str(award["id"]), "--reason", "duplicate")
    assert "was revoked on the provider already; recorded as revoked" in result.stdout
    assert _award(cli)["state"] == "revoked"


def test_reissue_refuses_an_issued_award_in_one_line(cli, credly_mock, setup):
    _, badge_id, _ = setup
    cli.ok("awards", "grant", "--badge", badge_id, "--learner", "ada@example.org")
    line = one_line_error(cli("awards", "reissue", str(_award(cli)["id"])))
    assert "only revoked, cancelled or provider-deleted awards" in line
