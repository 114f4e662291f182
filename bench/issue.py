"""Benchmark: awards issued by the real worker against the mock, beside a floor and a naive sender.

    python bench/issue.py [--quick] [--awards N] [--latencies 0,20] [--concurrencies 1,4,16]
                          [--databases sqlite,postgresql] [--processes 1,4] [--repeat R]
                          [--backlog 1000000]

The bundled Credly mock runs in this process on a real socket; everything that sends runs in a
child process, so its CPU is its own. For each mock latency (``PUT /_mock/faults``) it measures:

- the naive sender: one request at a time, a new TCP connection each (``http.client``), no database;
- the floor: one bare ``httpx.Client`` pooling ``C`` connections, ``C`` threads, the very payloads
  the Credly plugin sends (its ``issue_payload``), no database;
- ``badgebridge worker --once --concurrency C``, the real command, on SQLite and on PostgreSQL (a
  throwaway schema), with 1 and (PostgreSQL only) 4 worker processes sharing the queue.

The N awards (2,000 by default, 200 with ``--quick``) are queued once per database through the
services, then every worker run gets its own copy of that database. Before every run the mock is
reset, so each run starts with the same empty mock and sends N awards; afterwards the mock must
hold exactly N badges. With ``--repeat R`` each figure is the median of R runs, interleaved (each
repetition runs the floor, then every worker), so a machine whose speed drifts during the run
moves the floor and the workers alike. A worker's time and CPU (``getrusage`` of the children) are
net of an idle ``worker --once`` pass (start-up, nothing due) run right after it on the same
database with as many processes (so both see the same machine load); the floor's are measured
around its sending loop.

Then the claim's cost: one ``AwardSender.claim(16)`` (median of 15), in this process, on a new
database holding 1k awards due and on one holding 1M (``--backlog``; 20,000 with ``--quick``),
each backlog built by one set-based ``INSERT ... SELECT`` (then, on PostgreSQL, ``VACUUM ANALYZE``
as autovacuum does after a bulk load), on each database. Then the mock's own cost per issue at 1k
and 100k badges held, over one kept-alive connection (``bench/mock_cost.py``).

The 4-process target (3x one process) is checked only where the wire is the limit: where four
processes' senders, answered after the latency alone, would stay below the rate one process reached
at 0 ms with the same concurrency (what the CPU allows); elsewhere the figure is printed, unjudged.

It prints a table as it goes; its last line is one JSON object with every figure, the ratios and
the targets of issue 8 ("Done when") with whether each holds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, not only installed

from mock_cost import measure_mock_cost  # bench/, this script's folder, is on sys.path

POSTGRES = os.environ.get("BADGEBRIDGE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ORG_ID = "0b5e7c1a-3f0d-4c55-9d2e-bench0000001"
TOKEN = "bench-token-" + "7" * 20
TEMPLATE_ID = "9a1d2f7e-6b1c-4e8a-8c3d-bench0000002"
EARNED_AT = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
CLAIM_SIZE = 16
CLAIMS_TIMED = 15
WORKER_TIMEOUT = 1800
BADGEBRIDGE = shutil.which("badgebridge", path=str(Path(sys.executable).parent)) or "badgebridge"


# -- the mock ------------------------------------------------------------------------------------


class Mock:
    """The mock on a real socket in this process, reset to one organization and template per run."""

    def __init__(self) -> None:
        from badgebridge.mock_server import MockServer
        from badgebridge.mock_server.control_client import MockControl

        self.server = MockServer()
        self.server.start()
        self.url = self.server.url
        self.control = MockControl(self.url)

    def fresh(self, latency_ms: int) -> None:
        """An empty mock holding our organization and template, answering after ``latency_ms``."""
        self.control.reset()
        self.control.create_organization("Bench Academy", id=ORG_ID, token=TOKEN)
        self.control.create_template(ORG_ID, "Quarter-end", id=TEMPLATE_ID)
        self.control.set_faults(latency_ms=latency_ms)

    def badges_held(self) -> int:
        return sum(1 for b in self.control.state()["badges"] if b["badge_template"]["id"] == TEMPLATE_ID)

    def close(self) -> None:
        self.control.close()
        self.server.stop()


# -- databases -----------------------------------------------------------------------------------


class SqliteStore:
    """Fresh SQLite files in a temp folder; a clone is a copy of the file."""

    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def new(self) -> str:
        return f"sqlite:///{self.folder / f'{uuid.uuid4().hex[:10]}.db'}"

    def clone(self, url: str) -> str:
        copy = self.new()
        shutil.copyfile(url.removeprefix("sqlite:///"), copy.removeprefix("sqlite:///"))
        return copy

    def close(self) -> None:
        pass


class PostgresStore:
    """Throwaway schemas in one PostgreSQL database; a clone copies every table's rows."""

    name = "postgresql"

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, text

        self.url = url
        self.admin = create_engine(url)
        with self.admin.connect() as conn:
            conn.execute(text("SELECT 1"))
        self.schemas: list[str] = []

    def new(self) -> str:
        from sqlalchemy import text

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with self.admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        self.schemas.append(schema)
        return f"{self.url}?options=-csearch_path%3D{schema}"

    def clone(self, url: str) -> str:
        from sqlalchemy import text

        from badgebridge.core.storage import open_database
        from badgebridge.core.storage.schema import metadata

        copy = self.new()
        open_database(copy).dispose()  # the schema's tables, as the command creates them
        source, target = _schema_of(url), _schema_of(copy)
        with self.admin.begin() as conn:
            for table in metadata.sorted_tables:
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                conn.execute(
                    text(
                        f'INSERT INTO {target}."{table.name}" ({columns}) '
                        f'SELECT {columns} FROM {source}."{table.name}"'
                    )
                )
        return copy

    def close(self) -> None:
        from sqlalchemy import text

        with self.admin.begin() as conn:
            for schema in self.schemas:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        self.admin.dispose()


