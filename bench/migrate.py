"""Benchmark: migrating a large badge.csv and a large user_course_grade.csv, in the same run.

    python bench/migrate.py [--rows N] [--million]

Generates a badge.csv of N rows (100,000 by default) in a temp folder: most badges platform-only,
200 pointing at templates of the bundled Credly mock (one badge per template, as the catalog
requires), which runs in this process so the provider check (one template listing per run) is on
the measured path. Then, each in its own
subprocess so peak memory is per run, it measures:

- the floor: ``csv`` reader plus a batched insert into the same ``badges`` table of a fresh SQLite
  database, no checks;
- ``run_migration`` of badge.csv on a fresh SQLite database with a Credly connection to the mock;
- ``run_migration`` of a user_course_grade.csv of N rows (completions), on a SQLite database
  prepared beforehand in another subprocess (N / 10 learners, 400 courses: a third carry an
  instance badge, some grant skill credits towards levels with badges; 85% of the rows complete a
  course, so most earn awards). Its rows per second are set against badge.csv's (the same run).

It prints rows per second, peak RSS (the child's own ``ru_maxrss``, through ``peak_memory``) and
the ratios. With --million it also runs all three at 1,000,000 rows and reports the memory ratios
(1M peak / N peak). The last line is one JSON object. Goals: badge.csv ours / floor ≤ 3;
completions ≥ 0.8× badge.csv's rows per second; memory ratios ≤ 1.5.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, not only installed

import peak_memory  # bench/, this script's folder, is on sys.path

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
TEMPLATES = 200  # one badge per provider template: that many rows are Credly badges
BATCH = 2000
GRADE_HEADER = [
    "userId",
    "courseId",
    "moduleId",
    "completion",
    "started",
    "success",
    "scoreRaw",
    "scoreMin",
    "scoreMax",
    "startedDate",
    "successDate",
    "completionDate",
]
COURSES = 400
ROWS_PER_LEARNER = 10
COMPLETED_SHARE = 0.85
DATE = "2021-06-01T09:30:00.000Z"


def generate(path: Path, rows: int, template_ids: list[str]) -> None:
    """A realistic badge.csv: platform-only badges, one Credly badge per template spread through
    the file (a template belongs to one badge), some retired."""
    spacing = max(rows // len(template_ids), 1)
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            created = f"{2005 + i % 20}-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00.000Z"
            external = i % spacing == 0 and i // spacing < len(template_ids)
            writer.writerow(
                [
                    f"B{i:07d}",
                    f"Badge {i}",
                    created,
                    created if i % 3 else "",
                    "Retired" if i % 10 == 0 else ("ACTIVE" if i % 7 == 0 else "Active"),
                    f"https://img.example.org/badges/{i}.png",
                    template_ids[i // spacing] if external else "",
                    "Credly" if external else "",
                ]
            )


def learner_count(rows: int) -> int:
    return max(rows // ROWS_PER_LEARNER, 1)


def generate_grades(path: Path, rows: int) -> None:
    """A user_course_grade.csv: each learner's grades in a block, most rows completions."""
    chance = random.Random(11)
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(GRADE_HEADER)
        for i in range(rows):
            learner = i // ROWS_PER_LEARNER
            done = chance.random() < COMPLETED_SHARE
            score = chance.randrange(40, 100)
            writer.writerow(
                [
                    f"learner{learner}@example.org",
                    f"C{chance.randrange(COURSES)}",
                    f"M{i % 3}",
                    "TRUE" if done else "FALSE",
                    "TRUE",
                    "TRUE" if done and score >= 60 else "",
                    score,
                    0,
                    100,
                    DATE,
                    DATE if done and score >= 60 else "",
                    DATE if done else "",
                ]
            )


