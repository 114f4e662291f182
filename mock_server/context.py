"""What one mock app holds: its backend and its fault settings, stored in `app.extensions`."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from .backend import CredlyBackend
from .faults import Faults

EXTENSION = "badgebridge_mock"


@dataclass(frozen=True)
class MockContext:
    backend: CredlyBackend
    faults: Faults


def get_context(app: Flask | None = None) -> MockContext:
    """The context of `app`, or of the app handling the current request."""
    return (app or current_app).extensions[EXTENSION]