def _schema_of(url: str) -> str:
    return url.rsplit("%3D", 1)[1]


def _services(url: str, mock: Mock):
    """A database at ``url`` with a Credly connection to the mock and its badge imported."""
    from badgebridge.core.plugin_manager import get_host
    from badgebridge.core.services import catalog, connections
    from badgebridge.core.storage import open_database

    db = open_database(url)
    host = get_host()
    connections.add(db, host, "bench", "credly", {"org_id": ORG_ID, "token": TOKEN, "host": mock.url})
    catalog.import_badges(db, host, "bench")
    (badge,) = catalog.list_badges(db)
    return db, host, badge.id


def populate(url: str, mock: Mock, count: int) -> list[dict]:
    """``count`` learners, each with one queued award; returns the Credly payloads of those awards.

    Queued through the services: no command queues awards without sending them yet (``migrate
    --no-send`` is item 4 of the same issue); the worker that sends them is the real command.
    """
    from badgebridge.core.model import IssueRequest, Recipient
    from badgebridge.core.services import awards, learners
    from badgebridge.plugins.credly.provider import issue_payload

    db, _, badge_id = _services(url, mock)
    people = [
        learners.add(db, f"learner{i:07d}@example.org", "Learner", f"N{i:07d}")[0] for i in range(count)
    ]
    with db.begin() as conn:
        for person in people:
            awards.enqueue(conn, person.id, badge_id, awards.MANUAL, "", EARNED_AT)
    db.dispose()
    return [
        issue_payload(
            IssueRequest(
                award_id="0",
                external_badge_id=TEMPLATE_ID,
                recipient=Recipient(p.email, p.first_name, p.last_name, p.id),
                issued_at=EARNED_AT,
            )
        )
        for p in people
    ]


# -- the senders ---------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    cpu_seconds: float


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_workers(url: str, processes: int, concurrency: int, home: Path) -> Run:
    """``badgebridge worker --once`` in ``processes`` processes at once; wall time and their CPU."""
    env = dict(os.environ, BADGEBRIDGE_DB=url, HOME=str(home), NO_COLOR="1")
    command = [BADGEBRIDGE, "worker", "--once", "--concurrency", str(concurrency)]
    logs = [home / f"worker-{n}.log" for n in range(processes)]
    with ExitStack() as files:
        outputs = [files.enter_context(open(log, "wb")) for log in logs]
        cpu, started = children_cpu(), time.perf_counter()
        workers = [
            subprocess.Popen(command, env=env, cwd=home, stdout=out, stderr=subprocess.STDOUT)
            for out in outputs
        ]
        codes = [worker.wait(timeout=WORKER_TIMEOUT) for worker in workers]
        run = Run(time.perf_counter() - started, children_cpu() - cpu)
    for code, log in zip(codes, logs, strict=True):
        if code:
            output = log.read_text(errors="replace")
            raise SystemExit(f"badgebridge worker exited {code}:\n{output[-3000:]}")
    return run


