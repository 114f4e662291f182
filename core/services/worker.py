"""The worker: claims due awards and sends them on a thread pool, until stopped (or one pass)."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable

from badgebridge.core.services.sender import AwardSender, Claim, Outcome

log = logging.getLogger(__name__)

CLAIM_AHEAD = 6
"""Claims held per sender thread: one being sent, the rest claimed ahead so no thread waits for a claim."""
HELD_AT_LEAST = 64
"""Claims held however few the threads, so even one thread claims a batch at a time."""


def run(
    sender: AwardSender,
    *,
    concurrency: int = 4,
    once: bool = False,
    poll_seconds: float = 1.0,
    stop: threading.Event | None = None,
    report: Callable[[Outcome], None] = lambda outcome: None,
) -> Counter:
    """Send due awards with ``concurrency`` threads; returns how many ended in each state.

    Each thread makes the provider requests of one award after another; recording an outcome runs
    beside the next award's requests, in one writer thread that commits all the outcomes handed to
    it since its last commit together.
    Awards are claimed in batches: up to ``CLAIM_AHEAD`` per thread (``HELD_AT_LEAST`` in all) are
    held, the next batch claimed as soon as half of them are sent, so threads never wait for a claim
    (the heartbeat renews the claims waiting their turn).

    With ``once``, make one pass: send the awards due when the pass starts (and any whose lease
    ran out), then return; awards rescheduled during the pass wait for the next one. Otherwise poll
    until ``stop`` is set; in-flight sends finish first, and claims not started yet are released.
    """
    stop = stop or threading.Event()
    sender.host.providers  # noqa: B018 -- load plugin declarations once, before threads start
    due_by = sender.clock.now() if once else None
    counts: Counter = Counter()
    ready: queue.Queue[Claim | None] = queue.Queue()  # claimed, waiting for a sender thread
    done: queue.Queue[Outcome | Exception] = queue.Queue()
    threads = [
        threading.Thread(target=_send_each, args=(sender, ready, done, stop), name=f"badgebridge-send-{n}")
        for n in range(concurrency)
    ]
    held = max(concurrency * CLAIM_AHEAD, HELD_AT_LEAST)
    outstanding = 0  # claims handed to the sender threads, not yet done
    claim_after = 0.0  # after a claim found fewer due than asked: when to look again
    with sender.heartbeat(), sender.writing_in_background():
        for thread in threads:
            thread.start()
        try:
            while True:
                if stop.is_set():
                    outstanding -= _release_waiting(sender, ready)
                elif outstanding <= held // 2 and time.monotonic() >= claim_after:
                    wanted = held - outstanding
                    claims = sender.claim(wanted, due_by=due_by or sender.clock.now())
                    sender.hold(claims)
                    for claim in claims:
                        ready.put(claim)
                    outstanding += len(claims)
                    if len(claims) < wanted:  # all that is due is claimed: a pass is done claiming
                        claim_after = float("inf") if once else time.monotonic() + poll_seconds
                if not outstanding:
                    if once or stop.is_set():
                        break
                    stop.wait(poll_seconds)
                    claim_after = 0.0
                    continue
                try:
                    result = done.get(timeout=poll_seconds)
                except queue.Empty:
                    continue
                outstanding -= 1
                if isinstance(result, Exception):  # a plugin bug: recorded on the award by the sender
                    log.error("sending an award failed", exc_info=result)
                    counts["error"] += 1
                    continue
                counts[result.state] += 1
                report(result)
        finally:
            for _ in threads:
                ready.put(None)
            for thread in threads:
                thread.join()
    return counts


def _send_each(sender: AwardSender, ready: queue.Queue, done: queue.Queue, stop: threading.Event) -> None:
    """A sender thread: deliver the claims handed over until told to end (``None``) or stopped;
    their outcomes are recorded by the writer thread meanwhile (and then put in ``done``), so the
    next request need not wait for the last one's commit."""
    while not stop.is_set() and (claim := ready.get()) is not None:
        sender.finish_later(claim, sender.deliver(claim), done.put)


def _release_waiting(sender: AwardSender, ready: queue.Queue) -> int:
    """Give back the claims no sender thread has taken yet; returns how many."""
    waiting = []
    while True:
        try:
            waiting.append(ready.get_nowait())
        except queue.Empty:
            break
    sender.release([claim for claim in waiting if claim is not None])
    return len(waiting)
