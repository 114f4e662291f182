"""Helpers for the delivery proofs: awards queued through the services, the real worker sending
them to the mock, and the checks on what the mock holds."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import create_engine, select

from badgebridge.core.model import ObjectKind
from badgebridge.core.plugin_manager import get_host
from badgebridge.core.services import catalog, connections, learners
from badgebridge.core.services import learning_objects as objects
from badgebridge.core.storage import open_database
from badgebridge.core.storage.schema import award_attempts, awards
from tests.e2e.conftest import BADGEBRIDGE

DEADLINE_SECONDS = 240  # a bound on waiting, so a broken worker fails the test instead of hanging it


@dataclass
class Queued:
    db_url: str
    template_id: str
    emails: list[str]


def queue_awards(db_url: str, mock, count: int, *, org_name: str = "Delivery Org") -> Queued:
    """A connection to the mock, a course whose badge is on a template allowing duplicates (a
    second POST shows as a second badge), and ``count`` learners who completed it: queued awards."""
    org = mock.create_organization(org_name)
    template = mock.create_template(org["id"], "Twice Possible", allow_duplicate_badges=True)
    db = open_database(db_url, upgrade=True)
    host = get_host()
    settings = {"org_id": org["id"], "host": mock.url, "token": org["token"]}
    connections.add(db, host, "credly-main", "credly", settings)
    catalog.import_badges(db, host, "credly-main")
    (badge,) = catalog.list_badges(db)
    objects.add(db, ObjectKind.COURSE, "C1", "Course One")
    objects.assign_badge(db, ObjectKind.COURSE, "C1", badge.id)
    emails = [f"learner{i}@example.org" for i in range(count)]
    for i, email in enumerate(emails):
        learners.add(db, email, "Learner", str(i))
        objects.complete(db, email, ObjectKind.COURSE, "C1")
    db.dispose()
    return Queued(db_url, template["id"], emails)


def start_worker(env: dict, *args: str, extra_env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [BADGEBRIDGE, "worker", "--poll", "0.1", *args],
        env=env | (extra_env or {}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


START_LINE = "Worker sending with"  # printed once its SIGTERM handler is installed


def start_watched_worker(
    env: dict, *args: str, extra_env: dict | None = None
) -> tuple[subprocess.Popen, list]:
    """A worker whose stderr lines are collected as they come (a thread reads them, so the pipe
    never fills); ``stop_when_started`` waits for its start line, then SIGTERMs it."""
    proc = subprocess.Popen(
        [BADGEBRIDGE, "worker", "--poll", "0.1", *args],
        env=env | (extra_env or {}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []

    def collect() -> None:
        for line in proc.stderr:
            lines.append(line)

    threading.Thread(target=collect, daemon=True).start()
    return proc, lines


def stop_when_started(proc: subprocess.Popen, lines: list) -> int:
    """SIGTERM the worker once it printed its start line; returns its exit status."""
    wait_for(
        lambda: proc.poll() is not None or any(line.startswith(START_LINE) for line in lines), START_LINE
    )
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=60)


def _read(db_url: str, query) -> list:
    """Rows, read without taking SQLite's write lock (a frozen worker may hold it)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(query).mappings().all()
    finally:
        engine.dispose()


def award_rows(db_url: str) -> list:
    return _read(db_url, select(awards).order_by(awards.c.id))


def history_rows(db_url: str) -> list:
    return _read(db_url, select(award_attempts).order_by(award_attempts.c.id))


def senders(db_url: str) -> Counter:
    """How many provider requests each sender (host:pid:uuid) recorded."""
    return Counter(row["worker"] for row in history_rows(db_url))


def wait_for(condition: Callable[[], bool], what: str, db_url: str | None = None, poll: float = 0.2) -> None:
    """Wait until ``condition()``; past the deadline fail, showing the awards and their history."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            state = "" if db_url is None else describe(db_url)
            raise AssertionError(f"gave up waiting for {what}\n{state}")
        time.sleep(poll)


def describe(db_url: str) -> str:
    awards_now = [
        f"award {r['id']}: {r['state']} by {r['claimed_by']} until {r['lease_expires_at']}, "
        f"next {r['next_attempt_at']}, attempts {r['attempts']}, {r['last_error']}"
        for r in award_rows(db_url)
    ]
    attempts = [
        f"{r['at']:%H:%M:%S.%f} award {r['award_id']} {r['action']} {r['outcome']} {r['worker']}"
        for r in history_rows(db_url)
    ]
    return "\n".join(awards_now + attempts[-40:])


def all_issued(db_url: str) -> bool:
    return {row["state"] for row in award_rows(db_url)} == {"issued"}


def assert_each_learner_once(mock, queued: Queued) -> None:
    """0 lost, 0 twice: the mock holds exactly one badge per learner on the template, and every
    award is issued with that badge's id, its claim released."""
    held = [b for b in mock.state()["badges"] if b["badge_template"]["id"] == queued.template_id]
    per_learner = Counter(b["recipient_email"] for b in held)
    assert sorted(per_learner) == sorted(queued.emails), "nothing lost"
    assert set(per_learner.values()) == {1}, f"nothing twice: {per_learner.most_common(3)}"
    by_email = {b["recipient_email"]: b["id"] for b in held}
    rows = award_rows(queued.db_url)
    assert {row["state"] for row in rows} == {"issued"}
    assert sorted(row["provider_badge_id"] for row in rows) == sorted(by_email.values())
    assert {(row["claim_token"], row["claimed_by"], row["lease_expires_at"]) for row in rows} == {
        (None, None, None)
    }, "nothing left claimed"
