"""The foundation, end to end: the badgebridge command against the mock on a real socket.

Each test checks what the mock holds afterwards, not only what the command printed.
"""

from __future__ import annotations

import base64
import json
import socket

import httpx
import pytest

from tests.e2e.conftest import one_line_error

pytestmark = pytest.mark.e2e

EMAIL = "ada.lovelace@example.org"


@pytest.fixture
def org(credly_mock):
    return credly_mock.create_organization("Bars Org")


def _mock_badges(credly_mock, email):
    return [b for b in credly_mock.state()["badges"] if b["recipient_email"] == email]


def test_wrong_token_is_one_line_naming_the_connection_and_nothing_is_saved(cli, credly_mock, org):
    result = cli(
        "connections",
        "add",
        "bars",
        "--provider",
        "credly",
        "--org-id",
        org["id"],
        "--host",
        credly_mock.url,
        "--token-env",
        "T",
        env={"T": "not-the-token"},
    )
    line = one_line_error(result)
    assert "'bars'" in line
    assert "You specified an invalid authorization token." in line
    assert cli.json("connections", "list") == []


def test_wrong_organization_is_refused(cli, credly_mock, org):
    result = cli(
        "connections",
        "add",
        "bars",
        "--provider",
        "credly",
        "--org-id",
        "00000000-0000-0000-0000-000000000000",
        "--host",
        credly_mock.url,
        "--token-env",
        "T",
        env={"T": org["token"]},
    )
    line = one_line_error(result)
    assert "not found" in line.lower()
    assert cli.json("connections", "list") == []


def test_unreachable_host_is_a_clear_error(cli, org):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the command runs: nothing listens
    result = cli(
        "connections",
        "add",
        "bars",
        "--provider",
        "credly",
        "--org-id",
        org["id"],
        "--host",
        f"http://127.0.0.1:{port}",
        "--token-env",
        "T",
        env={"T": org["token"]},
    )
    assert "cannot reach" in one_line_error(result)


def test_unknown_provider_names_the_installed_ones(cli, org):
    result = cli(
        "connections", "add", "x", "--provider", "badgr", "--org-id", "1", "--token-env", "T", env={"T": "t"}
    )
    assert "unknown provider 'badgr'; installed providers: credly" in one_line_error(result)


@pytest.mark.parametrize(
    ("args", "field"),
    [(["--host", "ftp://example.org"], "'host'"), (["--org-id", ""], "'org_id'")],
)
def test_invalid_settings_name_the_field(cli, credly_mock, org, args, field):
    base = {"--org-id": org["id"], "--host": credly_mock.url} | dict([args])
    flat = [item for pair in base.items() for item in pair]
    result = cli(
        "connections", "add", "x", "--provider", "credly", *flat, "--token-env", "T", env={"T": org["token"]}
    )
    assert field in one_line_error(result)
    assert cli.json("connections", "list") == []


def test_import_follows_every_page_and_takes_only_active_templates(cli, credly_mock, org):
    active = {credly_mock.create_template(org["id"], f"Active {i:03d}")["id"] for i in range(120)}
    for i in range(5):
        credly_mock.create_template(org["id"], f"Archived {i}", state="archived")
    for i in range(3):
        credly_mock.create_template(org["id"], f"Draft {i}", state="draft")
    name = cli.connect(credly_mock, org["id"], org["token"])
    assert "120 active badge(s)" in cli.ok("badges", "import", name).stdout
    badges = cli.json("badges", "list")
    assert {b["external_badge_id"] for b in badges} == active
    assert {b["connection"] for b in badges} == {name}
    assert {b["state"] for b in badges} == {"Active"}
    assert "0 new" in cli.ok("badges", "import", name).stdout, "a second import adds nothing"


