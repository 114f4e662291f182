"""Helpers shared by the models: ids, slugs, and rendering for a base URL not yet known."""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from typing import Any

# Stands for the request's scheme and host in a rendering kept for later (an event's details): the
# details are frozen when the event happens, the host is known only when someone reads them.
BASE = "\x00base\x00"


def new_id() -> str:
    return str(uuid.uuid4())


@lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


def rebase(value: Any, base_url: str) -> Any:
    """A copy of `value` (a rendering made with `BASE`) whose URLs start with `base_url`."""
    if isinstance(value, str):
        return base_url + value[len(BASE) :] if value.startswith(BASE) else value
    if isinstance(value, dict):
        return {key: rebase(item, base_url) for key, item in value.items()}
    if isinstance(value, list):
        return [rebase(item, base_url) for item in value]
    return value
