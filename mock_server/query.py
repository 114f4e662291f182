"""Credly's list-query syntax: `filter=key::value|key::value`, `sort=key|-key`, `page` and `per`
(or `page_size`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")

DEFAULT_PER = 50
MAX_PER = 100
# Query parameters a page URL carries over from the request (clients follow page URLs verbatim).
KEPT_PARAMETERS = ("filter", "sort", "per", "page_size", "badge_format")


@dataclass(frozen=True)
class Clause:
    """One `key::value` clause. `values` are the comma-separated alternatives; `exact` when quoted."""

    key: str
    values: tuple[str, ...]
    exact: bool = False


def parse_filter(text: str | None) -> list[Clause]:
    """`state::active,draft|name::"Data Steward"` -> clauses. Clauses without `::` are ignored."""
    clauses = []
    for part in (text or "").split("|"):
        key, separator, value = part.partition("::")
        if not separator or not key.strip():
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            clauses.append(Clause(key.strip(), (value[1:-1],), exact=True))
        else:
            values = tuple(v.strip() for v in value.split(",") if v.strip())
            clauses.append(Clause(key.strip(), values))
    return clauses


def parse_sort(text: str | None) -> list[tuple[str, bool]]:
    """`name|-created_at` -> [("name", False), ("created_at", True)]; the flag means descending."""
    keys = []
    for part in (text or "").split("|"):
        part = part.strip()
        if part.lstrip("-+"):
            keys.append((part.lstrip("-+"), part.startswith("-")))
    return keys


def apply_filter(
    items: Sequence[T],
    clauses: Sequence[Clause],
    predicates: Mapping[str, Callable[[T, Clause], bool]],
) -> list[T]:
    """Keep the items every known clause accepts; clauses with unknown keys are ignored."""
    known = [(predicates[c.key], c) for c in clauses if c.key in predicates and c.values]
    return [item for item in items if all(test(item, clause) for test, clause in known)]


def apply_sort(
    items: Sequence[T],
    keys: Sequence[tuple[str, bool]],
    extractors: Mapping[str, Callable[[T], Any]],
) -> list[T]:
    """Stable multi-key sort; unknown keys are ignored, so the default order is creation order."""
    result = list(items)
    for name, descending in reversed([key for key in keys if key[0] in extractors]):
        result.sort(key=extractors[name], reverse=descending)
    return result


def read_int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


@dataclass(frozen=True)
class Page:
    """One page of a list answer: its items and the pagination `metadata` block."""

    items: list[Any]
    metadata: dict[str, Any]


def paginate(items: Sequence[T], args: Mapping[str, str], page_url: str, max_per: int = MAX_PER) -> Page:
    """Cut one page out of `items`; `page_url` is the absolute URL of the list without its query.

    `per` (or its alias `page_size`) defaults to 50 and is held between 1 and `max_per`; `page` below 1
    reads as 1. A page past the end is empty (clients that walk pages until an empty one rely on
    that). A `per` below 1 or not a number reads as 50.
    """
    requested = read_int(args.get("per", args.get("page_size")), DEFAULT_PER)
    per = DEFAULT_PER if requested < 1 else min(requested, max_per)
    page = max(read_int(args.get("page"), 1), 1)
    total = len(items)
    total_pages = max(math.ceil(total / per), 1)
    chunk = list(items[(page - 1) * per : page * per])
    kept = {name: args[name] for name in KEPT_PARAMETERS if args.get(name) is not None}

    def link(number: int) -> str:
        return f"{page_url}?{urlencode({**kept, 'page': number})}"

    return Page(
        items=chunk,
        metadata={
            "count": len(chunk),
            "current_page": page,
            "total_count": total,
            "total_pages": total_pages,
            "per": per,
            "previous_page_url": link(page - 1) if page > 1 else None,
            "next_page_url": link(page + 1) if page < total_pages else None,
        },
    )
