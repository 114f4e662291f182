"""Webhook delivery: every event is POSTed to its organization's `webhook_url`, retried while not 2xx.

Credly retries at growing intervals for up to 25 days; the mock retries `max_attempts` times in all,
waiting `retry_base_seconds * retry_factor ** (attempt - 1)` after each failed attempt, so a test
bounds the whole loop (`PUT /_mock/webhooks`). Deliveries go to loopback addresses only (127.0.0.0/8,
::1, localhost): the mock never posts anywhere else. One daemon thread delivers, outside every lock
the API holds, so a slow receiver never slows the API.
"""

from __future__ import annotations

import heapq
import ipaddress
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from .models import Event
from .timestamps import format_timestamp

DEFAULT_SETTINGS: dict[str, Any] = {
    "retry_base_seconds": 1.0,
    "retry_factor": 2.0,
    "max_attempts": 5,
    "timeout_seconds": 5.0,
}


def is_loopback_url(url: str) -> bool:
    """Whether `url` is http(s) on a loopback address or `localhost`."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Delivery:
    """One event's delivery to one URL, and every attempt made so far."""

    id: int
    event: Event
    url: str
    state: str = "pending"  # pending, delivered, failed (attempts exhausted) or refused (not loopback)
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event_id": self.event.id,
            "event_type": self.event.event_type,
            "organization_id": self.event.organization.id,
            "url": self.url,
            "state": self.state,
            "attempts": list(self.attempts),
        }


class WebhookDispatcher:
    """Queues deliveries and makes them from a background thread started on first use."""

    def __init__(self, clock: Any) -> None:
        self._clock = clock
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._http: httpx.Client | None = None
        self._generation = 0  # bumped by reset: an attempt in flight across a reset is forgotten
        self.reset()

    def reset(self) -> None:
        """Drop every delivery, queued or done, and restore the default settings."""
        with self._condition:
            self._settings = dict(DEFAULT_SETTINGS)
            self._deliveries: list[Delivery] = []
            self._queue: list[tuple[float, int, Delivery]] = []
            self._ids = itertools.count(1)
            self._in_flight = 0
            self._generation += 1
            self._condition.notify_all()

    def settings(self) -> dict[str, Any]:
        with self._condition:
            return dict(self._settings)

    def update(self, changes: dict[str, Any]) -> dict[str, Any]:
        with self._condition:
            self._settings.update(changes)
            return dict(self._settings)

    def deliveries(self) -> list[dict[str, Any]]:
        with self._condition:
            return [delivery.to_dict() for delivery in self._deliveries]

    def pending(self) -> int:
        """Deliveries queued or being attempted."""
        with self._condition:
            return len(self._queue) + self._in_flight

    def enqueue(self, event: Event) -> None:
        """Queue `event` for its organization's webhook_url (nothing when it has none)."""
        url = event.organization.webhook_url
        if not url:
            return
        with self._condition:
            delivery = Delivery(id=next(self._ids), event=event, url=url)
            self._deliveries.append(delivery)
            if not is_loopback_url(url):
                delivery.state = "refused"
                return
            heapq.heappush(self._queue, (time.monotonic(), delivery.id, delivery))
            self._ensure_thread()
            self._condition.notify_all()

    def close(self) -> None:
        """Stop the thread (deliveries still queued are dropped)."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._http is not None:
            self._http.close()

    def _ensure_thread(self) -> None:
        if self._thread is None and not self._closed:
            self._thread = threading.Thread(target=self._run, name="credly-mock-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        self._http = httpx.Client()
        while True:
            with self._condition:
                while not self._closed and (not self._queue or self._queue[0][0] > time.monotonic()):
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._condition.wait(wait)
                if self._closed:
                    return
                _, _, delivery = heapq.heappop(self._queue)
                self._in_flight += 1
                generation = self._generation
                settings = dict(self._settings)
            status, error = self._post(delivery, settings["timeout_seconds"])
            with self._condition:
                self._in_flight -= 1
                if generation == self._generation:
                    self._note(delivery, settings, status, error)
                self._condition.notify_all()

    def _post(self, delivery: Delivery, timeout: float) -> tuple[int | None, str | None]:
        assert self._http is not None
        try:
            response = self._http.post(
                delivery.url,
                json=delivery.event.webhook_body(),
                headers={"User-Agent": "badgebridge-credly-mock-webhooks"},
                timeout=timeout,
            )
        except httpx.HTTPError as error:
            return None, f"{type(error).__name__}: {error}"
        return response.status_code, None

    def _note(
        self, delivery: Delivery, settings: dict[str, Any], status: int | None, error: str | None
    ) -> None:
        attempt: dict[str, Any] = {
            "at": format_timestamp(self._clock.now()),
            "status": status,
            "error": error,
            "next_attempt_in": None,
        }
        delivery.attempts.append(attempt)
        if status is not None and 200 <= status < 300:
            delivery.state = "delivered"
            return
        made = len(delivery.attempts)
        if made >= settings["max_attempts"]:
            delivery.state = "failed"
            return
        delay = settings["retry_base_seconds"] * settings["retry_factor"] ** (made - 1)
        attempt["next_attempt_in"] = delay
        heapq.heappush(self._queue, (time.monotonic() + delay, delivery.id, delivery))
