"""Inserting many rows at once: the statement compiled once, the values converted column by column.

SQLAlchemy's executemany prepares each row's parameters one at a time (a parameter dict per row,
each value looked up and converted on its own); for the tens of thousands of completions and
awards of a migration that costs as much as the database's insert itself. ``insert_many`` compiles
the insert once per table, columns and kind of database, converts each column's values with the
column type's own bind processor (the conversion SQLAlchemy would apply, so the rows read back the
same), and hands the driver the converted rows in one executemany.

It skips what SQLAlchemy adds to an insert of its own: Python-side column defaults are not filled
in, so every column with such a default must be given (``insert_many`` refuses columns that leave
one out).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table

from badgebridge.core.storage.upsert import insert_ignoring_conflicts


def insert_many(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert ``rows`` (tuples of values for ``columns``) into ``table`` in the caller's
    transaction; with ``ignore_conflicts``, a row that a unique constraint already holds is
    skipped."""
    if not rows:
        return
    sql, order, positional = _statement(conn, table, tuple(columns), ignore_conflicts)
    given = list(zip(*rows, strict=True))
    if len(given) != len(columns):
        raise ValueError(
            f"insert_many into {table.name}: rows of {len(given)} values for {len(columns)} columns"
        )
    values = []
    for index in order:
        convert = table.c[columns[index]].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        values.append(given[index] if convert is None else list(map(convert, given[index])))
    if positional:
        conn.exec_driver_sql(sql, list(zip(*values, strict=True)))
    else:
        names = [columns[index] for index in order]
        conn.exec_driver_sql(sql, [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)])


_STATEMENTS: dict[tuple, tuple[str, tuple[int, ...], bool]] = {}
"""Compiled inserts by dialect class, paramstyle, table, columns and ``ignore_conflicts``: the SQL
text depends on nothing else, so every engine of a kind shares them."""


def _statement(
    conn: Connection, table: Table, columns: tuple[str, ...], ignore_conflicts: bool
) -> tuple[str, tuple[int, ...], bool]:
    """The insert's SQL, the positions in ``columns`` of its parameters in order, and whether
    those are positional (else named by column)."""
    dialect = conn.dialect
    key = (type(dialect), dialect.paramstyle, table, columns, ignore_conflicts)
    if key not in _STATEMENTS:
        missing = [
            column.key
            for column in table.columns
            if column.default is not None and column.key not in columns and not column.primary_key
        ]
        if missing:
            raise ValueError(f"insert_many into {table.name} needs the columns with defaults: {missing}")
        statement = insert_ignoring_conflicts(conn, table) if ignore_conflicts else table.insert()
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        names = tuple(compiled.positiontup) if compiled.positional else columns
        if sorted(names) != sorted(columns):
            raise ValueError(
                f"insert_many into {table.name}: parameters {names} are not the columns {columns}"
            )
        _STATEMENTS[key] = compiled.string, tuple(map(columns.index, names)), compiled.positional
    return _STATEMENTS[key]
