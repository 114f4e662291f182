"""Running a transaction again when PostgreSQL chose it as a deadlock's victim.

The lock protocol (``badgebridge.core.storage.locks``) leaves deadlocks possible only between
transactions that lock batch after batch (migration files). PostgreSQL then aborts one of them
(SQLSTATE 40P01; 40001 for a serialisation failure); its work was rolled back, so it is run again,
from its start, after a short random pause.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

T = TypeVar("T")

RETRIED_STATES = {"40P01", "40001"}  # deadlock_detected, serialization_failure
ATTEMPTS = 8


def is_conflict(exc: BaseException) -> bool:
    """True for a transaction the database aborted so that another could go on."""
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in RETRIED_STATES


def retry_conflicts(work: Callable[[], T]) -> T:
    """``work()``, run again (up to ``ATTEMPTS`` times) when the database aborted it for a conflict.

    ``work`` must open and commit its own transaction, so that a retry starts from scratch.
    """
    runner = retry(
        retry=retry_if_exception(is_conflict),
        stop=stop_after_attempt(ATTEMPTS),
        wait=wait_random_exponential(multiplier=0.05, max=2),
        reraise=True,
    )
    return runner(work)()
