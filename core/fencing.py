"""The fence around one provider request, checked again by the plugin right before it sends.

The sender renews its claim (a write that fails if the claim was taken over) and then calls the
plugin. A process frozen between the two (SIGSTOP, a long GC pause, a suspended laptop) may resume
after another sender took the award over; the renewal it made is stale by then. So the sender
runs the hook inside ``fenced_until(deadline)``, and a plugin calls ``check()`` as the last step
before it writes a request (the Credly client does so in an httpx ``request`` event hook): past
the deadline it raises ``FenceExpired``, nothing is sent, and the sender fences again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_expired: ContextVar[Callable[[], bool] | None] = ContextVar("badgebridge_fence", default=None)


class FenceExpired(Exception):
    """Too long passed since the sender's fence: it must fence again before this request is sent.

    Not a ``BadgeBridgeError``, so a plugin's error handling lets it through to the sender.
    """


@contextmanager
def fenced_until(deadline: float, now: Callable[[], float]) -> Iterator[None]:
    """Requests made in this block (this thread) may start until ``deadline`` (``now()``'s scale)."""
    token = _expired.set(lambda: now() > deadline)
    try:
        yield
    finally:
        _expired.reset(token)


def check() -> None:
    """Raise ``FenceExpired`` if the current fence ran out; outside a fence, do nothing."""
    expired = _expired.get()
    if expired is not None and expired():
        raise FenceExpired("the sender stalled after renewing its claim; it renews it again before sending")
