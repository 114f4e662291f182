"""What one mock app holds, stored in `app.extensions`: its backend and the control API's knobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from .backend import CredlyBackend
from .clock import Clock
from .faults import Faults
from .request_log import RequestLog
from .script import Script
from .webhooks import WebhookDispatcher

EXTENSION = "badgebridge_mock"


@dataclass
class MockContext:
    backend: CredlyBackend
    faults: Faults
    script: Script
    requests: RequestLog
    webhooks: WebhookDispatcher
    clock: Clock
    defaults: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.settings = dict(self.defaults)
        self.backend.on_event(self.webhooks.enqueue)

    def reset(self) -> None:
        """Everything back to how the app started: the seed, no faults, no log, no script."""
        self.backend.reset()
        self.faults.reset()
        self.script.clear()
        self.requests.clear()
        self.webhooks.reset()
        self.settings = dict(self.defaults)


def get_context(app: Flask | None = None) -> MockContext:
    """The context of `app`, or of the app handling the current request."""
    return (app or current_app).extensions[EXTENSION]
