"""Learners: the email is the identity shared with providers; the id is ours and never changes."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from badgebridge.core.clock import utcnow
from badgebridge.core.errors import InvalidInput, NotFound
from badgebridge.core.storage import Database
from badgebridge.core.storage.limits import require_fit
from badgebridge.core.storage.paging import ALL, Keyset, Listing, PageRequest, per_row
from badgebridge.core.storage.schema import learners

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class LearnerRecord:
    id: str
    email: str
    first_name: str
    last_name: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
        }


def normalise_email(email: str) -> str:
    """The email stripped and lower-cased, or ``InvalidInput``."""
    cleaned = email.strip().lower()
    if not EMAIL.match(cleaned):
        raise InvalidInput(f"not an email address: {email!r}")
    return cleaned


def new_learner_id() -> str:
    return "L" + uuid.uuid4().hex[:12]


def add(db: Database, email: str, first_name: str, last_name: str) -> tuple[LearnerRecord, str]:
    """Add a learner, or update their name; returns the learner and "added", "updated" or "unchanged"."""
    email = normalise_email(email)
    require_fit(learners, "the learner's", email=email)
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name or not last_name:
        raise InvalidInput("a learner needs a first and a last name")
    now = utcnow()
    with db.begin() as conn:
        row = conn.execute(select(learners).where(learners.c.email == email)).mappings().first()
        if row is None:
            learner_id = new_learner_id()
            conn.execute(
                learners.insert().values(
                    id=learner_id,
                    email=email,
                    first_name=first_name,
                    last_name=last_name,
                    created_at=now,
                    updated_at=now,
                )
            )
            outcome = "added"
        elif (row["first_name"], row["last_name"]) != (first_name, last_name):
            learner_id = row["id"]
            conn.execute(
                update(learners)
                .where(learners.c.id == learner_id)
                .values(first_name=first_name, last_name=last_name, updated_at=now)
            )
            outcome = "updated"
        else:
            learner_id, outcome = row["id"], "unchanged"
    return LearnerRecord(learner_id, email, first_name, last_name), outcome


def get_by_email(db: Database, email: str) -> LearnerRecord:
    cleaned = email.strip().lower()
    with db.begin() as conn:
        row = conn.execute(select(learners).where(learners.c.email == cleaned)).mappings().first()
    if row is None:
        raise NotFound(f"no learner with email {cleaned!r} (learners add creates one)")
    return _record(row)


def list_learners(db: Database) -> list[LearnerRecord]:
    return list(page_learners(db))


def page_learners(db: Database, page: PageRequest = ALL) -> Listing[LearnerRecord]:
    """The learners, by email, a batch at a time."""
    return Listing(db, select(learners), Keyset(learners.c.email), page, per_row(_record))


def _record(row) -> LearnerRecord:
    return LearnerRecord(row["id"], row["email"], row["first_name"], row["last_name"])
