"""The PostgreSQL tests skip only when no server answers, fail on any other problem, never skip in CI.

Each case runs the real PostgreSQL tests (``-m postgres``) in a pytest subprocess with
``BADGEBRIDGE_TEST_POSTGRES`` pointing somewhere broken.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.availability import ROOT, run_marked_tests
from tests.postgres import ENV, postgres_url, require_server


def run_postgres_tests(url: str, *, ci: bool) -> subprocess.CompletedProcess:
    return run_marked_tests("postgres", {ENV: url}, f"--ignore={Path(__file__).relative_to(ROOT)}", ci=ci)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends: nothing listens there
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"


def test_no_server_on_a_developers_machine_skips_saying_why():
    result = run_postgres_tests(closed_port_url(), ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert "skipped" in summary and "passed" not in summary and "failed" not in summary, summary
    assert "no PostgreSQL server answers on 127.0.0.1:" in result.stdout
    assert "(connection refused)" in result.stdout


def test_no_server_under_ci_fails_with_a_clear_message():
    result = run_postgres_tests(closed_port_url(), ci=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "skipped" not in result.stdout.strip().splitlines()[-1]
    assert "CI=true forbids skipping the PostgreSQL tests" in result.stdout


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("change", "expected"),
    [({"username": "no_such_role"}, "no_such_role"), ({"database": "no_such_database"}, "no_such_database")],
)
def test_a_server_that_refuses_the_role_or_database_fails_not_skips(change, expected):
    url = postgres_url()
    require_server(url)  # this case needs a live server to refuse us
    broken = make_url(url).set(**change).render_as_string(hide_password=False)
    result = run_postgres_tests(broken, ci=False)
    assert result.returncode == 1, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert "skipped" not in summary and "passed" not in summary, summary
    assert "refused the test setup" in result.stdout and expected in result.stdout
