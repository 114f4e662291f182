"""Sessions are checked on the server: logging out, a new password or a removal ends every copy."""

from __future__ import annotations

from badgebridge.core.services import users
from tests.web.conftest import ADMIN, Session

COOKIE = "badgebridge_session"


def copy_of(app, session: Session) -> Session:
    """Another browser holding a copy of ``session``'s cookie (as a thief would)."""
    thief = Session(app.test_client())
    thief.client.set_cookie(COOKIE, session.client.get_cookie(COOKIE).value)
    return thief


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_copied_cookie_stops_working_when_its_owner_logs_out(app, admin):
    thief = copy_of(app, admin)
    assert thief.get("/").status_code == 200, "the copy works while the session lasts"
    form_token = thief.token("/")
    assert sent_to_login(admin.post("/logout"))
    posted = thief.client.post("/badges/import", data={"connection": "c1", "csrf_token": form_token})
    assert sent_to_login(posted), "a change with a valid form token is refused too"
    assert sent_to_login(thief.get("/"))


def test_logging_in_again_does_not_revive_a_cookie_of_an_ended_session(app, admin):
    thief = copy_of(app, admin)
    admin.post("/logout")
    assert admin.login(*ADMIN).status_code == 302
    assert admin.get("/").status_code == 200
    assert sent_to_login(thief.get("/"))


def test_logging_out_ends_the_users_other_sessions_too(app, admin):
    other_browser = Session(app.test_client())
    assert other_browser.login(*ADMIN).status_code == 302
    admin.post("/logout")
    assert sent_to_login(other_browser.get("/"))


def test_a_new_password_ends_every_session_and_the_old_password_is_refused(app, admin, db):
    thief = copy_of(app, admin)
    users.set_password(db, ADMIN[0], "a brand new passphrase")
    assert sent_to_login(admin.get("/"))
    assert sent_to_login(thief.get("/"))
    assert admin.login(*ADMIN).status_code == 401
    assert admin.login(ADMIN[0], "a brand new passphrase").status_code == 302
    assert admin.get("/").status_code == 200


def test_a_removed_and_re_added_user_does_not_get_the_old_sessions_back(app, admin, db):
    thief = copy_of(app, admin)
    users.remove(db, ADMIN[0])
    users.add(db, *ADMIN, role="admin")  # SQLite may hand the new row the old id
    assert sent_to_login(thief.get("/"))


def test_a_cookie_signed_before_session_keys_existed_is_refused(app, admin, db):
    """A session cookie that holds a user id but no session key (as the console wrote them
    before revision 0006) leads to the login page."""
    keyless = Session(app.test_client())
    with keyless.client.session_transaction() as session:
        session["user_id"] = users.get_by_email(db, ADMIN[0]).id
    assert sent_to_login(keyless.get("/"))
