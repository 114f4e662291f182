"""A processor stopped in the middle of an event (SIGSTOP) loses its lease; another handles the event;
the first, resumed, changes nothing. Real processes, the real CLI, the mock on a socket."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from badgebridge.core.clock import utcnow
from badgebridge.core.services import events as event_service
from badgebridge.core.storage import open_database
from tests.e2e.conftest import BADGEBRIDGE
from tests.e2e.events_support import deliver, mock_events, until, webhook_body

pytestmark = pytest.mark.e2e


@pytest.fixture
def storing_receiver(cli):
    """``events serve --no-process``: deliveries are stored, never processed by the receiver."""
    process = subprocess.Popen(
        [BADGEBRIDGE, "events", "serve", "--port", "0", "--no-process"],
        env=cli.env,
        cwd=cli.home,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield process.stdout.readline().split(" at ")[1].split("/events/")[0]
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_stalled_processor_is_taken_over_and_changes_nothing_when_it_resumes(
    cli, credly_mock, storing_receiver, issued_award
):
    org, award = issued_award
    credly_mock.accept(award["provider_badge_id"])
    (accepted,) = mock_events(credly_mock, "badge.state.changed", org["id"])
    deliver(storing_receiver, webhook_body(accepted))
    db = open_database(cli.env["BADGEBRIDGE_DB"])
    (row,) = event_service.list_events(db)
    assert row.state == "received", "the receiver only stored it"

    credly_mock.set_faults(latency_ms=4000)  # the first processor's fetch hangs
    stalled = subprocess.Popen(
        [BADGEBRIDGE, "events", "process", "--once", "--lease", "1"],
        env=cli.env,
        cwd=cli.home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        until(lambda: event_service.list_events(db)[0].state == "processing", "the first processor's claim")
        os.kill(stalled.pid, signal.SIGSTOP)
        credly_mock.set_faults(latency_ms=0)
        with db.begin() as conn:
            lease = conn.execute(event_service.provider_events.select()).mappings().one()["lease_expires_at"]
        until(lambda: utcnow() > lease, "the stalled processor's lease to run out")

        taken_over = cli.ok("events", "process", "--once")
        assert "handled" in taken_over.stdout
        (awarded,) = cli.json("awards", "list")
        assert awarded["provider_state"] == "accepted"
    finally:
        os.kill(stalled.pid, signal.SIGCONT)
        stalled.wait(timeout=60)
    assert stalled.returncode == 0, stalled.stderr
    (final,) = cli.json("events", "list")
    assert (final["state"], final["attempts"]) == ("handled", 2)
    assert "pending -> accepted" in final["outcome"], "the resumed processor did not overwrite the outcome"
    (still,) = cli.json("awards", "list")
    assert still == awarded
    db.dispose()
