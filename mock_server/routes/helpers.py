"""What every handler uses: the app's context, the base URL, and the `data`/`metadata` envelopes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request

from .. import query
from ..backend import CredlyBackend
from ..context import MockContext, get_context


def context() -> MockContext:
    return get_context()


def backend() -> CredlyBackend:
    return get_context().backend


def base_url() -> str:
    """The scheme and host the request came to (`X-Forwarded-Proto`/`-Host` honoured)."""
    return request.host_url.rstrip("/")


def one(item: Any, status: int = 200, **render: Any) -> tuple[Response, int]:
    """`{"data": item, "metadata": {}}`."""
    return jsonify({"data": item.to_dict(base_url(), **render), "metadata": {}}), status


def page(
    items: list[Any],
    render: Callable[[Any, str], dict[str, Any]] | None = None,
    max_per: int = query.MAX_PER,
) -> Response:
    """One page of `items`, with the pagination block; `render(item, base_url)` defaults to to_dict."""
    base = base_url()
    chunk = query.paginate(items, request.args, base + request.path, max_per=max_per)
    shown = [render(item, base) if render else item.to_dict(base) for item in chunk.items]
    return jsonify({"data": shown, "metadata": chunk.metadata})


def list_query() -> dict[str, Any]:
    return {
        "clauses": query.parse_filter(request.args.get("filter")),
        "sort": query.parse_sort(request.args.get("sort")),
    }
