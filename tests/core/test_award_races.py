"""Every earned award is stored exactly once, whatever the interleaving (issue 7, item 1).

Each scenario of ``tests.races`` is raced round after round by threads sharing one engine and by
processes opening the database themselves, on SQLite and on PostgreSQL (a throwaway schema).
"""

from __future__ import annotations

import pytest

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