def run_clone(store, source: str, processes: int, concurrency: int, home: Path) -> tuple[Run, Run]:
    """``run_workers`` on a new clone of ``source``, then an idle pass on it (nothing due any more):
    the run and what start-up and an empty claim cost, measured back to back under the same load."""
    url = store.clone(source)
    return run_workers(url, processes, concurrency, home), run_workers(url, processes, 1, home)


def run_child(kind: str, payloads: Path, mock: Mock, concurrency: int) -> Run:
    command = [sys.executable, __file__, "--child", kind, str(payloads), mock.url, str(concurrency)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"the {kind} sender failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Run(result["seconds"], result["cpu_seconds"])


def child(kind: str, payloads_path: str, url: str, concurrency: str) -> None:
    """A sender with no database: the floor (pooled httpx) or the naive one; prints its run."""
    payloads = json.loads(Path(payloads_path).read_text())
    path = f"/v1/organizations/{ORG_ID}/badges"
    send = _floor_sender(url, path, int(concurrency)) if kind == "floor" else _naive_sender(url, path)
    started_cpu, started = time.process_time(), time.perf_counter()
    if kind == "floor":
        with ThreadPoolExecutor(max_workers=int(concurrency)) as pool:
            statuses = list(pool.map(send, payloads))
    else:
        statuses = [send(payload) for payload in payloads]
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    wrong = [s for s in statuses if s != 201]
    if wrong:
        raise SystemExit(f"{len(wrong)} of {len(statuses)} issues answered {sorted(set(wrong))}, not 201")
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu}))


def _floor_sender(url: str, path: str, concurrency: int):
    import httpx

    client = httpx.Client(
        base_url=url,
        auth=httpx.BasicAuth(TOKEN, ""),
        headers={"Accept": "application/json"},
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
    )

    def send(payload: dict) -> int:
        response = client.post(path, json=payload)
        response.json()["data"]["id"]
        return response.status_code

    return send


def _naive_sender(url: str, path: str):
    import base64

    address = urlsplit(url)
    headers = {
        "Authorization": "Basic " + base64.b64encode(f"{TOKEN}:".encode()).decode(),
        "Content-Type": "application/json",
        "Accept": "application/json",
    }

    def send(payload: dict) -> int:
        connection = http.client.HTTPConnection(address.hostname, address.port)
        try:
            connection.request("POST", path, body=json.dumps(payload), headers=headers)
            response = connection.getresponse()
            json.loads(response.read())["data"]["id"]
            return response.status
        finally:
            connection.close()

    return send


# -- the claim's cost ----------------------------------------------------------------------------


def claim_cost(store, mock: Mock, due: int) -> float:
    """Milliseconds of one ``claim(16)`` (median of 15) on a new database with ``due`` awards due."""
    from sqlalchemy import func, select, text

    from badgebridge.core.model import AwardState
    from badgebridge.core.services import awards, learners
    from badgebridge.core.services.sender import AwardSender
    from badgebridge.core.storage.schema import awards as awards_table

    mock.fresh(0)
    db, host, badge_id = _services(store.new(), mock)
    learner = learners.add(db, "backlog@example.org", "Back", "Log")[0]
    started = time.perf_counter()
    with db.begin() as conn:
        model = awards.enqueue(conn, learner.id, badge_id, awards.MANUAL, "", EARNED_AT)
    copy_award(db, model, due - 1)
    if db.engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load (PostgreSQL 13+)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE awards"))
    with db.begin() as conn:
        queued = conn.execute(
            select(func.count()).where(awards_table.c.state == AwardState.QUEUED)
        ).scalar_one()
    if queued != due:
        raise SystemExit(f"the backlog holds {queued:,} queued awards, not {due:,}")
    print(f"  {store.name}: {due:,} awards due, built in {time.perf_counter() - started:.1f} s", flush=True)
    sender = AwardSender(db, host)
    timings = []
    for attempt in range(CLAIMS_TIMED + 1):
        started = time.perf_counter()
        claimed = sender.claim(CLAIM_SIZE)
        if attempt:  # the first one warms the caches
            timings.append(time.perf_counter() - started)
        if len(claimed) != CLAIM_SIZE:
            raise SystemExit(f"claim({CLAIM_SIZE}) returned {len(claimed)} awards of {due:,} due")
    db.dispose()
    return statistics.median(timings) * 1000


