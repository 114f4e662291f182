"""The worker: claims due awards and sends them on a thread pool, until stopped (or one pass)."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from badgebridge.core.services.sender import AwardSender, Claim, Outcome

log = logging.getLogger(__name__)

CLAIM_AHEAD = 4
"""Claims held per sender thread: one being sent, the rest claimed ahead so no thread waits for a claim."""


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

    Awards are claimed in batches, ``CLAIM_AHEAD`` per thread, the next batch as soon as half the
    held claims are sent, so threads never wait for a claim (the heartbeat renews the claims
    waiting their turn).

    With ``once``, make one pass: send the awards due when the pass starts (and any whose lease
    ran out), then return; awards rescheduled during the pass wait for the next one. Otherwise poll
    until ``stop`` is set; in-flight sends finish first, and claims not started yet are released.
    """
    stop = stop or threading.Event()
    sender.host.providers  # noqa: B018 -- load plugin declarations once, before threads start
    due_by = sender.clock.now() if once else None
    counts: Counter = Counter()
    in_flight: dict[Future, Claim] = {}
    held = concurrency * CLAIM_AHEAD
    claim_after = 0.0  # after a claim found fewer due than asked: when to look again
    with (
        sender.heartbeat(),
        ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="badgebridge-send") as pool,
    ):
        while True:
            if stop.is_set():
                _release_unstarted(sender, in_flight)
            elif len(in_flight) <= held // 2 and time.monotonic() >= claim_after:
                wanted = held - len(in_flight)
                claims = sender.claim(wanted, due_by=due_by or sender.clock.now())
                sender.hold(claims)
                in_flight |= {pool.submit(sender.send, claim): claim for claim in claims}
                if len(claims) < wanted:  # all that is due is claimed: a pass is done claiming
                    claim_after = float("inf") if once else time.monotonic() + poll_seconds
            if not in_flight:
                if once or stop.is_set():
                    break
                stop.wait(poll_seconds)
                claim_after = 0.0
                continue
            done, _ = wait(in_flight, timeout=poll_seconds, return_when=FIRST_COMPLETED)
            for future in done:
                del in_flight[future]
                try:
                    outcome = future.result()
                except Exception:  # a plugin bug: recorded on the award by the sender
                    log.exception("sending an award failed")
                    counts["error"] += 1
                    continue
                counts[outcome.state] += 1
                report(outcome)
    return counts


def _release_unstarted(sender: AwardSender, in_flight: dict[Future, Claim]) -> None:
    """Give back the claims whose send has not started (the others finish)."""
    unstarted = [future for future in in_flight if future.cancel()]
    sender.release([in_flight.pop(future) for future in unstarted])
