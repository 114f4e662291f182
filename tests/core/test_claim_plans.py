"""The claim's two queries read their indexes in order on both databases, so claiming from a backlog
of a million costs what it costs from a thousand (the figures: ``bench/issue.py``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from badgebridge.core.clock import utcnow
from badgebridge.core.services import awards, catalog, connections, learners
from badgebridge.core.services.sender import lease_lapsed, queued_due
from badgebridge.core.storage.schema import awards as awards_table

BACKLOG = 20_000


def _backlog(db, host, count: int) -> None:
    """``count`` queued awards (copies of one, by one INSERT ... SELECT), a tenth of them sending."""
    connections.add(db, host, "c1", "fake", {"account": "acme", "api_key": "secret-key-1234"})
    catalog.import_badges(db, host, "c1")
    learners.add(db, "ada@example.org", "Ada", "Lovelace")
    model = awards.grant(db, catalog.list_badges(db)[0].id, "ada@example.org")[0].id
    kept = [c.name for c in awards_table.columns if c.name not in ("id", "reason_id")]
    numbers = "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i < :n)"
    copies = (
        f"SELECT {', '.join(f'a.{c}' for c in kept)}, 'copy-' || n.i FROM n, awards a WHERE a.id = :model"
    )
    with db.begin() as conn:
        conn.execute(
            text(f"INSERT INTO awards ({', '.join(kept)}, reason_id) {numbers} {copies}"),
            {"n": count - 1, "model": model},
        )
        conn.execute(
            text(
                "UPDATE awards SET state = 'sending', lease_expires_at = :until, claim_token = 't' "
                "WHERE id % 10 = 0"
            ),
            {"until": utcnow() + timedelta(minutes=3)},
        )


def _queries():
    now = utcnow()
    return {"queued_due": queued_due(now, 16), "lease_lapsed": lease_lapsed(now, 16)}


def _plan(conn, query, explain: str) -> str:
    sql = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    return "\n".join(" ".join(str(part) for part in row) for row in conn.exec_driver_sql(f"{explain} {sql}"))


def test_on_sqlite_each_query_walks_its_index_in_order_without_sorting(db, host):
    _backlog(db, host, 2_000)
    indexes = {"queued_due": "awards_due", "lease_lapsed": "awards_leased"}
    with db.begin() as conn:
        for name, query in _queries().items():
            plan = _plan(conn, query, "EXPLAIN QUERY PLAN")
            assert (
                f"USING INDEX {indexes[name]}" in plan or f"USING COVERING INDEX {indexes[name]}" in plan
            ), f"{name}: {plan}"
            assert "TEMP B-TREE" not in plan, f"{name} sorts: {plan}"


@pytest.mark.postgres
def test_on_postgresql_each_query_is_an_index_scan_without_a_sort_or_a_seq_scan(pg, host):
    _backlog(pg, host, BACKLOG)
    indexes = {"queued_due": "awards_due", "lease_lapsed": "awards_leased"}
    with pg.begin() as conn:
        conn.execute(text("ANALYZE awards"))
        for name, query in _queries().items():
            plan = _plan(conn, query, "EXPLAIN")
            assert f"Index Scan using {indexes[name]} on awards" in plan or (
                f"Index Only Scan using {indexes[name]} on awards" in plan
            ), f"{name}: {plan}"
            assert "Sort" not in plan and "Seq Scan on awards" not in plan, f"{name}: {plan}"
