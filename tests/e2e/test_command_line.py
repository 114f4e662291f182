"""The command line's promises from the README: where secrets may come from, connections update,
remove and test, the list filters, the mock server's options, and ``--help`` everywhere.

Each test runs the installed ``badgebridge`` and checks the mock or the database afterwards.
"""

from __future__ import annotations

import json
import socket
import subprocess

import click
import httpx
import pytest
from click.testing import CliRunner

from badgebridge.cli import cli as root_command
from tests.e2e.conftest import BADGEBRIDGE, one_line_error
from tests.migration.alm import BADGE_HEADER, D, write_csv

pytestmark = pytest.mark.e2e

SECRET = "argv-secret-token-9876"


def add_args(credly_mock, org, name="main"):
    return [
        "connections",
        "add",
        name,
        "--provider",
        "credly",
        "--org-id",
        org["id"],
        "--host",
        credly_mock.url,
    ]


@pytest.fixture
def org(credly_mock):
    return credly_mock.create_organization("Command Org")


@pytest.mark.parametrize(
    "given", [["--token", SECRET], [f"--token={SECRET}"], ["--token-env", SECRET, "--token"]]
)
def test_a_secret_on_the_command_line_is_refused_and_never_echoed(cli, credly_mock, org, given):
    result = cli(*add_args(credly_mock, org), *given)
    assert result.returncode != 0
    assert SECRET not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert cli.json("connections", "list") == []


def test_token_from_stdin_with_token_stdin(cli, credly_mock, org):
    cli.ok(*add_args(credly_mock, org), "--token-stdin", input=org["token"] + "\n")
    (connection,) = cli.json("connections", "list")
    assert connection["token"].endswith(org["token"][-4:]) and org["token"] not in connection["token"]
    assert "works" in cli.ok("connections", "test", "main").stdout


def test_connections_update_is_verified_before_it_is_saved(cli, credly_mock, org):
    credly_mock.create_template(org["id"], "First Org Badge")
    other = credly_mock.create_organization("Second Org")
    credly_mock.create_template(other["id"], "Second Org Badge")
    cli.ok(*add_args(credly_mock, org), "--token-env", "T", env={"T": org["token"]})

    refused = cli("connections", "update", "main", "--token-env", "T", env={"T": "not-a-token"})
    assert "invalid authorization token" in one_line_error(refused).lower()
    assert cli.json("connections", "list")[0]["token"].endswith(org["token"][-4:]), "nothing was saved"
    cli.ok("connections", "test", "main")

    assert "nothing to change" in one_line_error(cli("connections", "update", "main"))

    cli.ok(
        "connections",
        "update",
        "main",
        "--org-id",
        other["id"],
        "--token-stdin",
        input=other["token"] + "\n",
    )
    assert cli.json("connections", "list")[0]["token"].endswith(other["token"][-4:])
    cli.ok("badges", "import", "main")
    assert [b["name"] for b in cli.json("badges", "list")] == ["Second Org Badge"]


def test_a_failing_connections_test_is_one_line(cli, credly_mock, org):
    cli.ok(*add_args(credly_mock, org), "--token-env", "T", env={"T": org["token"]})
    credly_mock.set_faults(error_rate=1.0)
    line = one_line_error(cli("connections", "test", "main"))
    assert "'main'" in line and "HTTP 503" in line
    credly_mock.set_faults(error_rate=0.0)
    assert "works" in cli.ok("connections", "test", "main").stdout


def test_connections_remove_forgets_an_unused_connection_and_refuses_a_used_one(cli, credly_mock, org):
    credly_mock.create_template(org["id"], "In Use")
    cli.ok(*add_args(credly_mock, org, "used"), "--token-env", "T", env={"T": org["token"]})
    cli.ok(*add_args(credly_mock, org, "spare"), "--token-env", "T", env={"T": org["token"]})
    cli.ok("badges", "import", "used")

    assert "used" in one_line_error(cli("connections", "remove", "used"))
    cli.ok("connections", "remove", "spare")
    assert [c["name"] for c in cli.json("connections", "list")] == ["used"]
    assert "spare" in one_line_error(cli("connections", "test", "spare"))
    assert len(cli.json("badges", "list")) == 1


