"""Delivery proofs against the mock: pacing under a rate limit, and SIGKILL trials (``slow``).

Every template allows duplicates, so a second POST for a learner would show as a second badge.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import time

import pytest

from tests.e2e.delivery import (
    all_issued,
    assert_each_learner_once,
    award_rows,
    history_rows,
    queue_awards,
    start_watched_worker,
    start_worker,
    stop_when_started,
    wait_for,
)
from tests.pg import throwaway_schema

pytestmark = pytest.mark.e2e

FAST_RETRIES = {"BADGEBRIDGE_RETRY_BASE": "0.05"}


def _requests_since(mock, before: dict) -> tuple[int, int]:
    stats = mock.state()["stats"]
    total = sum(stats["requests"].values()) - sum(before["requests"].values())
    return total, stats["rate_limited"] - before["rate_limited"]


def test_a_rate_limited_failing_provider_is_paced_not_bounced(cli, credly_mock):
    """The issue's scenario, smaller: 30% 503, 20 requests/s answered 429 with Retry-After, 50 ms;
    the worker with default settings (no --rate-limit). Counts only, never time."""
    queued = queue_awards(cli.env["BADGEBRIDGE_DB"], credly_mock, 60)
    credly_mock.set_faults(error_rate=0.3, rate_limit_per_second=20, latency_ms=50, seed=3)
    before = credly_mock.state()["stats"]
    worker = start_worker(cli.env)
    try:
        wait_for(lambda: all_issued(queued.db_url), "every award issued", queued.db_url)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    assert_each_learner_once(credly_mock, queued)
    total, limited = _requests_since(credly_mock, before)
    assert credly_mock.state()["stats"]["injected_errors"] > 0
    assert limited <= 0.1 * total, f"{limited} of {total} requests answered 429"
    assert {row["state"] for row in award_rows(queued.db_url)} == {"issued"}
    attempts = [row["attempts"] for row in award_rows(queued.db_url)]
    assert max(attempts) < 12, "no award came near failing for retries"


# -- SIGKILL trials -------------------------------------------------------------------------------

POINTS = ("after-claim", "after-accept", "before-commit")
RANDOM_KILLS = 3
LEASE = ("--lease", "1")


def _kill_trials(env: dict, queued, rng: random.Random, workers: int = 1) -> list[int]:
    """Kill the worker(s) at each forced point and at random moments, restarting each time; then
    let the last ones finish. Returns the return codes of the forced rounds."""
    codes = []
    for point in POINTS:
        point_env = FAST_RETRIES | {"BADGEBRIDGE_TEST_KILL_AT": f"{point}:{rng.randint(1, 3)}"}
        procs = [start_worker(env, "--concurrency", "2", *LEASE, extra_env=point_env) for _ in range(workers)]

        def settled(procs=procs) -> bool:
            return all(p.poll() is not None for p in procs) or all_issued(queued.db_url)

        wait_for(settled, f"a kill {point}")
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            codes.append(proc.wait(timeout=30))
    for _ in range(RANDOM_KILLS):
        procs = [
            start_worker(env, "--concurrency", "2", *LEASE, extra_env=FAST_RETRIES) for _ in range(workers)
        ]
        time.sleep(rng.uniform(0.3, 1.5))
        for proc in procs:
            proc.kill()
            proc.wait(timeout=30)
    last = [
        start_watched_worker(env, "--concurrency", "2", *LEASE, extra_env=FAST_RETRIES)
        for _ in range(workers)
    ]
    try:
        wait_for(lambda: all_issued(queued.db_url), "the restarted worker(s) to finish", queued.db_url)
    finally:
        # Each stops cleanly (0), even one still starting when the others had issued everything:
        # its handler is installed before its start line, the first thing the worker command does.
        statuses = [stop_when_started(proc, lines) for proc, lines in last]
    assert statuses == [0] * workers, [lines for _, lines in last]
    return codes


def _faulty(mock) -> None:
    mock.set_faults(error_rate=0.2, latency_ms=30, seed=5)


@pytest.mark.slow
def test_sigkill_trials_on_sqlite_lose_nothing_and_send_nothing_twice(cli, credly_mock, tmp_path):
    queued = queue_awards(cli.env["BADGEBRIDGE_DB"], credly_mock, 12)
    _faulty(credly_mock)
    codes = _kill_trials(cli.env, queued, random.Random(11))
    assert codes.count(-signal.SIGKILL) >= 2, f"the forced points were reached: {codes}"
    assert_each_learner_once(credly_mock, queued)
    with sqlite3.connect(tmp_path / "bb.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.slow
@pytest.mark.postgres
def test_sigkill_trials_on_postgresql_lose_nothing_and_send_nothing_twice(cli, credly_mock):
    with throwaway_schema() as url:
        env = cli.env | {"BADGEBRIDGE_DB": url}
        queued = queue_awards(url, credly_mock, 12)
        _faulty(credly_mock)
        codes = _kill_trials(env, queued, random.Random(12))
        assert codes.count(-signal.SIGKILL) >= 2, f"the forced points were reached: {codes}"
        assert_each_learner_once(credly_mock, queued)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_on_one_postgresql_database_killed_and_restarted(cli, credly_mock):
    with throwaway_schema() as url:
        env = cli.env | {"BADGEBRIDGE_DB": url}
        queued = queue_awards(url, credly_mock, 30)
        _faulty(credly_mock)
        pair = [start_worker(env, "--concurrency", "2", *LEASE, extra_env=FAST_RETRIES) for _ in range(2)]
        pids = [f":{proc.pid}:" for proc in pair]

        def both_sent() -> bool:
            workers = [row["worker"] for row in history_rows(url) if row["action"] == "issue"]
            return all(any(pid in worker for worker in workers) for pid in pids)

        try:
            wait_for(both_sent, "both workers to send", url)
        finally:
            for proc in pair:
                proc.kill()
                proc.wait(timeout=30)
        _kill_trials(env, queued, random.Random(13), workers=2)
        assert_each_learner_once(credly_mock, queued)
