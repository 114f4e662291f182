"""Pacing: a GCRA row per connection shared through the database, paused by 429s, AIMD rates."""

from __future__ import annotations

import itertools
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from badgebridge.core.services import connections
from badgebridge.core.services.pacing import OBSERVATION_SECONDS, Pacer, PacingPolicy
from badgebridge.core.storage import open_database
from badgebridge.core.storage.schema import rate_limits
from tests.fake_clock import FakeClock


@pytest.fixture
def connection_id(db, host):
    return connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"}).id


def test_slots_are_spaced_by_the_rate_across_pacers_sharing_the_database(db, connection_id):
    clock = FakeClock()
    first, second = Pacer(db, clock), Pacer(db, clock)  # two processes, one database
    starts = [pacer.reserve(connection_id, 10.0).start for pacer in (first, second, first, second)]
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(starts)]
    assert gaps == [0.1, 0.1, 0.1]
    assert first.reserve(connection_id, 10.0).wait == pytest.approx(0.4)


def test_an_unlimited_connection_is_not_paced(db, connection_id):
    pacer = Pacer(db, FakeClock())
    assert {pacer.reserve(connection_id, None).wait for _ in range(5)} == {0.0}


def test_a_429_pauses_the_connection_for_every_sender_and_lowers_the_rate(db, connection_id):
    clock = FakeClock()
    pacer, other = Pacer(db, clock), Pacer(db, clock)
    slot = pacer.reserve(connection_id, 20.0)
    until = pacer.rate_limited(connection_id, 20.0, 3.0, slot)
    assert until == pytest.approx(clock.time() + 3.0)
    assert other.reserve(connection_id, 20.0).wait == pytest.approx(3.0), "the other sender waits too"
    rate, paused_until = other.state(connection_id, 20.0)
    assert rate == pytest.approx(20.0 * PacingPolicy().decrease)
    assert paused_until == pytest.approx(until)


def test_a_burst_of_429s_for_requests_made_before_the_decrease_lowers_the_rate_once(db, connection_id):
    clock = FakeClock()
    pacer = Pacer(db, clock)
    slots = [pacer.reserve(connection_id, 20.0) for _ in range(4)]
    for slot in slots:
        pacer.rate_limited(connection_id, 20.0, 1.0, slot)
    assert pacer.state(connection_id, 20.0)[0] == pytest.approx(16.0)


def test_the_rate_recovers_additively_back_to_the_limit(db, connection_id):
    clock = FakeClock()
    policy = PacingPolicy(decrease=0.5, increase=1.0)
    pacer = Pacer(db, clock, policy)
    pacer.rate_limited(connection_id, 20.0, 1.0, pacer.reserve(connection_id, 20.0))
    assert pacer.state(connection_id, 20.0)[0] == pytest.approx(10.0)
    clock.advance(4)
    assert pacer.state(connection_id, 20.0)[0] == pytest.approx(14.0)
    clock.advance(30)
    assert pacer.state(connection_id, 20.0)[0] == 20.0
    pacer.reserve(connection_id, 20.0)  # recovered: the lowered rate is forgotten
    assert pacer.state(connection_id, 20.0)[0] == 20.0


def test_an_unknown_limit_is_found_from_the_observed_rate(db, connection_id):
    """Unlimited, 50 requests in a second, then a 429: the rate becomes 0.8 x what was observed."""
    clock = FakeClock()
    pacer = Pacer(db, clock)
    for _ in range(50):
        pacer.reserve(connection_id, None)
        clock.advance(0.02)
    slot = pacer.reserve(connection_id, None)
    pacer.rate_limited(connection_id, None, 1.0, slot)
    rate, _ = pacer.state(connection_id, None)
    assert rate == pytest.approx(0.8 * 50, rel=0.05)
    clock.advance(1.0)  # the pause
    first = pacer.reserve(connection_id, None).start
    second = pacer.reserve(connection_id, None).start
    assert second - first == pytest.approx(1 / rate, rel=0.05), "paced now"
    clock.advance(200)
    assert pacer.state(connection_id, None)[0] is None, "recovered to unlimited"


def _window_count(db, connection_id) -> int:
    with db.begin() as conn:
        return conn.execute(
            select(rate_limits.c.window_count).where(rate_limits.c.connection_id == connection_id)
        ).scalar_one()


def test_an_unlimited_connection_is_read_once_per_observation_window_and_its_requests_still_counted(
    db, connection_id
):
    clock = FakeClock()
    pacer = Pacer(db, clock)
    assert pacer.next_slot(connection_id, None).wait == 0.0  # reads the row: free
    for _ in range(9):
        assert pacer.next_slot(connection_id, None).wait == 0.0
        clock.advance(0.05)
    assert _window_count(db, connection_id) == 1, "no write while the row is known free"
    clock.advance(OBSERVATION_SECONDS)
    pacer.next_slot(connection_id, None)  # the window is over: read again, count what started meanwhile
    rate, _ = pacer.state(connection_id, None)
    with db.begin() as conn:
        observed = conn.execute(
            select(rate_limits.c.observed_rate).where(rate_limits.c.connection_id == connection_id)
        ).scalar_one()
    assert observed == pytest.approx(10 / (OBSERVATION_SECONDS + 0.45))
    assert rate is None