def test_list_filters(cli, credly_mock, org, tmp_path):
    other = credly_mock.create_organization("Other Org")
    credly_mock.create_template(org["id"], "Mine")
    credly_mock.create_template(other["id"], "Theirs")
    cli.ok(*add_args(credly_mock, org, "mine"), "--token-env", "T", env={"T": org["token"]})
    cli.ok(*add_args(credly_mock, other, "theirs"), "--token-env", "T", env={"T": other["token"]})
    cli.ok("badges", "import", "mine")
    cli.ok("badges", "import", "theirs")
    write_csv(tmp_path, "badge.csv", BADGE_HEADER, [["OLD", "Old Local", D, "", "Retired", "o.png", "", ""]])
    cli.ok("migrate", str(tmp_path / "badge.csv"))

    def names(*args):
        return sorted(b["name"] for b in cli.json("badges", "list", *args))

    assert names("--connection", "theirs") == ["Theirs"]
    assert names("--state", "retired") == ["Old Local"]
    assert names("--state", "active") == ["Mine", "Theirs"]
    assert names("--connection", "mine", "--state", "active") == ["Mine"]

    mine = next(b["id"] for b in cli.json("badges", "list", "--connection", "mine"))
    theirs = next(b["id"] for b in cli.json("badges", "list", "--connection", "theirs"))
    for email in ("ada@example.org", "bob@example.org"):
        cli.ok("learners", "add", email, "--first-name", "X", "--last-name", "Y")
    cli.ok("awards", "grant", "--badge", mine, "--learner", "ada@example.org")
    credly_mock.set_faults(error_rate=1.0)
    cli("awards", "grant", "--badge", theirs, "--learner", "bob@example.org")
    cli("awards", "grant", "--badge", theirs, "--learner", "ada@example.org")

    def awarded(*args):
        return sorted(
            (a["learner_email"], a["badge_id"], a["state"]) for a in cli.json("awards", "list", *args)
        )

    assert awarded("--state", "issued") == [("ada@example.org", mine, "issued")]
    assert awarded("--learner", "bob@example.org") == [("bob@example.org", theirs, "queued")]
    assert awarded("--learner", "ADA@example.org", "--state", "queued") == [
        ("ada@example.org", theirs, "queued")
    ]

    for flag, object_id in (("--course", "C1"), ("--learning-path", "LP1"), ("--certification", "CE1")):
        cli.ok("learning-objects", "add", flag, object_id, "--name", object_id)
    listed = cli.json("learning-objects", "list", "--kind", "learning_path")
    assert [(o["kind"], o["id"]) for o in listed] == [("learning_path", "LP1")]


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def test_mock_server_serves_a_seed_on_the_host_it_is_given_and_logs_requests(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps(
            {
                "organizations": [
                    {
                        "id": "org-seeded",
                        "name": "Seeded Academy",
                        "token": "seeded-token-1234",
                        "badge_templates": [{"name": "Seeded Badge"}],
                    }
                ]
            }
        )
    )
    host = "127.0.0.2"  # still loopback, but not the default 127.0.0.1
    port = free_port(host)
    proc = subprocess.Popen(
        [
            BADGEBRIDGE,
            "mock-server",
            "--seed",
            str(seed),
            "--host",
            host,
            "--port",
            str(port),
            "--log-requests",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = [proc.stdout.readline() for _ in range(2)]  # printed once the socket listens
        assert f"http://{host}:{port}" in banner[0]
        assert "'Seeded Academy': id org-seeded  token *************1234" in banner[1]
        templates = httpx.get(
            f"http://{host}:{port}/v1/organizations/org-seeded/badge_templates",
            auth=("seeded-token-1234", ""),
        )
        assert [t["name"] for t in templates.json()["data"]] == ["Seeded Badge"]
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/v1/organizations")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "GET /v1/organizations/org-seeded/badge_templates" in err, "--log-requests prints each request"


def test_a_bad_seed_file_is_one_line(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text('{"organizations": [{"token": "t"}]}')
    result = subprocess.run(
        [BADGEBRIDGE, "mock-server", "--seed", str(seed), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert str(seed) in one_line_error(result)


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)  # list_commands/get_command: the root loads its commands lazily
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _command_paths(command, (*prefix, name))


def test_every_command_has_help():
    runner = CliRunner()
    paths = list(_command_paths(root_command))
    assert len(paths) > 20
    for path in paths:
        result = runner.invoke(root_command, [*path, "--help"], prog_name="badgebridge")
        assert result.exit_code == 0, (path, result.output)
        assert f"Usage: badgebridge {' '.join(path)}" in result.output
        assert "Traceback" not in result.output


def test_help_from_the_installed_command():
    result = subprocess.run(
        [BADGEBRIDGE, "awards", "grant", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "Usage: badgebridge awards grant" in result.stdout