def test_grant_issues_once_however_often_it_is_granted(cli, credly_mock, org):
    template = credly_mock.create_template(org["id"], "Data Steward")
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("badges", "import", "credly-main")
    (badge,) = cli.json("badges", "list")
    cli.ok("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    first = cli.ok("awards", "grant", "--badge", badge["id"], "--learner", EMAIL)
    assert "issued on Credly" in first.stdout
    second = cli.ok("awards", "grant", "--badge", badge["id"], "--learner", EMAIL)
    assert "nothing changed" in second.stdout

    (held,) = _mock_badges(credly_mock, EMAIL)
    assert held["badge_template"]["id"] == template["id"]
    assert (held["issued_to_first_name"], held["issued_to_last_name"], held["state"]) == (
        "Ada",
        "Lovelace",
        "pending",
    )
    learner_id = cli.json("learners", "list")[0]["id"]
    assert held["issuer_earner_id"] == learner_id
    (award,) = cli.json("awards", "list")
    assert (award["state"], award["provider_badge_id"], award["learner_email"]) == (
        "issued",
        held["id"],
        EMAIL,
    )


def test_duplicate_on_credly_is_linked_not_failed(cli, credly_mock, org):
    template = credly_mock.create_template(org["id"], "Already Held")
    token = base64.b64encode(f"{org['token']}:".encode()).decode()
    issued = httpx.post(
        f"{credly_mock.url}/v1/organizations/{org['id']}/badges",
        headers={"Authorization": f"Basic {token}"},
        json={
            "recipient_email": EMAIL,
            "issued_to_first_name": "Ada",
            "issued_to_last_name": "Lovelace",
            "badge_template_id": template["id"],
            "issued_at": "2024-01-15 10:00:00 +0000",
        },
    )
    assert issued.status_code == 201
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("badges", "import", "credly-main")
    cli.ok("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    (badge,) = cli.json("badges", "list")
    result = cli.ok("awards", "grant", "--badge", badge["id"], "--learner", EMAIL)
    assert "already held on Credly" in result.stdout
    (award,) = cli.json("awards", "list")
    assert (award["state"], award["linked"], award["provider_badge_id"]) == (
        "issued",
        True,
        issued.json()["data"]["id"],
    )
    history = cli.json("awards", "show", str(award["id"]))["history"]
    assert [(h["action"], h["outcome"], h["status"]) for h in history] == [
        ("issue", "duplicate", 422),
        ("lookup", "found", None),
    ]
    assert len(_mock_badges(credly_mock, EMAIL)) == 1


def test_provider_failure_leaves_the_award_stored_and_retry_sends_it(cli, credly_mock, org):
    credly_mock.create_template(org["id"], "Flaky")
    cli.connect(credly_mock, org["id"], org["token"])
    cli.ok("badges", "import", "credly-main")
    cli.ok("learners", "add", EMAIL, "--first-name", "Ada", "--last-name", "Lovelace")
    (badge,) = cli.json("badges", "list")
    credly_mock.set_faults(error_rate=1.0)
    result = cli("awards", "grant", "--badge", badge["id"], "--learner", EMAIL)
    assert "did not reach the provider" in one_line_error(result)
    (award,) = cli.json("awards", "list")
    assert award["state"] == "queued"
    assert "Credly" in award["error"]
    assert _mock_badges(credly_mock, EMAIL) == []

    credly_mock.set_faults(error_rate=0.0)
    result = cli.ok("awards", "retry", str(award["id"]))
    assert "issued on Credly" in result.stdout
    (held,) = _mock_badges(credly_mock, EMAIL)
    assert cli.json("awards", "list")[0]["provider_badge_id"] == held["id"]
    assert "nothing changed" in cli.ok("awards", "retry", "--all").stdout


def test_token_never_shows_unmasked(cli, credly_mock, org):
    credly_mock.create_template(org["id"], "Visible")
    cli.connect(credly_mock, org["id"], org["token"])
    listing = cli.json("connections", "list")
    assert listing[0]["token"].endswith(org["token"][-4:])
    assert set(listing[0]["token"][:-4]) == {"*"}
    cli.ok("connections", "list")
    cli.ok("connections", "test", "credly-main")
    cli.ok("badges", "import", "credly-main")
    cli(
        "connections",
        "add",
        "again",
        "--provider",
        "credly",
        "--org-id",
        org["id"],
        "--host",
        credly_mock.url,
        "--token-env",
        "T",
        env={"T": org["token"] + "x"},
    )
    cli(
        "connections",
        "add",
        "via-stdin",
        "--provider",
        "credly",
        "--org-id",
        org["id"],
        "--host",
        credly_mock.url,
        input=org["token"] + "\n",
    )
    assert any("via-stdin" in c["name"] for c in cli.json("connections", "list"))
    assert not any(org["token"] in output for output in cli.outputs)


def test_plugins_json_lists_credly_and_its_hooks(cli):
    plugins = cli.json("plugins")
    (credly,) = [p for p in plugins if "credly" in p["providers"]]
    assert {"connect", "import_badges", "issue_badge"} <= set(credly["hooks"])
    assert credly["version"]


def test_demo_runs_offline_and_shows_the_badge_the_mock_holds(cli):
    result = cli.ok("demo")
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert "Migrated an ALM badge.csv (3 rows, 3 imported, 0 failed)" in out
    assert "DEMO-LOCAL: awarded locally (platform-only)." in out
    shown = out.split("as the Credly mock now holds them")[1]
    assert "Public Speaker" in shown and "ada.lovelace@example.org" in shown and "pending" in shown
    assert "Data Steward" not in shown, "only the badge the completion earned is on the mock"


def test_demo_keeps_its_data_in_a_database_given_with_db(cli, tmp_path):
    kept = f"sqlite:///{tmp_path / 'demo.db'}"
    cli.ok("demo", "--db", kept)
    cli.ok("demo", "--db", kept)  # a second run reuses the connection and changes nothing twice
    listed = cli.json("--db", kept, "awards", "list")
    assert sorted((a["badge_id"], a["state"]) for a in listed) == [
        ("DEMO-LOCAL", "awarded"),
        ("DEMO-SPEAKER", "issued"),
    ]


def test_mock_server_command_serves_and_says_how_to_connect(tmp_path):
    import subprocess

    from tests.e2e.conftest import BADGEBRIDGE

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [BADGEBRIDGE, "mock-server", "--port", str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        banner = [proc.stdout.readline() for _ in range(5)]
        assert f"http://127.0.0.1:{port}" in banner[0]
        org_id, masked = banner[1].split("id ")[1].split()[0], banner[1].split("token ")[1].strip()
        assert banner[3].strip().startswith("export CREDLY_TOKEN=")
        token = banner[3].strip().removeprefix("export CREDLY_TOKEN=")
        assert masked == "*" * (len(token) - 4) + token[-4:]
        assert (
            banner[4].split()
            == (
                f"badgebridge connections add mock --provider credly --org-id {org_id} "
                f"--host http://127.0.0.1:{port} --token-env CREDLY_TOKEN"
            ).split()
        )
        response = httpx.get(f"http://127.0.0.1:{port}/v1/organizations/{org_id}", auth=(token, ""))
        assert response.status_code == 200
        assert json.loads(response.text)["data"]["id"] == org_id
    finally:
        proc.terminate()
        proc.wait(10)


def test_mock_server_on_a_busy_port_is_one_line(cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = one_line_error(cli("mock-server", "--port", str(port), timeout=30))
    assert f"cannot listen on 127.0.0.1:{port}" in line and "--port" in line


def test_a_database_that_cannot_be_reached_is_one_line(cli):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    line = one_line_error(cli("--db", f"postgresql+psycopg://postgres@127.0.0.1:{port}/x", "badges", "list"))
    assert "cannot open the database" in line and "Connection refused" in line


def test_a_missing_token_without_a_terminal_names_the_options(cli, credly_mock, org):
    result = cli(
        "connections",
        "add",
        "c",
        "--provider",
        "credly",
        "--org-id",
        org["id"],
        "--host",
        credly_mock.url,
        input="",
    )
    line = one_line_error(result)
    assert "--token-env VAR" in line and "--token-stdin" in line and "minLength" not in line
    assert cli.json("connections", "list") == []
