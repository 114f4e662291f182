"""No token and no traceback in any output on expected failures, on SQLite and PostgreSQL; tokens
encrypted at rest when BADGEBRIDGE_SECRET_KEY is set, and ``db rotate-key`` (issue 7, item 5)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from tests.e2e.conftest import one_line_error
from tests.races import postgres_schema

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_cli(request, cli):
    if request.param == "sqlite":
        yield cli
    else:
        with postgres_schema() as url:
            cli.env["BADGEBRIDGE_DB"] = url
            yield cli


def stored_secrets(cli) -> str:
    """The ``secrets`` column as the database holds it (no decryption)."""
    engine = create_engine(cli.env["BADGEBRIDGE_DB"])
    try:
        with engine.connect() as conn:
            return " ".join(str(v) for v in conn.execute(text("SELECT secrets FROM connections")).scalars())
    finally:
        engine.dispose()


def add_args(mock, name: str = "acme") -> list[str]:
    return [
        "connections",
        "add",
        name,
        "--provider",
        "credly",
        "--org-id",
        mock.organization_id,
        "--host",
        mock.url,
    ]


def clean(cli, token: str) -> None:
    """No output the test produced holds the token or a traceback."""
    for output in cli.outputs:
        assert token not in output
        assert "Traceback" not in output


def test_a_too_long_connection_name_names_the_field_and_the_limit(any_db_cli, credly_mock):
    cli, token = any_db_cli, credly_mock.token
    args = add_args(credly_mock, "n" * 250)
    line = one_line_error(cli(*args, "--token-env", "TOKEN", env={"TOKEN": token}))
    assert line == "Error: the connection name is 250 characters long; at most 200 fit"
    assert cli.json("connections", "list") == []
    clean(cli, token)


def test_token_env_given_the_token_itself_refuses_without_echoing_it(any_db_cli, credly_mock):
    cli, token = any_db_cli, credly_mock.token
    line = one_line_error(cli(*add_args(credly_mock), "--token-env", token))
    assert "--token-env takes the name of an environment variable" in line
    looks_like_a_name = "Tok" + "x" * 20
    line = one_line_error(cli(*add_args(credly_mock), "--token-env", looks_like_a_name))
    assert line == "Error: the environment variable named by --token-env is not set"
    assert all(looks_like_a_name not in output for output in cli.outputs)
    clean(cli, token)


def test_a_mistyped_database_folder_is_an_error_not_a_new_database(cli, tmp_path):
    missing = tmp_path / "no-such-folder" / "bb.db"
    line = one_line_error(cli("--db", f"sqlite:///{missing}", "learners", "list"))
    assert line == f"Error: cannot open the database {missing}: the folder {missing.parent} does not exist"
    assert not missing.parent.exists()


def test_tokens_at_rest_are_encrypted_with_the_key_and_rotated(any_db_cli, credly_mock):
    cli, token = any_db_cli, credly_mock.token
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with_old = {"BADGEBRIDGE_SECRET_KEY": old, "TOKEN": token}
    cli.ok(*add_args(credly_mock), "--token-env", "TOKEN", env=with_old)
    sealed = stored_secrets(cli)
    assert token not in sealed and "fernet" in sealed

    # the key is needed to use the connection, and a wrong one is said to be wrong
    assert cli.ok("connections", "test", "acme", env=with_old).returncode == 0
    assert "set BADGEBRIDGE_SECRET_KEY" in one_line_error(cli("connections", "test", "acme"))
    wrong = {"BADGEBRIDGE_SECRET_KEY": new}
    assert "a key that BADGEBRIDGE_SECRET_KEY does not hold" in one_line_error(
        cli("connections", "test", "acme", env=wrong)
    )
    assert "not a Fernet key" in one_line_error(
        cli("connections", "list", env={"BADGEBRIDGE_SECRET_KEY": "not-a-key"})
    )

    # rotation: new key first, old after; then the new key alone opens it, the old one no longer
    rotated = cli.ok("db", "rotate-key", env={"BADGEBRIDGE_SECRET_KEY": f"{new},{old}"})
    assert "Re-encrypted the tokens of 1 connection(s)" in rotated.stdout
    assert stored_secrets(cli) != sealed and token not in stored_secrets(cli)
    assert cli.ok("connections", "test", "acme", env=wrong).returncode == 0
    one_line_error(cli("connections", "test", "acme", env={"BADGEBRIDGE_SECRET_KEY": old}))

    # a badge issued through the encrypted connection reaches the mock
    template = credly_mock.create_template(credly_mock.organization_id, "Sealed")
    cli.ok("badges", "import", "acme", env=wrong)
    badge = next(b["id"] for b in cli.json("badges", "list") if b["external_badge_id"] == template["id"])
    cli.ok("learners", "add", "ada@example.org", "--first-name", "Ada", "--last-name", "Lovelace")
    cli.ok("awards", "grant", "--badge", badge, "--learner", "ada@example.org", env=wrong)
    assert [b["recipient_email"] for b in credly_mock.state()["badges"]] == ["ada@example.org"]
    clean(cli, token)


def test_rotate_key_encrypts_tokens_stored_plain(any_db_cli, credly_mock):
    cli, token = any_db_cli, credly_mock.token
    cli.ok(*add_args(credly_mock), "--token-env", "TOKEN", env={"TOKEN": token})
    assert token in stored_secrets(cli)  # no key: stored plain, protected by the database's access
    key = {"BADGEBRIDGE_SECRET_KEY": Fernet.generate_key().decode()}
    cli.ok("db", "rotate-key", env=key)
    assert token not in stored_secrets(cli)
    assert cli.ok("connections", "test", "acme", env=key).returncode == 0
    assert "set BADGEBRIDGE_SECRET_KEY" in one_line_error(cli("db", "rotate-key"))
    clean(cli, token)