def copy_award(db, model: int, copies: int) -> None:
    """``copies`` copies of the queued award ``model``: one set-based INSERT ... SELECT."""
    from sqlalchemy import text

    from badgebridge.core.storage.schema import awards

    if copies < 1:
        return
    kept = [c.name for c in awards.columns if c.name not in ("id", "reason_id")]
    columns = ", ".join(kept)
    picked = ", ".join(f"a.{name}" for name in kept)
    with db.begin() as conn:
        conn.execute(
            text(
                f"INSERT INTO awards ({columns}, reason_id) "
                "WITH RECURSIVE n(i) AS "
                "(SELECT CAST(1 AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i < :copies) "
                f"SELECT {picked}, 'backlog-' || n.i FROM n, awards a WHERE a.id = :model"
            ),
            {"copies": copies, "model": model},
        )


# -- the run -------------------------------------------------------------------------------------


def row(label: str, run: Run, count: int, floor: Run | None = None, extra: str = "") -> dict:
    """Print one line of the table; returns the figures."""
    figures = {
        "seconds": round(run.seconds, 3),
        "awards_per_second": round(count / run.seconds, 1),
        "cpu_ms_per_award": round(run.cpu_seconds / count * 1000, 3),
    }
    line = (
        f"{label:<34} {run.seconds:8.2f} s {count / run.seconds:9.1f}/s "
        f"{figures['cpu_ms_per_award']:7.2f} ms CPU"
    )
    if floor is not None:
        figures["time_vs_floor"] = round(run.seconds / floor.seconds, 2)
        figures["cpu_vs_floor"] = round(run.cpu_seconds / floor.cpu_seconds, 2)
        line += f"   {figures['time_vs_floor']:5.2f}x floor time, {figures['cpu_vs_floor']:5.2f}x floor CPU"
    print(line + extra, flush=True)
    return figures


def net(run: Run, idle: Run) -> Run:
    return Run(max(run.seconds - idle.seconds, 1e-6), max(run.cpu_seconds - idle.cpu_seconds, 1e-6))


def main() -> None:
    args = parse_args()
    if args.child:
        child(*args.child)
        return
    count = args.awards or (200 if args.quick else 2000)
    backlog = args.backlog or (20_000 if args.quick else 1_000_000)
    print(f"bench/issue.py: {count:,} awards per run, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    results: dict = {"awards": count, "date": f"{datetime.now(UTC):%Y-%m-%dT%H:%MZ}"}
    mock = Mock()
    work = Path(tempfile.mkdtemp(prefix="bb-bench-issue-"))
    stores = open_stores(args.databases, work)
    try:
        results |= measure_sending(args, count, mock, stores, work)
        results["claim_ms"] = {}
        print(f"\nclaim({CLAIM_SIZE}) on a backlog (median of {CLAIMS_TIMED}):")
        for store in stores:
            costs = {due: claim_cost(store, mock, due) for due in (1000, backlog)}
            ratio = costs[backlog] / costs[1000]
            print(
                f"{store.name:<11} 1k due {costs[1000]:7.2f} ms   "
                f"{backlog:,} due {costs[backlog]:7.2f} ms   {ratio:.2f}x"
            )
            results["claim_ms"][store.name] = {
                "due_1000": round(costs[1000], 3),
                f"due_{backlog}": round(costs[backlog], 3),
                "ratio": round(ratio, 2),
            }
        print("\nthe mock's issue cost, 1k and 100k badges held (bench/mock_cost.py):")
        results["mock"] = measure_mock_cost(issues=200 if args.quick else 500)
        print(
            f"  {results['mock']['ms_per_issue_1000_held']:.3f} ms an issue -> "
            f"{results['mock']['ms_per_issue_100000_held']:.3f} ms   {results['mock']['ratio']:.2f}x, "
            f"{results['mock']['answers_kept_alive']:,} answers kept alive"
        )
        results["targets"] = targets(results, backlog)
        print("\nissue 8 targets:")
        for name, target in results["targets"].items():
            verdict = "holds" if target["holds"] else "does NOT hold"
            print(f"  {name}: {target['value']} (goal {target['goal']}) {verdict}")
    finally:
        for store in stores:
            store.close()
        mock.close()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results))


