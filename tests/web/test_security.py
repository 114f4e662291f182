"""The console's security rules, on every route: login, CSRF, roles, cookies, headers, throttling."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import InvalidInput
from badgebridge.core.services import connections, users
from badgebridge.web import create_app
from tests.web.conftest import ADMIN, Session

SECRET = "secret-key-1234"
SAMPLE_ARGS = {
    "provider_name": "fake",
    "name": "c1",
    "badge_id": "b1",
    "kind": "course",
    "object_id": "C1",
    "award_id": 1,
    "run_id": "0123456789abcdef",
}


def routes(app, method: str) -> list[str]:
    """A concrete URL for every route answering ``method`` (static files aside)."""
    urls = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if method in rule.methods and rule.endpoint != "static":
            values = {arg: SAMPLE_ARGS.get(arg, "x.errors.csv") for arg in rule.arguments}
            urls.append(adapter.build(rule.endpoint, values))
    assert urls
    return urls


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_page(app, anonymous):
    pages = routes(app, "GET")
    assert len(pages) >= 14
    for url in [p for p in pages if p != "/login"] + ["/no-such-page"]:
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url
    assert anonymous.get("/login").status_code == 200


def test_the_award_lifecycle_routes_are_among_the_posts_checked_here(app):
    lifecycle = {
        "/awards/1/cancel",
        "/awards/cancel",
        "/awards/1/reissue",
        "/awards/1/retry",
        "/connections/c1/sync",
    }
    assert lifecycle <= set(routes(app, "POST"))


def test_anonymous_posts_are_refused_with_or_without_a_csrf_token(app, anonymous):
    token = anonymous.token("/login")
    for url in routes(app, "POST"):
        if url == "/login":
            continue
        assert anonymous.client.post(url).status_code == 400, url
        response = anonymous.client.post(url, data={"csrf_token": token})
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_a_viewer_sees_every_page_and_cannot_change_anything(app, viewer, db, host):
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": SECRET})
    assert viewer.get("/connections/").status_code == 200
    for url in routes(app, "POST"):
        if url in ("/login", "/logout"):
            continue
        response = viewer.post(url, {"name": "x", "email": "a@b.org", "connection": "c1"})
        assert response.status_code == 403, url
        assert "A viewer cannot change anything" in response.get_data(as_text=True)
    assert connections.get(db, "c1").name == "c1"
    assert "Remove" not in viewer.text("/connections/"), "a viewer is not offered changes"
    assert viewer.post("/logout").status_code == 302


def test_every_post_without_the_csrf_token_is_refused(app, admin, db, host):
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": SECRET})
    for url in routes(app, "POST"):
        response = admin.client.post(url, data={"name": "c1", "connection": "c1"})
        assert response.status_code == 400, url
        assert "The form was refused" in response.get_data(as_text=True)
        forged = admin.client.post(url, data={"csrf_token": "forged", "connection": "c1"})
        assert forged.status_code == 400, url
    assert connections.get(db, "c1").name == "c1", "a forged remove changed nothing"


def test_no_page_shows_a_token(app, admin, db):
    response = admin.post(
        "/connections/connect/fake", {"name": "c1", "setting_account": "acme", "setting_api_key": SECRET}
    )
    assert response.status_code == 302
    assert connections.get(db, "c1").secrets == {"api_key": SECRET}
    admin.post("/badges/import", {"connection": "c1"})
    pages = [url for url in routes(app, "GET") if "/errors/" not in url]
    for url in pages:
        response = admin.get(url)
        assert SECRET not in response.get_data(as_text=True), url
    assert "***********1234" in admin.text("/connections/"), "shown masked"


def test_a_refused_connect_form_keeps_the_plain_fields_and_never_the_token(admin, db):
    response = admin.post(
        "/connections/connect/fake",
        {"name": "c1", "setting_account": "acme", "setting_api_key": "wrong-key-777"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Fake refused the key" in page
    assert 'value="acme"' in page
    assert "wrong-key-777" not in page
    assert connections.all_connections(db) == []


def test_session_cookie_is_httponly_samesite_and_secure_over_tls(app):
    plain = Session(app.test_client())
    cookie = plain.login(*ADMIN).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    tls = app.test_client()
    page = tls.get("/login", base_url="https://console.example.org").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = tls.post(
        "/login",
        data={"email": ADMIN[0], "password": ADMIN[1], "csrf_token": token},
        base_url="https://console.example.org",
        headers={"Referer": "https://console.example.org/login"},
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_every_answer_carries_the_security_headers(admin, anonymous):
    for response in (admin.get("/"), anonymous.get("/login"), anonymous.get("/")):
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none': no scripts
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(anonymous):
    assert anonymous.get("/awards/?state=failed").headers["Location"] == "/login?next=/awards/?state%3Dfailed"
    for target, expected in (("/awards/?state=failed", "/awards/?state=failed"), ("//evil.example", "/")):
        response = anonymous.client.post(
            "/login",
            data={"email": ADMIN[0], "password": ADMIN[1], "next": target, "csrf_token": anonymous.token()},
        )
        assert response.headers["Location"] == expected


def test_wrong_passwords_are_refused_and_then_slowed_down(anonymous, monkeypatch):
    frozen = utcnow()
    monkeypatch.setattr(users, "utcnow", lambda: frozen)
    for _ in range(users.FREE_FAILURES):
        response = anonymous.login(ADMIN[0], "not the password")
        assert response.status_code == 401
        assert "wrong email or password" in response.get_data(as_text=True)
    locked = anonymous.login(*ADMIN)
    assert locked.status_code == 401, "even the right password waits out the lock"
    assert "too many failed logins; try again in 2 s" in locked.get_data(as_text=True)
    assert anonymous.get("/").status_code == 302
    unknown = anonymous.login("nobody@example.org", "whatever")
    assert "wrong email or password" in unknown.get_data(as_text=True)


def test_the_lock_doubles_with_each_failure_up_to_a_cap_and_a_success_clears_it(db):
    email, password = "a@example.org", "a long enough password"
    users.add(db, email, password)
    moment = utcnow()

    def fail() -> None:
        nonlocal moment
        moment += timedelta(hours=1)  # after any lock ran out
        with pytest.raises(users.LoginRefused, match="wrong email or password"):
            users.authenticate(db, email, "wrong", now=moment)

    def wait() -> int:
        """The lock now in force, probed with the right password (which a lock refuses too)."""
        try:
            users.authenticate(db, email, password, now=moment)
        except users.LoginRefused as exc:
            return int(re.search(r"try again in (\d+) s", str(exc)).group(1))
        return 0

    fail()
    fail()
    waits = []
    for _ in range(10):
        fail()
        waits.append(wait())
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    moment += timedelta(hours=1)
    assert users.authenticate(db, email, password, now=moment).email == email
    fail()
    assert wait() == 0, "the success cleared the count"


def test_a_removed_user_is_logged_out_at_the_next_request(admin, db):
    assert admin.get("/").status_code == 200
    users.remove(db, ADMIN[0])
    assert admin.get("/").status_code == 302


def test_passwords_are_stored_as_argon2id_hashes(db):
    from sqlalchemy import select

    from badgebridge.core.storage.schema import users as users_table

    users.add(db, "b@example.org", "another long password")
    with db.begin() as conn:
        stored = conn.execute(select(users_table.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "another long password" not in stored
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        users.add(db, "c@example.org", "short")
    with pytest.raises(InvalidInput, match="exists already"):
        users.add(db, "B@example.org", "another long password")
    with pytest.raises(InvalidInput, match="admin or viewer"):
        users.add(db, "d@example.org", "another long password", role="root")
    assert [u.role for u in users.list_users(db)] == ["admin"]


@pytest.mark.parametrize("trusted", [True, False])
def test_behind_a_trusted_tls_proxy_the_cookie_is_secure(db, host, tmp_path, trusted):
    app = create_app(database=db, host=host, secret_key="k", upload_dir=tmp_path, trust_proxy=trusted)
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert ("Secure" in response.headers["Set-Cookie"]) is trusted
    assert ("Strict-Transport-Security" in response.headers) is trusted
