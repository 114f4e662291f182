"""``badgebridge users`` and ``badgebridge web`` run as a user runs them, over a real socket."""

from __future__ import annotations

import re
import socket

import httpx
import pytest

from badgebridge.core.services import users
from badgebridge.core.storage import open_database
from tests.e2e.conftest import one_line_error
from tests.e2e.console import ADMIN, add_users, running_console

pytestmark = pytest.mark.e2e


def test_users_are_added_with_a_password_from_stdin_and_listed_without_it(cli):
    added = cli.ok("users", "add", "Ops@Example.org", "--role", "viewer", input="a long enough password\n")
    assert "User ops@example.org added (viewer)" in added.stdout
    (user,) = cli.json("users", "list")
    assert user["email"] == "ops@example.org" and user["role"] == "viewer" and user["last_login_at"] is None
    assert "password" not in " ".join(cli.outputs).replace("a long enough password", "")
    again = cli("users", "add", "ops@example.org", input="a long enough password\n")
    assert one_line_error(again) == "Error: a user ops@example.org exists already"
    short = cli("users", "add", "new@example.org", input="short\n")
    assert one_line_error(short) == "Error: a password needs at least 12 characters"
    empty = cli("users", "add", "new@example.org", input="")
    assert one_line_error(empty) == "Error: no password on stdin"
    role = cli("users", "add", "new@example.org", "--role", "root", input="a long enough password\n")
    assert role.returncode == 2 and "'root' is not one of 'admin', 'viewer'" in role.stderr
    cli.ok("users", "remove", "ops@example.org")
    assert cli.json("users", "list") == []


def test_users_password_replaces_the_password_from_stdin(cli):
    cli.ok("users", "add", "ops@example.org", input="the first password\n")
    changed = cli.ok("users", "password", "Ops@Example.org", input="the second password\n")
    assert changed.stdout == "New password set for ops@example.org; their console sessions have ended.\n"
    db = open_database(cli.env["BADGEBRIDGE_DB"])
    try:
        with pytest.raises(users.LoginRefused):
            users.authenticate(db, "ops@example.org", "the first password")
        assert users.authenticate(db, "ops@example.org", "the second password").email == "ops@example.org"
    finally:
        db.dispose()
    short = cli("users", "password", "ops@example.org", input="short\n")
    assert one_line_error(short) == "Error: a password needs at least 12 characters"
    unknown = cli("users", "password", "nobody@example.org", input="the third password\n")
    assert one_line_error(unknown) == "Error: no user nobody@example.org (users list shows them)"


def test_the_console_serves_login_then_pages_over_a_real_socket(cli):
    add_users(cli)
    with running_console(cli) as url, httpx.Client(base_url=url) as http:
        first = http.get("/awards/")
        assert first.status_code == 302 and first.headers["location"] == "/login?next=/awards/"
        login_page = http.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
        forged = http.post("/login", data={"email": ADMIN[0], "password": ADMIN[1]})
        assert forged.status_code == 400
        logged_in = http.post(
            "/login", data={"email": ADMIN[0], "password": ADMIN[1], "csrf_token": token, "next": "/awards/"}
        )
        assert logged_in.status_code == 302 and logged_in.headers["location"] == "/awards/"
        assert "No awards match." in http.get("/awards/").text
    (admin, _viewer) = cli.json("users", "list")
    assert admin["last_login_at"] is not None


def test_the_console_on_a_busy_port_says_so_in_one_line(cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("web", "--port", str(port))
    assert one_line_error(result).startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