def catalog_files(folder: Path) -> None:
    """The catalog the grades refer to: badges, skills and levels, courses, instances, credits."""
    folder.mkdir()
    badge_rows = [[f"CB{n}", f"Course badge {n}", DATE, "", "Active", "c.png", "", ""] for n in range(40)]
    badge_rows += [[f"LB{n}", f"Level badge {n}", DATE, "", "Active", "l.png", "", ""] for n in range(5)]
    tables = {
        "badge.csv": (HEADER, badge_rows),
        "skill.csv": (
            ["id", "skillName", "skillCreationDate", "state"],
            [[f"S{n}", f"Skill {n}", DATE, "Active"] for n in range(5)],
        ),
        "skill_level.csv": (
            ["skillId", "levelId", "maxCredits", "badgeId"],
            [[f"S{n}", "1", "3", f"LB{n}"] for n in range(5)],
        ),
        "course.csv": (
            ["id", "courseName", "courseCreationDate", "state", "author"],
            [[f"C{n}", f"Course {n}", DATE, "Published", "author@example.org"] for n in range(COURSES)],
        ),
        "skill_course.csv": (
            ["courseId", "skillId", "levelId", "credits"],
            [[f"C{n}", f"S{n % 5}", "1", "1"] for n in range(0, COURSES, 4)],
        ),
        "course_instance.csv": (
            ["courseId", "instanceId", "dateCreated", "completionDeadline", "name", "state", "badgeId"],
            [
                [f"C{n}", f"I{n}", DATE, "2030-01-01T00:00:00.000Z", "Default", "Active", f"CB{n % 40}"]
                for n in range(0, COURSES, 3)
            ],
        ),
    }
    for name, (header, rows) in tables.items():
        with open(folder / name, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)


def child_prepare(database: Path, rows: str) -> dict:
    """A database for the grades: the catalog migrated, the learners inserted (not measured)."""
    from badgebridge.core.clock import utcnow
    from badgebridge.core.migration import run_migration
    from badgebridge.core.plugin_manager import PluginHost
    from badgebridge.core.storage import open_database
    from badgebridge.core.storage.schema import learners

    db = open_database(f"sqlite:///{database}")
    folder = database.parent / f"{database.stem}-catalog"
    catalog_files(folder)
    report = run_migration(db, PluginHost(), folder)
    now = utcnow()
    with db.begin() as conn:
        people = [
            {
                "id": f"L{n:08d}",
                "email": f"learner{n}@example.org",
                "first_name": "Learner",
                "last_name": str(n),
                "created_at": now,
                "updated_at": now,
            }
            for n in range(learner_count(int(rows)))
        ]
        for start in range(0, len(people), BATCH):
            conn.execute(learners.insert(), people[start : start + BATCH])
    return {"rows": 0, "seconds": 0.0, "failed": report.failed}


def child_grades(source: Path, database: Path) -> dict:
    """``run_migration`` of user_course_grade.csv on the prepared database."""
    from badgebridge.core.migration import run_migration
    from badgebridge.core.plugin_manager import PluginHost
    from badgebridge.core.storage import open_database

    db = open_database(f"sqlite:///{database}")
    host = PluginHost()
    started = time.perf_counter()
    report = run_migration(db, host, source, errors_dir=database.parent / "errors")
    seconds = time.perf_counter() - started
    (summary,) = report.files
    return {
        "rows": summary.rows,
        "seconds": seconds,
        "failed": summary.failed,
        "imported": summary.imported,
        "awards": len(report.award_ids),
    }


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


def measure(kind: str, source: Path, work: Path, mock: dict, database: Path | None = None) -> dict:
    database = database or work / f"{kind}-{source.stem}-{time.monotonic_ns()}.db"
    command = [sys.executable, __file__, "--child", kind, str(source), str(database)]
    if kind == "ours":
        command += [mock["url"], mock["org_id"], mock["token"]]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        code, peak_mb, _ = peak_memory.run(command, stdout=out, stderr=err)
        out.seek(0)
        err.seek(0)
        if code:
            raise SystemExit(f"the {kind} run failed:\n{err.read()}")
        result = json.loads(out.read().strip().splitlines()[-1]) | {"peak_rss_mb": round(peak_mb, 1)}
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


