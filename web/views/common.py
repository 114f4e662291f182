"""What the views share: turning expected failures into a message, reading ids from forms."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import flash, request

from badgebridge.core.errors import BadgeBridgeError, InvalidInput
from badgebridge.core.model import ObjectKind


@contextmanager
def reported() -> Iterator[None]:
    """Run a change; an expected failure becomes an error message on the next page."""
    try:
        yield
    except BadgeBridgeError as exc:
        flash(str(exc), "error")


def object_ref(value: str) -> tuple[ObjectKind, str]:
    """``course:C1`` -> (ObjectKind.COURSE, "C1")."""
    kind, _, object_id = value.partition(":")
    return kind_of(kind), object_id


def kind_of(value: str) -> ObjectKind:
    try:
        return ObjectKind(value)
    except ValueError:
        raise InvalidInput("choose a course, learning path or certification") from None


def required(name: str, label: str) -> str:
    value = request.form.get(name, "").strip()
    if not value:
        raise InvalidInput(f"{label} is required")
    return value


def number(name: str, label: str, default: float | None = None) -> float | None:
    value = request.form.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"{label} must be a number, not {value!r}") from None