def open_stores(names: list[str], work: Path) -> list:
    stores = []
    for name in names:
        if name == "sqlite":
            stores.append(SqliteStore(work))
        else:
            try:
                stores.append(PostgresStore(POSTGRES))
            except Exception as exc:  # no server: say so, measure the rest
                print(f"PostgreSQL at {POSTGRES} does not answer ({type(exc).__name__}); skipped")
    return stores


def measure_sending(args, count: int, mock: Mock, stores: list, work: Path) -> dict:
    """Naive, floor and worker runs over the matrix; each line printed as it is measured."""
    mock.fresh(0)
    sources = {}
    for store in stores:
        started = time.perf_counter()
        source = store.new()
        payloads = populate(source, mock, count)
        path = work / f"payloads-{store.name}.json"
        path.write_text(json.dumps(payloads))
        sources[store.name] = (source, path)
        print(f"{store.name}: {count:,} awards queued in {time.perf_counter() - started:.1f} s", flush=True)
    payloads_path = next(iter(sources.values()))[1] if sources else None
    if payloads_path is None:
        raise SystemExit("no database to measure")
    figures: dict = {"naive": {}, "floor": {}, "worker": {}}
    idle: dict[str, list[Run]] = {}

    def measured(latency: int, send) -> Run:
        """The median of ``--repeat`` runs of ``send``, each on a fresh mock checked afterwards."""
        return median([checked(mock, count, latency, send) for _ in range(args.repeat)])

    def worker_figures(runs: list[tuple[Run, Run]]) -> tuple[Run, Run, Run]:
        """(gross, idle, net) medians of worker runs, each net of its own idle pass."""
        nets = [net(gross, idle) for gross, idle in runs]
        return median([g for g, _ in runs]), median([i for _, i in runs]), median(nets)

    workers = [
        (store, processes)
        for store in stores
        for processes in (args.processes if store.name == "postgresql" else [1])
    ]
    for latency in args.latencies:
        print(f"\nlatency {latency} ms")
        naive = measured(latency, partial(run_child, "naive", payloads_path, mock, 1))
        figures["naive"][f"{latency}ms"] = row("naive (1 at a time, new conn.)", naive, count)
        for concurrency in args.concurrencies:
            # Interleaved: each repetition runs the floor, then every worker, so a machine that
            # slows down (or speeds up) during the run moves the floor and the workers alike.
            floors: list[Run] = []
            runs: dict[tuple[str, int], list[tuple[Run, Run]]] = {(s.name, p): [] for s, p in workers}
            for _ in range(args.repeat):
                floors.append(
                    checked(
                        mock, count, latency, partial(run_child, "floor", payloads_path, mock, concurrency)
                    )
                )
                for store, processes in workers:
                    clone = partial(run_clone, store, sources[store.name][0], processes, concurrency, work)
                    runs[store.name, processes].append(checked(mock, count, latency, clone))
            floor = median(floors)
            key = f"{latency}ms_c{concurrency}"
            figures["floor"][key] = row(f"floor httpx C={concurrency}", floor, count)
            figures["floor"][key]["speedup_vs_naive"] = round(naive.seconds / floor.seconds, 2)
            for (name, processes), measured_runs in runs.items():
                gross, idle_run, run = worker_figures(measured_runs)
                idle.setdefault(f"{name}_{processes}p", []).append(idle_run)
                speedup = naive.seconds / run.seconds
                label = f"worker {name} {processes}p C={concurrency}"
                result = row(label, run, count, floor, f"   {speedup:5.1f}x naive")
                result |= {
                    "speedup_vs_naive": round(speedup, 2),
                    "gross_seconds": round(gross.seconds, 3),
                    "gross_cpu_ms_per_award": round(gross.cpu_seconds / count * 1000, 3),
                }
                figures["worker"][f"{name}_{processes}p_{key}"] = result
    figures["idle_pass"] = {
        name: {"seconds": round(run.seconds, 3), "cpu_seconds": round(run.cpu_seconds, 3)}
        for name, run in ((name, median(runs)) for name, runs in idle.items())
    }
    scale_out(figures["worker"], args)
    return figures


def checked(mock: Mock, count: int, latency: int, send):
    """``send`` on an empty mock answering after ``latency`` ms; the mock must then hold ``count`` badges."""
    mock.fresh(latency)
    run = send()
    held = mock.badges_held()
    if held != count:
        raise SystemExit(f"the mock holds {held} badges after the run, not {count}")
    return run


