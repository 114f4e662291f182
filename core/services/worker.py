"""The worker: claims due awards and sends them on a thread pool, until stopped (or one pass)."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from badgebridge.core.services.sender import AwardSender, Outcome

log = logging.getLogger(__name__)


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

    With ``once``, make one pass: send the awards due when the pass starts (and any whose lease
    ran out), then return; awards rescheduled during the pass wait for the next one. Otherwise poll
    until ``stop`` is set; in-flight sends finish first, and nothing is claimed that is not started.
    """
    stop = stop or threading.Event()
    sender.host.providers  # noqa: B018 -- load plugin declarations once, before threads start
    due_by = sender.clock.now() if once else None
    counts: Counter = Counter()
    in_flight: set[Future] = set()
    with (
        sender.heartbeat(),
        ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="badgebridge-send") as pool,
    ):
        while True:
            if not stop.is_set():
                for claim in sender.claim(concurrency - len(in_flight), due_by=due_by or sender.clock.now()):
                    in_flight.add(pool.submit(sender.send, claim))
            if not in_flight:
                if once or stop.is_set():
                    break
                stop.wait(poll_seconds)
                continue
            done, in_flight = wait(in_flight, timeout=poll_seconds, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    outcome = future.result()
                except Exception:  # a plugin bug: recorded on the award by the sender
                    log.exception("sending an award failed")
                    counts["error"] += 1
                    continue
                counts[outcome.state] += 1
                report(outcome)
    return counts
