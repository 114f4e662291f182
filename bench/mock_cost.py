"""Benchmark: what one issue costs the mock while it holds 1,000 badges and while it holds 100,000.

    python bench/mock_cost.py [--issues N] [--small N] [--large N] [--repeat R]

The bundled mock runs on a real socket in this process. It is filled to ``--small`` badges held
through its own batch endpoint (``POST .../badges/batch``, 1,000 a request), then ``--issues``
single issues (``POST .../badges``, each a new recipient) are timed over one kept-alive
connection; then it is filled on to ``--large`` and the same number of issues is timed again.
Each timing is the fastest of ``--repeat`` passes (the least disturbed by other work on the
machine, as ``timeit`` reports). It prints both figures and their ratio (issue 8: the mock's issue
cost must not grow with the badges it holds), and checks keep-alive on the way: every timed answer
must leave its connection open (no ``Connection: close``), on the one socket opened for the pass.
The last line is one JSON object.

``measure_mock_cost()`` returns the figures for ``bench/issue.py``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
from base64 import b64encode
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, not only installed

ORG_ID = "0b5e7c1a-3f0d-4c55-9d2e-bench0000003"
TOKEN = "bench-token-" + "5" * 20
TEMPLATE_ID = "9a1d2f7e-6b1c-4e8a-8c3d-bench0000004"
FILL_BATCH = 1000


class Connection:
    """One kept-alive HTTP connection to the mock that fails loudly if the mock closes it."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.http = http.client.HTTPConnection(parts.hostname, parts.port)
        self.http.connect()
        self.socket = self.http.sock
        self.headers = {
            "Authorization": "Basic " + b64encode(f"{TOKEN}:".encode()).decode(),
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def post(self, path: str, body: dict) -> dict:
        self.http.request("POST", f"/v1/organizations/{ORG_ID}{path}", json.dumps(body), self.headers)
        response = self.http.getresponse()
        answer = json.loads(response.read())
        if response.status != 201:
            raise SystemExit(f"the mock answered {response.status} to POST {path}: {answer}")
        if response.will_close or self.http.sock is not self.socket:
            raise SystemExit("the mock closed a kept-alive connection (no keep-alive)")
        return answer

    def close(self) -> None:
        self.http.close()


def payload(number: int) -> dict:
    return {
        "recipient_email": f"earner{number}@example.org",
        "issued_to_first_name": "Earner",
        "issued_to_last_name": str(number),
        "badge_template_id": TEMPLATE_ID,
        "issued_at": "2026-03-31 17:00:00 +0000",
        "issuer_earner_id": f"learner-{number}",
    }


class Filler:
    """Issues badges to new recipients, numbered on from the last one issued."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.issued = 0
        self.kept_alive = 0  # timed answers that left their connection open (all, or the run stops)

    def fill_to(self, held: int) -> None:
        connection = Connection(self.url)
        try:
            while self.issued < held:
                size = min(FILL_BATCH, held - self.issued)
                batch = [payload(self.issued + n) for n in range(size)]
                connection.post("/badges/batch", {"badges": batch})
                self.issued += size
        finally:
            connection.close()

    def time_issues(self, count: int) -> float:
        """Seconds for ``count`` single issues over one kept-alive connection."""
        connection = Connection(self.url)
        bodies = [payload(self.issued + n) for n in range(count)]
        try:
            started = time.perf_counter()
            for body in bodies:
                connection.post("/badges", body)
            elapsed = time.perf_counter() - started
        finally:
            connection.close()
        self.issued += count
        self.kept_alive += count
        return elapsed


def measure_mock_cost(issues: int = 500, small: int = 1000, large: int = 100_000, repeat: int = 5) -> dict:
    """The mock's time per issue (ms) at ``small`` and at ``large`` badges held, and their ratio."""
    from badgebridge.mock_server import MockServer
    from badgebridge.mock_server.control_client import MockControl

    server = MockServer().start()
    control = MockControl(server.url)
    try:
        control.reset()
        control.create_organization("Bench Academy", id=ORG_ID, token=TOKEN)
        control.create_template(ORG_ID, "Quarter-end", id=TEMPLATE_ID)
        filler = Filler(server.url)
        per_issue = {}
        filler.time_issues(issues)  # warm-up, untimed: the first requests pay for imports and caches
        for held in (small, large):
            filler.fill_to(held)
            passes = [filler.time_issues(issues) for _ in range(repeat)]
            per_issue[held] = min(passes) / issues * 1000
    finally:
        control.close()
        server.stop()
    return {
        "issues_timed": issues,
        f"ms_per_issue_{small}_held": round(per_issue[small], 3),
        f"ms_per_issue_{large}_held": round(per_issue[large], 3),
        "ratio": round(per_issue[large] / per_issue[small], 2),
        "answers_kept_alive": filler.kept_alive,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=500, help="single issues timed per pass (500)")
    parser.add_argument("--small", type=int, default=1000, help="badges held for the first figure (1,000)")
    parser.add_argument("--large", type=int, default=100_000, help="badges held for the second (100,000)")
    parser.add_argument("--repeat", type=int, default=5, help="passes per figure, the fastest kept (5)")
    args = parser.parse_args()
    figures = measure_mock_cost(args.issues, args.small, args.large, args.repeat)
    small, large = f"ms_per_issue_{args.small}_held", f"ms_per_issue_{args.large}_held"
    print(f"mock issue cost, {args.issues} issues a pass over one kept-alive connection:")
    print(f"  {args.small:>9,} badges held: {figures[small]:.3f} ms an issue")
    print(f"  {args.large:>9,} badges held: {figures[large]:.3f} ms an issue   {figures['ratio']:.2f}x")
    print(f"  {figures['answers_kept_alive']:,} answers, each on its pass's one connection (keep-alive)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
