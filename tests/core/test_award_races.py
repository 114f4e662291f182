"""Every earned award is stored exactly once, whatever the interleaving (issue 7, item 1).

Each scenario of ``tests.races`` is raced round after round by threads sharing one engine and by
processes opening the database themselves, on SQLite and on PostgreSQL (a throwaway schema).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from badgebridge.core.services import learners
from badgebridge.core.storage import open_database
from badgebridge.core.storage.locks import lock_learners
from badgebridge.core.storage.retry import retry_conflicts
from tests.races import SCENARIOS, postgres_schema, prepare, race_processes, race_threads

THREAD_ROUNDS = 12
PROCESS_ROUNDS = 6


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'race.db'}"
    else:
        with postgres_schema() as pg_url:
            yield pg_url


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_threads_racing_store_every_award_once(url, name, tmp_path):
    scenario = SCENARIOS[name]
    db = prepare(scenario, url, tmp_path / "files", THREAD_ROUNDS)
    try:
        errors = race_threads(scenario, db, tmp_path / "files", THREAD_ROUNDS)
        assert errors == []
        assert scenario.check(db, THREAD_ROUNDS) == []
    finally:
        db.dispose()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_processes_racing_store_every_award_once(url, name, tmp_path):
    scenario = SCENARIOS[name]
    db = prepare(scenario, url, tmp_path / "files", PROCESS_ROUNDS)
    try:
        errors = race_processes(scenario, url, tmp_path / "files", PROCESS_ROUNDS)
        assert errors == []
        assert scenario.check(db, PROCESS_ROUNDS) == []
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_deadlock_victim_is_run_again_and_both_transactions_commit():
    """Two transactions locking two learners in opposite orders: PostgreSQL aborts one, which
    ``retry_conflicts`` runs again from its start."""
    with postgres_schema() as pg_url:
        db = open_database(pg_url)
        try:
            for k in range(2):
                learners.add(db, f"d{k}@example.org", "Dead", f"Lock{k}")
            ids = [learners.get_by_email(db, f"d{k}@example.org").id for k in range(2)]
            barrier = threading.Barrier(2)
            attempts: list[int] = []

            def lock_in(order: list[str]) -> str:
                def work() -> str:
                    attempts.append(1)
                    with db.begin() as conn:
                        lock_learners(conn, order[:1])
                        if len(attempts) <= 2:  # the first attempts meet in the middle
                            barrier.wait(timeout=30)
                        lock_learners(conn, order[1:])
                    return "committed"

                return retry_conflicts(work)

            with ThreadPoolExecutor(2) as pool:
                results = list(pool.map(lock_in, [ids, ids[::-1]]))
            assert results == ["committed", "committed"]
            assert len(attempts) >= 3, "the deadlock's victim ran again"
        finally:
            db.dispose()
