"""Benchmark: the issue's "Done when" delivery against a rate-limited, failing provider.

    python bench/pacing.py [--awards N] [--concurrency C] [--seed S] [--rate-limit R]

The bundled Credly mock runs in this process with ``PUT /_mock/faults``: 30% of requests answered
503, a 20 requests/s limit answered 429 with ``Retry-After``, 50 ms latency. N learners (1,000 by
default) complete a course whose badge is on a template that allows duplicates (so a second POST
would show as a second badge). Then the real ``badgebridge worker`` runs, with default settings
(no ``--rate-limit`` unless given), until every award is issued.

It prints the wall time, the physical floor (the N / 0.7 sends that 30% failures make necessary, at
20 requests/s) and the ratio, the mock's request counts (POSTs, lookups, 429s and their share),
badges per learner, and the worker's own summary. The last line is one JSON object. Goals: every
award issued, each learner once, at most 10% of requests answered 429, ratio at most 2.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, not only installed

ERROR_RATE = 0.3
RATE_LIMIT = 20.0
LATENCY_MS = 50


def setup(db_url: str, mock, awards: int) -> str:
    """A connection to the mock, a course with a duplicates-allowed badge, N completions."""
    from badgebridge.core.model import ObjectKind
    from badgebridge.core.plugin_manager import get_host
    from badgebridge.core.services import catalog, connections, learners
    from badgebridge.core.services import learning_objects as objects
    from badgebridge.core.storage import open_database

    org = mock.create_organization("Pacing Org")
    mock.create_template(org["id"], "Paced", allow_duplicate_badges=True)
    db = open_database(db_url)
    host = get_host()
    connections.add(
        db, host, "credly", "credly", {"org_id": org["id"], "host": mock.url, "token": org["token"]}
    )
    catalog.import_badges(db, host, "credly")
    (badge,) = catalog.list_badges(db)
    objects.add(db, ObjectKind.COURSE, "C1", "Course One")
    objects.assign_badge(db, ObjectKind.COURSE, "C1", badge.id)
    for i in range(awards):
        email = f"learner{i}@example.org"
        learners.add(db, email, "Learner", str(i))
        objects.complete(db, email, ObjectKind.COURSE, "C1")
    db.dispose()
    return org["id"]


def all_issued(db_url: str) -> tuple[bool, Counter]:
    from badgebridge.core.services import awards
    from badgebridge.core.storage import open_database

    db = open_database(db_url)
    try:
        states = Counter(award.state for award in awards.list_awards(db))
    finally:
        db.dispose()
    return set(states) == {"issued"}, states


def request_rates(db_url: str) -> dict:
    """From the attempt history: provider requests per second, second by second."""
    from sqlalchemy import select

    from badgebridge.core.storage import open_database
    from badgebridge.core.storage.schema import award_attempts

    db = open_database(db_url)
    try:
        with db.begin() as conn:
            moments = sorted(conn.execute(select(award_attempts.c.at)).scalars())
    finally:
        db.dispose()
    if not moments:
        return {}
    per_second = Counter(int((m - moments[0]).total_seconds()) for m in moments)
    busiest = sorted(per_second.values(), reverse=True)
    return {
        "span_seconds": round((moments[-1] - moments[0]).total_seconds(), 1),
        "mean_per_second": round(len(moments) / max(1, len(per_second)), 1),
        "median_busy_second": busiest[len(busiest) // 2],
        "max_second": busiest[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--awards", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4, help="the worker's default is 4")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate-limit", type=float, help="set the connection's --rate-limit (default: unset)")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    from badgebridge.mock_server import MockServer
    from badgebridge.mock_server.control_client import MockControl

    badgebridge = str(Path(sys.executable).with_name("badgebridge"))
    with tempfile.TemporaryDirectory() as scratch, MockServer() as server:
        mock = MockControl(server.url)
        db_url = f"sqlite:///{Path(scratch) / 'bench.db'}"
        env = dict(os.environ, BADGEBRIDGE_DB=db_url, HOME=scratch)
        setup(db_url, mock, args.awards)
        if args.rate_limit:
            subprocess.run(
                [badgebridge, "connections", "update", "credly", "--rate-limit", str(args.rate_limit)],
                env=env,
                check=True,
                capture_output=True,
            )
        mock.set_faults(
            error_rate=ERROR_RATE, rate_limit_per_second=RATE_LIMIT, latency_ms=LATENCY_MS, seed=args.seed
        )
        before = mock.state()["stats"]
        started = time.monotonic()
        log = open(Path(scratch) / "worker.log", "w+")  # noqa: SIM115 -- read back after the run
        worker = subprocess.Popen(
            [badgebridge, "worker", "--concurrency", str(args.concurrency), "--poll", "0.2"],
            env=env,
            stdout=log,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        done, states = False, Counter()
        while time.monotonic() - started < args.timeout:
            time.sleep(0.5)
            done, states = all_issued(db_url)
            if done:
                break
        elapsed = time.monotonic() - started
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)
        log.seek(0)
        out = log.read()
        log.close()
        state = mock.state()
        server.check()
        rates = request_rates(db_url)

    requests = Counter(state["stats"]["requests"])
    requests.subtract(before["requests"])
    total = sum(requests.values())
    limited = state["stats"]["rate_limited"] - before["rate_limited"]
    per_learner = Counter(Counter(b["recipient_email"] for b in state["badges"]).values())
    floor = args.awards / (1 - ERROR_RATE) / RATE_LIMIT
    summary = [line for line in out.splitlines() if line.startswith(("Worker done", "Provider requests"))]
    result = {
        "awards": args.awards,
        "all_issued": done,
        "states": dict(states),
        "badges": len(state["badges"]),
        "badges_per_learner": {str(k): v for k, v in sorted(per_learner.items())},
        "seconds": round(elapsed, 1),
        "floor_seconds": round(floor, 1),
        "ratio": round(elapsed / floor, 2),
        "requests": total,
        "posts": requests["issue_badge"],
        "lookups": requests["list_badges"],
        "rate_limited": limited,
        "rate_limited_share": round(limited / total, 4) if total else 0,
        "injected_errors": state["stats"]["injected_errors"] - before["injected_errors"],
        "worker_summary": summary,
        "request_rates": rates,
    }
    print(
        f"{args.awards} completions; mock: {ERROR_RATE:.0%} 503, {RATE_LIMIT:g} req/s limit, {LATENCY_MS} ms"
    )
    print(
        f"  all issued: {done} {dict(states)}; badges {len(state['badges'])}; per learner {dict(per_learner)}"
    )
    print(
        f"  wall {elapsed:.1f} s; floor {floor:.1f} s (N/0.7 at {RATE_LIMIT:g}/s); "
        f"ratio {elapsed / floor:.2f}"
    )
    print(
        f"  requests {total}: {requests['issue_badge']} POSTs, {requests['list_badges']} lookups, "
        f"{limited} answered 429 ({result['rate_limited_share']:.1%})"
    )
    print(f"  requests per second (from the attempt history): {rates}")
    for line in summary:
        print(f"  worker: {line}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
