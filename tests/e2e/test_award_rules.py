"""The README's promises about awards, from the command line, checked against the mock and the database.

Each test names the promise it holds; breaking that promise in the code fails the test.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import one_line_error
from tests.migration.alm import BADGE_HEADER, LATER, D, write_csv

pytestmark = pytest.mark.e2e

EMAIL = "noor@example.org"
INSTANCE_HEADER = ["courseId", "instanceId", "dateCreated", "completionDeadline", "name", "state", "badgeId"]


@pytest.fixture
def org(credly_mock):
    return credly_mock.create_organization("Rules Org")


@pytest.fixture
def speaker(cli, credly_mock, org):
    """One active template, connected and imported, and one learner; returns the catalog badge id."""
    credly_mock.create_template(org["id"], "Speaker")
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("badges", "import", "credly-main")
    cli.ok("learners", "add", EMAIL, "--first-name", "Noor", "--last-name", "Haddad")
    (badge,) = cli.json("badges", "list")
    return badge["id"]


def held(credly_mock, email=EMAIL):
    return [b for b in credly_mock.state()["badges"] if b["recipient_email"] == email]


def injected(credly_mock) -> int:
    return credly_mock.state()["stats"]["injected_errors"]


def database_file(cli) -> str:
    return cli.env["BADGEBRIDGE_DB"].removeprefix("sqlite:///")


def test_a_retired_badge_is_not_granted(cli, credly_mock, org, tmp_path):
    template = credly_mock.create_template(org["id"], "Old Speaker")
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("learners", "add", EMAIL, "--first-name", "Noor", "--last-name", "Haddad")
    folder = tmp_path / "alm"
    folder.mkdir()
    write_csv(
        folder,
        "badge.csv",
        BADGE_HEADER,
        [["R1", "Old Speaker", D, "", "Retired", "r.png", template["id"], "Credly"]],
    )
    cli.ok("migrate", str(folder))
    assert [(b["id"], b["state"]) for b in cli.json("badges", "list")] == [("R1", "Retired")]

    line = one_line_error(cli("awards", "grant", "--badge", "R1", "--learner", EMAIL))
    assert "retired" in line
    assert cli.json("awards", "list") == []
    assert held(credly_mock) == []


def test_retry_gives_a_failed_award_fresh_attempts(cli, credly_mock, speaker):
    """--max-attempts ends the retries; awards retry starts counting again, so one more error
    leaves the award waiting for a retry, not failed for good. Only the issue requests fail (the
    look-ups before a resend find nothing and spend no attempt)."""
    limits = {"BADGEBRIDGE_MAX_ATTEMPTS": "2", "BADGEBRIDGE_RETRY_BASE": "0"}
    credly_mock.script("issue_badge", 503, times=3)
    cli("awards", "grant", "--badge", speaker, "--learner", EMAIL, env=limits)
    cli("worker", "--once", env=limits)
    (award,) = cli.json("awards", "list")
    assert (award["state"], award["attempts"]) == ("failed", 2)
    assert "gave up after 2 attempts" in award["error"]

    cli("awards", "retry", str(award["id"]), env=limits)
    (award,) = cli.json("awards", "list")
    assert (award["state"], award["attempts"]) == ("queued", 1), "a retried award starts a fresh count"

    assert "1 issued" in cli.ok("worker", "--once", env=limits).stdout
    (badge,) = held(credly_mock)
    assert cli.json("awards", "list")[0]["provider_badge_id"] == badge["id"]


def test_retry_base_sets_how_long_a_stored_retry_waits(cli, credly_mock, speaker):
    credly_mock.set_faults(error_rate=1.0)
    before = datetime.now(UTC)
    cli("--retry-base", "1000", "awards", "grant", "--badge", speaker, "--learner", EMAIL)
    (award,) = cli.json("awards", "list")
    retry_at = datetime.fromisoformat(award["next_attempt_at"])
    assert award["state"] == "queued"
    assert before < retry_at <= datetime.now(UTC) + timedelta(seconds=2 * 1000)
    calls = injected(credly_mock)
    assert "nothing was due" in cli.ok("worker", "--once").stdout
    assert injected(credly_mock) == calls, "the worker did not send it before its time"


def test_worker_once_sends_what_waits_and_exits(cli, credly_mock, speaker):
    cli.ok("learners", "add", "sam@example.org", "--first-name", "Sam", "--last-name", "Lee")
    credly_mock.set_faults(error_rate=1.0)
    for email in (EMAIL, "sam@example.org"):
        cli("--retry-base", "0", "awards", "grant", "--badge", speaker, "--learner", email)
    assert {a["state"] for a in cli.json("awards", "list")} == {"queued"}
    credly_mock.set_faults(error_rate=0.0)
    result = cli.ok("--retry-base", "0", "worker", "--once", timeout=60)
    assert "Worker done: 2 issued (2 attempt(s))." in result.stdout
    assert {a["state"] for a in cli.json("awards", "list")} == {"issued"}
    assert len(held(credly_mock)) == 1 and len(held(credly_mock, "sam@example.org")) == 1


def test_granting_a_revoked_award_again_does_not_issue_it_again(cli, credly_mock, speaker):
    cli.ok("awards", "grant", "--badge", speaker, "--learner", EMAIL)
    (award,) = cli.json("awards", "list")
    cli.ok("awards", "revoke", str(award["id"]), "--reason", "granted by mistake")
    again = cli.ok("awards", "grant", "--badge", speaker, "--learner", EMAIL)
    assert "nothing changed" in again.stdout
    assert [(b["id"], b["state"]) for b in held(credly_mock)] == [(award["provider_badge_id"], "revoked")]
    assert [a["state"] for a in cli.json("awards", "list")] == ["revoked"]


def test_learner_badges_reads_the_provider_unless_told_not_to_and_survives_an_outage(
    cli, credly_mock, speaker
):
    cli.ok("awards", "grant", "--badge", speaker, "--learner", EMAIL)
    (award,) = cli.json("awards", "list")
    credly_mock.accept(award["provider_badge_id"])

    credly_mock.set_faults(error_rate=1.0)
    (stored,) = cli.json("learners", "badges", EMAIL, "--no-refresh")
    assert stored["provider_state"] == "pending", "--no-refresh shows what is stored"
    assert injected(credly_mock) == 0, "--no-refresh asks the provider nothing"

    (during_outage,) = cli.json("learners", "badges", EMAIL)
    assert during_outage["provider_state"] == "pending", "a provider that is down leaves the stored state"
    assert injected(credly_mock) >= 1, "without --no-refresh it asked"

    credly_mock.set_faults(error_rate=0.0)
    (fresh,) = cli.json("learners", "badges", EMAIL)
    assert fresh["provider_state"] == "accepted"
    assert cli.json("learners", "badges", EMAIL, "--no-refresh")[0]["provider_state"] == "accepted"


def test_only_active_instances_give_their_badge(cli, credly_mock, org, tmp_path):
    templates = {name: credly_mock.create_template(org["id"], name)["id"] for name in ("Current", "Former")}
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("learners", "add", EMAIL, "--first-name", "Noor", "--last-name", "Haddad")
    folder = tmp_path / "alm"
    folder.mkdir()
    write_csv(
        folder,
        "badge.csv",
        BADGE_HEADER,
        [
            ["CUR", "Current", D, "", "Active", "c.png", templates["Current"], "Credly"],
            ["OLD", "Former", D, "", "Active", "f.png", templates["Former"], "Credly"],
        ],
    )
    write_csv(
        folder,
        "course.csv",
        ["id", "courseName", "courseCreationDate", "state", "author"],
        [["C1", "Speaking", D, "Published", "a@example.org"]],
    )
    write_csv(
        folder,
        "course_instance.csv",
        INSTANCE_HEADER,
        [
            ["C1", "I1", D, LATER, "This year", "Active", "CUR"],
            ["C1", "I0", D, LATER, "Last year", "Retired", "OLD"],
        ],
    )
    cli.ok("migrate", str(folder))
    cli.ok("complete", EMAIL, "--course", "C1")
    assert [b["badge_template"]["id"] for b in held(credly_mock)] == [templates["Current"]]
    assert [a["badge_id"] for a in cli.json("awards", "list")] == ["CUR"]


def test_assign_to_an_instance_and_complete_on_a_given_date(cli, credly_mock, speaker, tmp_path):
    folder = tmp_path / "alm"
    folder.mkdir()
    write_csv(
        folder,
        "course.csv",
        ["id", "courseName", "courseCreationDate", "state", "author"],
        [["C1", "Speaking", D, "Published", "a@example.org"]],
    )
    write_csv(
        folder, "course_instance.csv", INSTANCE_HEADER, [["C1", "SPRING", D, LATER, "Spring", "Active", ""]]
    )
    cli.ok("migrate", str(folder))
    cli.ok("assign", "--badge", speaker, "--instance", "SPRING", "--course", "C1")
    (course,) = cli.json("learning-objects", "list")
    assert (course["badge_id"], course["instance_badges"]) == (None, {"SPRING": speaker})
    cli.ok("complete", EMAIL, "--course", "C1", "--date", "2024-05-06")
    (badge,) = held(credly_mock)
    assert badge["issued_at"].startswith("2024-05-06")
    (award,) = cli.json("awards", "list")
    assert (award["reason"], award["earned_at"]) == ("course:C1", "2024-05-06T00:00:00.000Z")


def test_grant_on_a_given_date(cli, credly_mock, speaker):
    cli.ok("awards", "grant", "--badge", speaker, "--learner", EMAIL, "--date", "2023-11-02 09:30:00")
    (badge,) = held(credly_mock)
    assert badge["issued_at"].startswith("2023-11-02")
    assert cli.json("awards", "list")[0]["earned_at"] == "2023-11-02T09:30:00.000Z"


def test_a_completion_is_stored_with_its_award_or_not_at_all(cli, credly_mock, speaker):
    """A failure while the award is stored undoes the completion too, so reporting the completion
    again earns the badge; it is never recorded without its award."""
    cli.ok("learning-objects", "add", "--course", "C1", "--name", "Speaking")
    cli.ok("assign", "--badge", speaker, "--course", "C1")
    with sqlite3.connect(database_file(cli)) as conn:
        conn.execute(
            "CREATE TRIGGER refuse_awards BEFORE INSERT ON awards "
            "BEGIN SELECT RAISE(ABORT, 'injected: the disk is full'); END"
        )
    failed = cli("complete", EMAIL, "--course", "C1")
    assert failed.returncode != 0 and "injected: the disk is full" in failed.stderr
    with sqlite3.connect(database_file(cli)) as conn:
        assert conn.execute("SELECT count(*) FROM completions").fetchone() == (0,)
        conn.execute("DROP TRIGGER refuse_awards")

    again = cli.ok("complete", EMAIL, "--course", "C1")
    assert "Recorded" in again.stdout and "issued on Credly" in again.stdout
    assert len(held(credly_mock)) == 1
