"""Benchmark: ``awards list --json`` over 1,000 and 100,000 awards, memory and time.

    python bench/listing.py [--small N] [--large N] [--postgres URL]

Fills a fresh SQLite database (and, with --postgres, a throwaway schema of that server) with N
platform-only awards by set-based inserts, then runs the real ``badgebridge awards list --json``
as a child process, its output to a file, and measures its wall time and peak RSS (its own
``ru_maxrss``, through ``peak_memory``: a child of this process would start with this one's peak).
The output is checked: one JSON array of N awards, ids ascending. It prints each figure and the
large/small ratios, measured in the same run. The last line is one JSON object. Goal (issue 8):
peak memory at 100,000 awards within 1.5x of 1,000 (the issue measured 474 MB against 92 MB
before lists streamed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, not only installed

import peak_memory  # bench/, this script's folder, is on sys.path
from sqlalchemy import create_engine, text

from badgebridge.core.storage import open_database
from badgebridge.core.storage.schema import awards, badges, learners

CHUNK = 5000  # rows per insert statement batch


def installed_command() -> str:
    found = shutil.which("badgebridge", path=str(Path(sys.executable).parent)) or shutil.which("badgebridge")
    if found is None:
        raise SystemExit("no badgebridge command is installed beside this Python or on PATH")
    return found


def populate(url: str, count: int) -> None:
    """One platform-only badge, ``count`` learners and an award each, inserted a chunk at a time."""
    db = open_database(url, upgrade=True)
    now = datetime.now(UTC)
    try:
        with db.begin() as conn:
            conn.execute(
                badges.insert().values(
                    id="local", name="Local", state="Active", created_at=now, updated_at=now
                )
            )
        for first in range(0, count, CHUNK):
            numbers = range(first, min(first + CHUNK, count))
            with db.begin() as conn:
                conn.execute(
                    learners.insert(),
                    [
                        {
                            "id": f"l{n}",
                            "email": f"learner{n}@example.org",
                            "first_name": "Learner",
                            "last_name": str(n),
                            "created_at": now,
                            "updated_at": now,
                        }
                        for n in numbers
                    ],
                )
                conn.execute(
                    awards.insert(),
                    [
                        {
                            "learner_id": f"l{n}",
                            "badge_id": "local",
                            "reason_kind": "manual",
                            "reason_id": "",
                            "earned_at": now - timedelta(minutes=n),
                            "state": "awarded",
                            "attempts": 0,
                            "linked": False,
                            "maybe_sent": False,
                            "created_at": now,
                            "updated_at": now,
                        }
                        for n in numbers
                    ],
                )
    finally:
        db.dispose()


def run_list(url: str, out: Path) -> dict:
    """``badgebridge awards list --json`` into ``out``: wall seconds and the command's own peak RSS."""
    env = dict(os.environ, BADGEBRIDGE_DB=url)
    with open(out, "wb") as sink:
        code, peak_mb, seconds = peak_memory.run(
            [installed_command(), "awards", "list", "--json"], env=env, stdout=sink
        )
    if code != 0:
        raise SystemExit(f"awards list failed ({code})")
    return {"seconds": round(seconds, 3), "peak_rss_mb": round(peak_mb, 1)}


def check_output(out: Path, count: int) -> None:
    with open(out, encoding="utf-8") as listed:
        ids = [award["id"] for award in json.load(listed)]
    if len(ids) != count or ids != sorted(ids):
        raise SystemExit(f"awards list printed {len(ids)} awards, expected {count} in id order")


def measure_on(url_for, work: Path, small: int, large: int) -> dict:
    """Both sizes on databases from ``url_for(name)``, and the large/small ratios."""
    figures = {}
    for label, count in (("small", small), ("large", large)):
        url = url_for(label)
        started = time.perf_counter()
        populate(url, count)
        filled = time.perf_counter() - started
        out = work / f"{label}.json"
        figures[label] = {"awards": count, "fill_seconds": round(filled, 2), **run_list(url, out)}
        check_output(out, count)
        out.unlink()
    figures["memory_ratio"] = round(figures["large"]["peak_rss_mb"] / figures["small"]["peak_rss_mb"], 2)
    figures["time_ratio"] = round(figures["large"]["seconds"] / figures["small"]["seconds"], 2)
    figures["large_awards_per_second"] = round(large / figures["large"]["seconds"])
    return figures


def measure_listing(work_dir: Path, small: int = 1000, large: int = 100_000) -> dict:
    """The SQLite figures: ``awards list --json`` at ``small`` and ``large`` awards."""
    work_dir = Path(work_dir)
    return measure_on(lambda label: f"sqlite:///{work_dir / f'list-{label}.db'}", work_dir, small, large)


def measure_postgres(server: str, work_dir: Path, small: int, large: int) -> dict:
    """The same on PostgreSQL, each size in a throwaway schema of ``server``."""
    engine = create_engine(server)
    schemas = []

    def url_for(label: str) -> str:
        schema = f"bench_list_{label}_{uuid.uuid4().hex[:8]}"
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        separator = "&" if "?" in server else "?"
        return f"{server}{separator}options=-csearch_path%3D{schema}"

    try:
        return measure_on(url_for, work_dir, small, large)
    finally:
        with engine.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def _print(database: str, figures: dict) -> None:
    for label in ("small", "large"):
        row = figures[label]
        print(
            f"{database:10} {row['awards']:>8,} awards: {row['seconds']:6.2f} s, "
            f"peak {row['peak_rss_mb']:6.1f} MB (filled in {row['fill_seconds']:.1f} s)"
        )
    print(
        f"{database:10} large/small: memory {figures['memory_ratio']}x (goal: at most 1.5x), "
        f"time {figures['time_ratio']}x; {figures['large_awards_per_second']:,} awards/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL", help="Also measure on this PostgreSQL server.")
    args = parser.parse_args()
    summary = {}
    with tempfile.TemporaryDirectory() as work:
        summary["sqlite"] = measure_listing(Path(work), args.small, args.large)
        _print("sqlite", summary["sqlite"])
        if args.postgres:
            summary["postgresql"] = measure_postgres(args.postgres, Path(work), args.small, args.large)
            _print("postgresql", summary["postgresql"])
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
