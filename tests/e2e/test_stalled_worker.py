"""A worker frozen past its lease (SIGSTOP) and thawed after another took over sends nothing twice."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest

from badgebridge.core.clock import utcnow
from tests.e2e.delivery import (
    all_issued,
    assert_each_learner_once,
    award_rows,
    history_rows,
    queue_awards,
    start_worker,
    wait_for,
)

pytestmark = pytest.mark.e2e

LEASE = "2"


def _claimed_by(db_url: str, pid: int) -> list:
    return [
        row for row in award_rows(db_url) if row["state"] == "sending" and f":{pid}:" in row["claimed_by"]
    ]


def _superseded(db_url: str, pid: int) -> int:
    return sum(row["outcome"] == "superseded" and f":{pid}:" in row["worker"] for row in history_rows(db_url))


def _freeze_outside_a_transaction(worker, database: Path) -> None:
    """SIGSTOP the worker at a moment it holds no SQLite transaction (frozen inside one, it would
    block every writer, the one that takes over too, until it thaws)."""
    while True:
        worker.send_signal(signal.SIGSTOP)
        probe = sqlite3.connect(database, timeout=0.5, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return
        except sqlite3.OperationalError:  # locked: thaw, and freeze it again a moment later
            worker.send_signal(signal.SIGCONT)
            time.sleep(0.01)
        finally:
            probe.close()


def test_a_thawed_worker_finds_its_claims_taken_over_and_sends_nothing(cli, credly_mock, tmp_path):
    queued = queue_awards(cli.env["BADGEBRIDGE_DB"], credly_mock, 6)
    credly_mock.set_faults(latency_ms=300)  # requests in flight when the worker freezes
    zombie = start_worker(cli.env, "--concurrency", "3", "--lease", LEASE)
    try:
        wait_for(lambda: len(_claimed_by(queued.db_url, zombie.pid)) == 3, "the first worker's claims")
        _freeze_outside_a_transaction(zombie, tmp_path / "bb.db")
        held = _claimed_by(queued.db_url, zombie.pid)
        wait_for(lambda: all(row["lease_expires_at"] < utcnow() for row in held), "its leases to run out")

        other = start_worker(cli.env, "--concurrency", "3", "--lease", LEASE)
        wait_for(lambda: all_issued(queued.db_url), "the second worker to issue everything", queued.db_url)
        other.send_signal(signal.SIGTERM)
        assert other.wait(timeout=60) == 0
        posts = credly_mock.state()["stats"]["requests"]["issue_badge"]

        zombie.send_signal(signal.SIGCONT)
        wait_for(
            lambda: _superseded(queued.db_url, zombie.pid) == len(held), "the thawed worker to stand down"
        )
        assert credly_mock.state()["stats"]["requests"]["issue_badge"] == posts, "no POST after the thaw"
    finally:
        zombie.send_signal(signal.SIGCONT)
        zombie.send_signal(signal.SIGTERM)
        zombie.wait(timeout=60)
    assert_each_learner_once(credly_mock, queued)