def test_a_429_met_elsewhere_pauses_this_process_within_one_observation_window(db, tmp_path, connection_id):
    clock = FakeClock()
    elsewhere = open_database(f"sqlite:///{tmp_path / 'bb.db'}")  # another process's engine
    try:
        here, there = Pacer(db, clock), Pacer(elsewhere, clock)
        assert here.next_slot(connection_id, None).wait == 0.0
        slot = there.next_slot(connection_id, None)
        there.rate_limited(connection_id, None, 30.0, slot)
        assert there.next_slot(connection_id, None).wait == pytest.approx(30.0), "its own process at once"
        clock.advance(OBSERVATION_SECONDS)  # the bound: this process reads the row again by then
        wait = here.next_slot(connection_id, None).wait  # after the pause (and paced, now lowered)
        assert wait >= 30.0 - OBSERVATION_SECONDS - 1e-6
    finally:
        elsewhere.dispose()


def test_a_429_pauses_every_sender_of_the_process_at_once(db, connection_id):
    clock = FakeClock()
    first, second = Pacer(db, clock), Pacer(db, clock)  # two senders of one worker
    assert second.next_slot(connection_id, None).wait == 0.0
    first.rate_limited(connection_id, None, 5.0, first.next_slot(connection_id, None))
    assert second.next_slot(connection_id, None).wait == pytest.approx(5.0)


def test_a_limited_connection_reserves_every_request(db, connection_id):
    clock = FakeClock()
    pacer = Pacer(db, clock)
    waits = [pacer.next_slot(connection_id, 10.0).wait for _ in range(3)]
    assert waits == pytest.approx([0.0, 0.1, 0.2])


class _ReadHeld:
    """The pacers' database, whose transactions in one thread (the reader) commit, then wait
    (``held``) until ``release`` is set (or fail instead, with ``fail``); counts the others'."""

    def __init__(self, db, *, fail: bool = False) -> None:
        self.db = db
        self.reader: threading.Thread | None = None
        self.held, self.release = threading.Event(), threading.Event()
        self.fail = fail
        self.others = 0

    @contextmanager
    def begin(self):
        if threading.current_thread() is not self.reader:
            self.others += 1
            with self.db.begin() as conn:
                yield conn
            return
        if self.fail:
            raise OperationalError("SELECT", {}, Exception("the database went away"))
        with self.db.begin() as conn:
            yield conn
        self.held.set()
        assert self.release.wait(10)


def _reading(pacer: Pacer, held: _ReadHeld, connection_id: int) -> threading.Thread:
    """A sender whose next slot reads the row again; returns once it is held (or failed)."""
    failures: list[Exception] = []

    def read() -> None:
        try:
            pacer.next_slot(connection_id, None)
        except OperationalError as exc:
            failures.append(exc)

    held.reader = threading.Thread(target=read)
    held.reader.start()
    if held.fail:
        held.reader.join(10)
        assert failures, "the reader's read failed"
    else:
        assert held.held.wait(10)
    return held.reader


def test_while_one_sender_reads_the_row_again_the_others_go_on_without_the_database(db, connection_id):
    clock = FakeClock()
    held = _ReadHeld(db)
    reader, other = Pacer(held, clock), Pacer(held, clock)  # two senders of one worker
    assert other.next_slot(connection_id, None).wait == 0.0
    clock.advance(OBSERVATION_SECONDS)  # the next slot reads the row again
    thread = _reading(reader, held, connection_id)
    before = held.others

    assert [other.next_slot(connection_id, None).wait for _ in range(5)] == [0.0] * 5
    assert held.others == before, "no sender queued on the row while one reads it"
    held.release.set()
    thread.join(10)
    clock.advance(OBSERVATION_SECONDS)
    other.next_slot(connection_id, None)  # the next reading counts the five that went on meanwhile
    with db.begin() as conn:
        observed = conn.execute(
            select(rate_limits.c.observed_rate).where(rate_limits.c.connection_id == connection_id)
        ).scalar_one()
    assert observed == pytest.approx((1 + 5) / OBSERVATION_SECONDS)  # the reader's request and the five


def test_a_429_while_a_sender_reads_the_row_is_not_undone_by_what_it_read(db, connection_id):
    clock = FakeClock()
    held = _ReadHeld(db)
    reader, other = Pacer(held, clock), Pacer(held, clock)
    slot = other.next_slot(connection_id, None)
    clock.advance(OBSERVATION_SECONDS)
    thread = _reading(reader, held, connection_id)  # it read the row free, and is held after

    other.rate_limited(connection_id, None, 30.0, slot)
    held.release.set()
    thread.join(10)
    assert other.next_slot(connection_id, None).wait >= 30.0 - OBSERVATION_SECONDS


def test_a_read_that_fails_leaves_the_next_read_to_the_next_sender(db, connection_id):
    clock = FakeClock()
    held = _ReadHeld(db, fail=True)
    reader, other = Pacer(held, clock), Pacer(held, clock)
    assert other.next_slot(connection_id, None).wait == 0.0
    clock.advance(OBSERVATION_SECONDS)
    _reading(reader, held, connection_id)
    before = held.others

    assert other.next_slot(connection_id, None).wait == 0.0
    assert held.others == before + 1, "the next sender read the row itself"
