"""The worker delivers every stored award once, through injected provider failures."""

from __future__ import annotations

import contextlib
import signal
import subprocess

import pytest

from tests.e2e.conftest import BADGEBRIDGE

pytestmark = pytest.mark.e2e

LEARNERS = 12
MAX_POLLS = 1200


def test_every_award_reaches_the_mock_exactly_once_despite_errors(cli, credly_mock):
    org = credly_mock.create_organization("Worker Org")
    # duplicates allowed: a sender that posted twice would show up as a second badge
    template = credly_mock.create_template(org["id"], "Resilient", allow_duplicate_badges=True)
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("badges", "import", "credly-main")
    (badge,) = cli.json("badges", "list")
    emails = [f"learner{i}@example.org" for i in range(LEARNERS)]
    for email in emails:
        cli.ok("learners", "add", email, "--first-name", "Learner", "--last-name", email.split("@")[0])

    cli.env["BADGEBRIDGE_RETRY_BASE"] = "0.05"  # keep the test short; the backoff still doubles
    credly_mock.set_faults(error_rate=0.3, seed=11)
    for email in emails:
        cli("awards", "grant", "--badge", badge["id"], "--learner", email)
    waiting = [a for a in cli.json("awards", "list") if a["state"] == "queued"]
    assert waiting, "with a third of the calls failing, some awards wait for a retry"

    worker = subprocess.Popen(
        [BADGEBRIDGE, "worker", "--concurrency", "3", "--poll", "0.2"],
        env=cli.env,
        cwd=cli.home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(MAX_POLLS):  # a bound on a hung worker, not a speed requirement
            if {a["state"] for a in cli.json("awards", "list")} == {"issued"}:
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=0.5)
            assert worker.poll() is None, f"the worker died: {worker.communicate()[1]}"
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "Worker done" in out
    assert {a["state"] for a in cli.json("awards", "list")} == {"issued"}

    held = [b for b in credly_mock.state()["badges"] if b["badge_template"]["id"] == template["id"]]
    assert sorted(b["recipient_email"] for b in held) == sorted(emails), (
        "each learner holds exactly one badge"
    )
    stats = credly_mock.state()["stats"]
    assert stats["injected_errors"] > 0


def test_worker_summary_counts_awards_and_quiet_and_log_file_choose_where_lines_go(
    cli, credly_mock, tmp_path
):
    org = credly_mock.create_organization("Quiet Org")
    credly_mock.create_template(org["id"], "Quiet")
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("badges", "import", "credly-main")
    (badge,) = cli.json("badges", "list")
    for n in range(3):
        email = f"q{n}@example.org"
        cli.ok("learners", "add", email, "--first-name", "Q", "--last-name", str(n))
    cli.env["BADGEBRIDGE_RETRY_BASE"] = "3600"  # a failed attempt waits: the summary says until when
    credly_mock.set_faults(error_rate=1.0)
    for n in range(3):
        cli("awards", "grant", "--badge", badge["id"], "--learner", f"q{n}@example.org")
    credly_mock.set_faults(error_rate=0.0)
    nothing = cli.ok("worker", "--once")
    assert "nothing was due (the next retry is due at 20" in nothing.stdout

    cli.env["BADGEBRIDGE_RETRY_BASE"] = "0.0001"  # these are due again at once
    credly_mock.set_faults(error_rate=1.0)
    for n in range(3, 6):
        email = f"q{n}@example.org"
        cli.ok("learners", "add", email, "--first-name", "Q", "--last-name", str(n))
        cli("awards", "grant", "--badge", badge["id"], "--learner", email)
    credly_mock.set_faults(error_rate=0.0)
    log = tmp_path / "worker.log"
    quiet = cli.ok("worker", "--once", "--quiet", "--log-file", str(log))
    assert quiet.stdout.strip().splitlines()[0] == "Worker done: 3 issued (3 attempt(s))."
    logged = log.read_text(encoding="utf-8")
    assert (
        logged.count("INFO Award ") == 3
        and "alembic" not in logged.lower()
        and "Worker done: 3 issued." in logged
    )
    issued = [b for b in credly_mock.state()["badges"] if b["recipient_email"] >= "q3"]
    assert len(issued) == 3
