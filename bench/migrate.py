"""Benchmark: migrating a large badge.csv, against a floor measured in the same run.

    python bench/migrate.py [--rows N] [--million]

Generates a badge.csv of N rows (100,000 by default; 1,000,000 with --million) in a temp folder:
most badges platform-only, a share pointing at templates of the bundled Credly mock, which runs in
this process so the provider check (one template listing per run) is on the measured path. Then,
each in its own subprocess so peak memory is per run, it measures:

- the floor: ``csv`` reader plus a batched insert into the same ``badges`` table of a fresh SQLite
  database, no checks;
- ``run_migration`` on a fresh SQLite database with a Credly connection to the mock.

It prints rows per second, peak RSS (``ru_maxrss`` of the child) and ours / floor. With --million
it also runs both at 100,000 rows and reports the memory ratio (1M peak / 100k peak). The last
line is one JSON object. Goals: ratio ≤ 3 at 100,000 rows; memory_ratio ≤ 1.5.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, not only installed

HEADER = [
    "id",
    "badgeName",
    "badgeCreationDate",
    "lastModifiedDate",
    "state",
    "imageUrl",
    "externalBadgeId",
    "externalBadgeProvider",
]
EXTERNAL_SHARE = 0.2
TEMPLATES = 25
BATCH = 2000


def generate(path: Path, rows: int, template_ids: list[str]) -> None:
    """A realistic badge.csv: platform-only badges, a share of Credly ones, some retired."""
    chance = random.Random(7)
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            created = f"{2005 + i % 20}-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00.000Z"
            external = chance.random() < EXTERNAL_SHARE
            writer.writerow(
                [
                    f"B{i:07d}",
                    f"Badge {i}",
                    created,
                    created if i % 3 else "",
                    "Retired" if i % 10 == 0 else ("ACTIVE" if i % 7 == 0 else "Active"),
                    f"https://img.example.org/badges/{i}.png",
                    chance.choice(template_ids) if external else "",
                    "Credly" if external else "",
                ]
            )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_floor(source: Path, database: Path) -> dict:
    """Read the CSV and insert every row into ``badges`` in batches: the least any import does."""
    from badgebridge.core.clock import utcnow
    from badgebridge.core.storage import open_database
    from badgebridge.core.storage.schema import badges

    db = open_database(f"sqlite:///{database}")
    started = time.perf_counter()
    now = utcnow()
    rows = 0
    with db.begin() as conn, open(source, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        batch = []
        for cells in reader:
            batch.append(
                {
                    "id": cells[0],
                    "name": cells[1],
                    "created_on": datetime.fromisoformat(cells[2]),
                    "state": cells[4].capitalize(),
                    "image_url": cells[5],
                    "external_badge_id": cells[6] or None,
                    "external_badge_provider": cells[7].lower() or None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(batch) == BATCH:
                conn.execute(badges.insert(), batch)
                rows += len(batch)
                batch = []
        if batch:
            conn.execute(badges.insert(), batch)
            rows += len(batch)
    return {"rows": rows, "seconds": time.perf_counter() - started, "failed": 0}


def child_ours(source: Path, database: Path, url: str, org_id: str, token: str) -> dict:
    """``run_migration`` with the real Credly plugin and a connection to the mock."""
    from badgebridge.core.migration import run_migration
    from badgebridge.core.plugin_manager import PluginHost
    from badgebridge.core.services import connections
    from badgebridge.core.storage import open_database

    db = open_database(f"sqlite:///{database}")
    host = PluginHost()
    host.load_entrypoints()
    connections.add(db, host, "bench", "credly", {"org_id": org_id, "token": token, "host": url})
    started = time.perf_counter()
    report = run_migration(db, host, source, errors_dir=database.parent / "errors")
    seconds = time.perf_counter() - started
    (summary,) = report.files
    return {"rows": summary.rows, "seconds": seconds, "failed": summary.failed, "imported": summary.imported}


def measure(kind: str, source: Path, work: Path, mock: dict) -> dict:
    database = work / f"{kind}-{source.stem}-{time.monotonic_ns()}.db"
    command = [sys.executable, __file__, "--child", kind, str(source), str(database)]
    if kind == "ours":
        command += [mock["url"], mock["org_id"], mock["token"]]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"the {kind} run failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["failed"]:
        raise SystemExit(f"the {kind} run failed {result['failed']} rows; see {work / 'errors'}")
    return result


def compare(rows: int, work: Path, mock: dict) -> tuple[dict, dict]:
    source = work / f"{rows}" / "badge.csv"
    source.parent.mkdir()
    generate(source, rows, mock["templates"])
    floor = measure("floor", source, work, mock)
    ours = measure("ours", source, work, mock)
    for label, result in (("floor (csv + batched insert)", floor), ("run_migration", ours)):
        print(
            f"{rows:>9,} rows  {label:<29} {result['seconds']:7.2f} s  "
            f"{result['rows'] / result['seconds']:>9,.0f} rows/s  peak RSS {result['peak_rss_mb']:6.1f} MB"
        )
    print(f"{rows:>9,} rows  ours / floor: {ours['seconds'] / floor['seconds']:.2f}x")
    return floor, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the base run (default 100,000)")
    parser.add_argument(
        "--million", action="store_true", help="also run 1,000,000 rows; report the memory ratio"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, source, database, *rest = args.child
        run = child_floor if kind == "floor" else child_ours
        result = run(Path(source), Path(database), *rest)
        print(json.dumps(result | {"peak_rss_mb": round(peak_rss_mb(), 1)}))
        return

    from badgebridge.mock_server import MockServer
    from badgebridge.mock_server.control_client import MockControl

    with MockServer() as server, tempfile.TemporaryDirectory(prefix="bb-bench-") as tmp:
        with MockControl(server.url) as control:
            org = control.create_organization("Bench Academy")
            templates = [control.create_template(org["id"], f"Skill {n}")["id"] for n in range(TEMPLATES)]
        mock = {"url": server.url, "org_id": org["id"], "token": org["token"], "templates": templates}
        work = Path(tmp)
        floor, ours = compare(args.rows, work, mock)
        summary = _summary(floor, ours)
        if args.million:
            first = summary
            summary = _summary(*compare(1_000_000, work, mock))
            summary |= {f"{key}_100k": first[key] for key in ("rows", "seconds", "floor_seconds", "ratio")}
            summary["peak_rss_mb_100k"] = first["peak_rss_mb"]
            summary["memory_ratio"] = round(summary["peak_rss_mb"] / first["peak_rss_mb"], 2)
            print(f"peak RSS 1,000,000 / {args.rows:,} rows: {summary['memory_ratio']:.2f}x")
    print(json.dumps(summary))


def _summary(floor: dict, ours: dict) -> dict:
    """The figures of one size: ours, the floor, and ours over the floor."""
    return {
        "rows": ours["rows"],
        "seconds": round(ours["seconds"], 3),
        "rows_per_second": round(ours["rows"] / ours["seconds"]),
        "peak_rss_mb": ours["peak_rss_mb"],
        "floor_seconds": round(floor["seconds"], 3),
        "floor_peak_rss_mb": floor["peak_rss_mb"],
        "ratio": round(ours["seconds"] / floor["seconds"], 2),
    }


if __name__ == "__main__":
    main()