def median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.seconds for r in runs), statistics.median(r.cpu_seconds for r in runs))


def scale_out(workers: dict, args) -> None:
    """Print and keep N-process throughput over one process's, on PostgreSQL."""
    many = [p for p in args.processes if p > 1]
    for latency in args.latencies:
        for concurrency in args.concurrencies:
            one = workers.get(f"postgresql_1p_{latency}ms_c{concurrency}")
            for processes in many:
                several = workers.get(f"postgresql_{processes}p_{latency}ms_c{concurrency}")
                if one and several:
                    ratio = round(one["seconds"] / max(several["seconds"], 1e-6), 2)
                    several["speedup_vs_1p"] = ratio
                    print(f"PostgreSQL {latency} ms C={concurrency}: {processes} processes {ratio:.2f}x one")


def targets(results: dict, backlog: int) -> dict:
    """Issue 8's "Done when" figures that this benchmark measures, each against its goal."""
    found: dict = {}
    workers = results["worker"]

    def check(name: str, value: float, goal: str, holds: bool) -> None:
        found[name] = {"value": value, "goal": goal, "holds": holds}

    for key, figures in workers.items():
        database, processes, latency, concurrency = key.split("_")
        if processes != "1p":
            continue
        if latency == "0ms" and concurrency in ("c16", "c1"):
            limit = 1.3 if concurrency == "c16" else 1.5
            value = figures["time_vs_floor"]
            check(f"{database} 0 ms {concurrency} time / floor", value, f"<= {limit}", value <= limit)
        if latency != "0ms" and concurrency == "c16":
            value = figures["speedup_vs_naive"]
            check(f"{database} {latency} c16 speedup over naive", value, ">= 8", value >= 8)
    for database in ("sqlite", "postgresql"):
        ratios = [f["cpu_vs_floor"] for k, f in workers.items() if k.startswith(f"{database}_1p_")]
        if ratios:
            worst = max(ratios)
            check(f"{database} CPU per award / floor (worst run)", worst, "<= 1.5", worst <= 1.5)
    for database, costs in results["claim_ms"].items():
        check(f"{database} claim at {backlog:,} due / at 1k", costs["ratio"], "<= 2", costs["ratio"] <= 2)
    for key, figures in workers.items():
        if "speedup_vs_1p" in figures and key.split("_")[2] != "0ms" and wire_bound(workers, key):
            value = figures["speedup_vs_1p"]
            check(f"{key} over 1 process", value, ">= 3", value >= 3)
    if "mock" in results:
        ratio = results["mock"]["ratio"]
        check("mock issue cost at 100k badges held / at 1k", ratio, "<= 1.5", ratio <= 1.5)
    return found


def wire_bound(workers: dict, key: str) -> bool:
    """Whether the wire, not this machine's CPU, limits the several-process run ``key``: the rate
    its senders could reach if each answer took only the latency (processes x C / latency) stays
    below what one process reached at 0 ms with the same C, where the CPU is the limit. Issue 8
    asks for 4 processes at 3x one only there; elsewhere the run says how far the CPU lets it go."""
    database, processes, latency, concurrency = key.split("_")
    cpu_limit = workers.get(f"{database}_1p_0ms_{concurrency}", {}).get("awards_per_second")
    wire_limit = int(processes[:-1]) * int(concurrency[1:]) * 1000 / int(latency[:-2])
    return cpu_limit is None or wire_limit < cpu_limit


def parse_args() -> argparse.Namespace:
    def numbers(text: str) -> list[int]:
        return [int(part) for part in text.split(",")]

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 awards per run, a 20,000 backlog")
    parser.add_argument("--awards", type=int, help="awards per run (default 2,000)")
    parser.add_argument("--latencies", type=numbers, default=[0, 20], help="mock latencies in ms (0,20)")
    parser.add_argument("--concurrencies", type=numbers, default=[1, 4, 16], help="senders (1,4,16)")
    parser.add_argument(
        "--databases",
        type=lambda text: text.split(","),
        default=["sqlite", "postgresql"],
        help="sqlite,postgresql (PostgreSQL at $BADGEBRIDGE_TEST_POSTGRES or the local test database)",
    )
    parser.add_argument("--processes", type=numbers, default=[1, 4], help="worker processes on PostgreSQL")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure, the median kept (1)")
    parser.add_argument("--backlog", type=int, help="the large backlog of the claim's cost (1,000,000)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    main()
