"""Short, stable ids for objects that arrive without one."""

from __future__ import annotations

import hashlib
import re


def stable_id(prefix: str, *parts: str, length: int = 8) -> str:
    """``<prefix>-<hex>``: the same parts always give the same id (e.g. ``credly-3f9a1c2b``)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{slug(prefix)}-{digest[:length]}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"
