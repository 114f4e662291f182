"""Splitting long id lists so that no ``IN (...)`` binds more parameters than a database allows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

IN_CHUNK = 1000
"""Values per ``IN (...)``: far below SQLite's (32,766) and PostgreSQL's (65,535) parameter limits,
and small enough for composite keys of several columns."""


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def by_kind(objects: Iterable[tuple[str, str]]) -> Iterator[tuple[str, Sequence[str]]]:
    """Learning objects ``(kind, id)`` as their ids by kind, in chunks, all in ``(kind, id)`` order:
    ``kind = ? AND id IN (...)`` binds one value per object, where ``(kind, id) IN (...)`` binds two."""
    kinds: dict[str, list[str]] = {}
    for kind, object_id in sorted(set(objects)):
        kinds.setdefault(kind, []).append(object_id)
    for kind, ids in kinds.items():
        for chunk in chunks(ids):
            yield kind, chunk
