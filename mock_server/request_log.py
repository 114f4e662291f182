"""The log of API requests the mock received (`GET /_mock/requests`), with every secret masked."""

from __future__ import annotations

import json
import threading
from collections import deque
from typing import Any

from flask import Request

from .parsing import FORM_TYPES, token_from_header

# The oldest entries are dropped past this many (a long benchmark must not grow the mock unbounded).
CAPACITY = 10_000
SECRET_FIELDS = frozenset({"client_secret", "token", "password"})


def mask(value: str) -> str:
    """All but the last four characters as `*` (short values entirely)."""
    return "*" * len(value) if len(value) <= 8 else "*" * (len(value) - 4) + value[-4:]


def _masked_authorization(value: str) -> str:
    scheme = value.strip().partition(" ")[0]
    token = token_from_header(value)
    return f"{scheme} {mask(token)}" if token else f"{scheme} ****"


def _body(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if not raw:
        return None
    if request.mimetype in FORM_TYPES:
        return {key: mask(v) if key in SECRET_FIELDS else v for key, v in request.form.to_dict().items()}
    try:
        body = json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")
    if isinstance(body, dict):
        return {key: mask(v) if key in SECRET_FIELDS and isinstance(v, str) else v for key, v in body.items()}
    return body


class RequestLog:
    """What arrived, in order: method, path, query, body and headers (plus operation and status)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=CAPACITY)

    def record(self, request: Request, operation: str, status: int) -> None:
        headers = {name: value for name, value in request.headers.items()}
        if "Authorization" in headers:
            headers["Authorization"] = _masked_authorization(headers["Authorization"])
        entry = {
            "method": request.method,
            "path": request.path,
            "query": request.args.to_dict(),
            "body": _body(request),
            "headers": headers,
            "operation": operation,
            "status": status,
        }
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