def grades(rows: int, work: Path, mock: dict) -> dict:
    """user_course_grade.csv of ``rows`` rows into a database prepared in another process."""
    source = work / f"{rows}-grades" / "user_course_grade.csv"
    source.parent.mkdir()
    generate_grades(source, rows)
    database = source.parent / "grades.db"
    measure("prepare", Path(str(rows)), work, mock, database)  # its "source" is the number of rows
    result = measure("grades", source, work, mock, database)
    print(
        f"{rows:>9,} rows  {'user_course_grade.csv':<29} {result['seconds']:7.2f} s  "
        f"{result['rows'] / result['seconds']:>9,.0f} rows/s  peak RSS {result['peak_rss_mb']:6.1f} MB  "
        f"({result['imported']:,} completions, {result['awards']:,} awards)"
    )
    return result


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
        if kind == "prepare":
            result = child_prepare(Path(database), source)
        else:
            run = {"floor": child_floor, "ours": child_ours, "grades": child_grades}[kind]
            result = run(Path(source), Path(database), *rest)
        print(json.dumps(result))
        return

    from badgebridge.mock_server import MockServer
    from badgebridge.mock_server.control_client import MockControl

    with MockServer() as server, tempfile.TemporaryDirectory(prefix="bb-bench-") as tmp:
        with MockControl(server.url) as control:
            org = control.create_organization("Bench Academy")
            templates = [control.create_template(org["id"], f"Skill {n}")["id"] for n in range(TEMPLATES)]
        mock = {"url": server.url, "org_id": org["id"], "token": org["token"], "templates": templates}
        work = Path(tmp)
        summary = _summary(*compare(args.rows, work, mock), grades(args.rows, work, mock))
        _print_grades_ratio(args.rows, summary)
        if args.million:
            first = summary
            summary = _summary(*compare(1_000_000, work, mock), grades(1_000_000, work, mock))
            _print_grades_ratio(1_000_000, summary)
            kept = ("rows", "seconds", "floor_seconds", "ratio", "peak_rss_mb", "grades_rows_per_second")
            summary |= {f"{key}_100k": first[key] for key in kept}
            summary["grades_peak_rss_mb_100k"] = first["grades_peak_rss_mb"]
            summary["memory_ratio"] = round(summary["peak_rss_mb"] / first["peak_rss_mb"], 2)
            summary["grades_memory_ratio"] = round(
                summary["grades_peak_rss_mb"] / first["grades_peak_rss_mb"], 2
            )
            print(
                f"peak RSS 1,000,000 / {args.rows:,} rows: badge.csv {summary['memory_ratio']:.2f}x, "
                f"user_course_grade.csv {summary['grades_memory_ratio']:.2f}x"
            )
    print(json.dumps(summary))


def _print_grades_ratio(rows: int, summary: dict) -> None:
    print(f"{rows:>9,} rows  completions / badge.csv rows per second: {summary['grades_vs_badges']:.2f}x")


def _summary(floor: dict, ours: dict, completions: dict) -> dict:
    """The figures of one size: badge.csv's (ours, the floor, ours over the floor) and the grades'."""
    badges_per_second = ours["rows"] / ours["seconds"]
    grades_per_second = completions["rows"] / completions["seconds"]
    return {
        "rows": ours["rows"],
        "seconds": round(ours["seconds"], 3),
        "rows_per_second": round(ours["rows"] / ours["seconds"]),
        "peak_rss_mb": ours["peak_rss_mb"],
        "floor_seconds": round(floor["seconds"], 3),
        "floor_peak_rss_mb": floor["peak_rss_mb"],
        "ratio": round(ours["seconds"] / floor["seconds"], 2),
        "grades_rows": completions["rows"],
        "grades_seconds": round(completions["seconds"], 3),
        "grades_rows_per_second": round(grades_per_second),
        "grades_peak_rss_mb": completions["peak_rss_mb"],
        "grades_awards": completions["awards"],
        "grades_vs_badges": round(grades_per_second / badges_per_second, 2),
    }


if __name__ == "__main__":
    main()
