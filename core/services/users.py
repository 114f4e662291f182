"""The admin console's users: an email, a role, an argon2id password hash, and a login throttle.

An ``admin`` may change things; a ``viewer`` may only look. Failed logins are slowed down per
account: from the ``FREE_FAILURES``-th failure on, the account refuses every attempt (right or
wrong) for a time that doubles with each further failure, up to ``MAX_LOCK``; a successful login
clears the count. An unknown email costs the same hash verification as a known one, so timing does
not tell which emails have accounts.

Sessions are checked on the server too: each user has a random ``session_key``, made at the first
login after none was valid, stored in the signed session cookie, and compared on every request
(``session_holder``). Logging out and changing the password clear it, so every session the user
had (a copied cookie included) stops working; a removed user's sessions end with the row.
"""

from __future__ import annotations

import hmac
import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update

from badgebridge.core.clock import iso_z, utcnow
from badgebridge.core.errors import BadgeBridgeError, InvalidInput, NotFound
from badgebridge.core.model import Role
from badgebridge.core.services.learners import normalise_email
from badgebridge.core.storage import Database
from badgebridge.core.storage.paging import ALL, Keyset, Listing, PageRequest, per_row
from badgebridge.core.storage.schema import users

MIN_PASSWORD_LENGTH = 12
FREE_FAILURES = 3
MAX_LOCK = timedelta(minutes=15)
SESSION_KEY_BYTES = 32

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class LoginRefused(BadgeBridgeError):
    """Wrong email or password, or an account that is waiting out its failed logins."""


@dataclass(frozen=True)
class UserRecord:
    id: int
    email: str
    role: str
    last_login_at: datetime | None
    session_key: str | None = field(default=None, repr=False)

    @property
    def can_change(self) -> bool:
        return self.role == Role.ADMIN

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "role": self.role,
            "last_login_at": iso_z(self.last_login_at),
        }


def add(db: Database, email: str, password: str, role: str = Role.ADMIN) -> UserRecord:
    """Create a console user; refused if the email has an account or the password is short."""
    email = normalise_email(email)
    role = _role(role)
    _check_password(password)
    now = utcnow()
    with db.begin() as conn:
        if conn.execute(select(users.c.id).where(users.c.email == email)).first():
            raise InvalidInput(f"a user {email} exists already")
        conn.execute(
            users.insert().values(
                email=email,
                password_hash=_hasher.hash(password),
                role=role,
                failed_logins=0,
                created_at=now,
                updated_at=now,
            )
        )
    return get_by_email(db, email)


def authenticate(db: Database, email: str, password: str, now: datetime | None = None) -> UserRecord:
    """The user whose email and password these are, or ``LoginRefused`` (which says nothing more
    than "wrong email or password", except that a throttled account says when to try again)."""
    now = now or utcnow()
    cleaned = email.strip().lower()
    with db.begin() as conn:
        row = conn.execute(select(users).where(users.c.email == cleaned)).mappings().first()
    if row is None:
        _verify(_DUMMY_HASH, password)
        raise LoginRefused("wrong email or password")
    if row["locked_until"] is not None and row["locked_until"] > now:
        wait = math.ceil((row["locked_until"] - now).total_seconds())
        raise LoginRefused(f"too many failed logins; try again in {wait} s")
    if not _verify(row["password_hash"], password):
        failures = row["failed_logins"] + 1
        with db.begin() as conn:
            conn.execute(
                update(users)
                .where(users.c.id == row["id"])
                .values(failed_logins=failures, locked_until=_lock_until(failures, now), updated_at=now)
            )
        raise LoginRefused("wrong email or password")
    values: dict[str, Any] = {
        "failed_logins": 0,
        "locked_until": None,
        "last_login_at": now,
        "updated_at": now,
        "session_key": row["session_key"] or secrets.token_hex(SESSION_KEY_BYTES),
    }
    if _hasher.check_needs_rehash(row["password_hash"]):
        values["password_hash"] = _hasher.hash(password)
    with db.begin() as conn:
        conn.execute(update(users).where(users.c.id == row["id"]).values(**values))
    return get_by_email(db, cleaned)


def session_holder(db: Database, user_id: int, session_key: str | None) -> UserRecord | None:
    """The user a session belongs to, if it is still valid: the user exists and the session carries
    their current session key (none after they logged out or changed their password)."""
    with db.begin() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
    if row is None or row["session_key"] is None or session_key is None:
        return None
    if not hmac.compare_digest(row["session_key"], session_key):
        return None
    return _record(row)


def end_sessions(db: Database, user_id: int) -> None:
    """End every session of the user (logging out): the next login starts a new session key."""
    with db.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(session_key=None, updated_at=utcnow()))


def set_password(db: Database, email: str, password: str) -> UserRecord:
    """Give a user a new password; their sessions end and their failed-login count is cleared."""
    record = get_by_email(db, email)
    _check_password(password)
    with db.begin() as conn:
        conn.execute(
            update(users)
            .where(users.c.id == record.id)
            .values(
                password_hash=_hasher.hash(password),
                session_key=None,
                failed_logins=0,
                locked_until=None,
                updated_at=utcnow(),
            )
        )
    return record


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def _lock_until(failures: int, now: datetime) -> datetime | None:
    if failures < FREE_FAILURES:
        return None
    return now + min(MAX_LOCK, timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _role(role: str) -> Role:
    try:
        return Role(role.lower())
    except ValueError:
        raise InvalidInput(f"a role is admin or viewer, not {role!r}") from None


def get_by_email(db: Database, email: str) -> UserRecord:
    with db.begin() as conn:
        row = conn.execute(select(users).where(users.c.email == email.strip().lower())).mappings().first()
    if row is None:
        raise NotFound(f"no user {email.strip().lower()} (users list shows them)")
    return _record(row)


def list_users(db: Database) -> list[UserRecord]:
    return list(page_users(db))


def page_users(db: Database, page: PageRequest = ALL) -> Listing[UserRecord]:
    """The console's users, by email, a batch at a time."""
    return Listing(db, select(users), Keyset(users.c.email), page, per_row(_record))


def remove(db: Database, email: str) -> None:
    record = get_by_email(db, email)
    with db.begin() as conn:
        conn.execute(delete(users).where(users.c.id == record.id))


def _record(row) -> UserRecord:
    return UserRecord(row["id"], row["email"], row["role"], row["last_login_at"], row["session_key"])
