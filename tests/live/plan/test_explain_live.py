"""explain_query on the real test PostgreSQL: the safety gates, parameters, catalog cross-checks
and HypoPG proofs."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.live.postgres.explain import ExplainRefused, explain_query, param_columns, param_count, _statement

pytestmark = [pytest.mark.anyio, pytest.mark.live]

SETUP = """
CREATE TABLE customers (id int PRIMARY KEY, name text, city text);
INSERT INTO customers SELECT i, 'name' || i, 'city' || (i % 50) FROM generate_series(1, 5000) i;
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers ON DELETE CASCADE,
                     amount numeric, status text);
INSERT INTO orders SELECT i, 1 + i % 5000, i % 500, CASE WHEN i % 20 = 0 THEN 'new' ELSE 'done' END
  FROM generate_series(1, 100000) i;
ANALYZE customers, orders;
CREATE TABLE loaded (id int, v int) WITH (autovacuum_enabled = false);
INSERT INTO loaded SELECT i, i % 10 FROM generate_series(1, 20000) i;
CREATE FUNCTION bump() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 1';
"""


@pytest.fixture(scope="module")
def dsn(pg):
    return pg.create_db(SETUP)


async def _conn(dsn):
    return await psycopg.AsyncConnection.connect(dsn, autocommit=True)


async def _hypo_count(conn) -> int:
    cur = await conn.execute("SELECT count(*) FROM hypopg_list_indexes")
    return (await cur.fetchone())[0]


@pytest.mark.requires_hypopg
async def test_seq_scan_insight_is_proved_with_hypopg_and_cleaned_up(dsn):
    async with await _conn(dsn) as conn:
        report = await explain_query(conn, "SELECT * FROM orders WHERE customer_id = 42", analyze=True)
        f = next(f for f in report.insights if f.code == "PL008")
        assert f.index is not None and f.index.sql == "CREATE INDEX CONCURRENTLY ON public.orders (customer_id);"
        hypo = next(e for e in f.evidence if e.kind == "hypopg")
        assert hypo.data["used"] is True
        assert hypo.data["cost_after"] < hypo.data["cost_before"] / 10
        assert report.hypothetical and report.hypothetical[0].used
        assert report.summary.analyzed and report.summary.execution_ms > 0
        assert await _hypo_count(conn) == 0
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


@pytest.mark.requires_hypopg
async def test_user_hypothetical_index_without_analyze(dsn):
    async with await _conn(dsn) as conn:
        report = await explain_query(
            conn, "SELECT * FROM orders WHERE status = 'new' AND amount = 3",
            hypothetical_indexes=["CREATE INDEX ON orders (amount, status)"], prove_indexes=False,
        )
        assert not report.summary.analyzed
        [h] = report.hypothetical
        assert h.used and h.cost_after < h.cost_before and h.improvement > 0.5
        assert "hypopg" not in {e.kind for f in report.insights for e in f.evidence}
        assert await _hypo_count(conn) == 0


async def test_existing_index_is_reported_from_the_catalog(dsn):
    async with await _conn(dsn) as conn:
        await conn.execute("CREATE TABLE t_idx AS SELECT i AS id, (i % 1000)::text AS code FROM generate_series(1, 50000) i")
        await conn.execute("CREATE INDEX t_idx_code ON t_idx (code); ANALYZE t_idx")
        # the cast on the column makes the index unusable: the seq scan stays and the catalog says why
        report = await explain_query(conn, "SELECT * FROM t_idx WHERE code::int = 7", analyze=True, prove_indexes=False)
        f = next(f for f in report.insights if f.code == "PL008")
        assert f.index is not None and f.index.existing == "t_idx_code"
        assert any(e.kind == "catalog" and e.data["index"] == "t_idx_code" for e in f.evidence)
        assert "exists but was not used" in f.message and f.fix.startswith("t_idx_code already indexes")


async def test_stale_statistics_from_pg_stat_user_tables(dsn):
    async with await _conn(dsn) as conn:
        report = await explain_query(conn, "SELECT * FROM loaded WHERE v = 3")
        f = next(f for f in report.insights if f.code == "PL002")
        ev = next(e for e in f.evidence if e.kind == "catalog")
        assert ev.data["last_analyze"] is None and ev.data["n_mod_since_analyze"] >= 20000
        assert "ANALYZE public.loaded" in f.fix
        fresh = await explain_query(conn, "SELECT * FROM customers WHERE id = 1")
        assert "PL002" not in {f.code for f in fresh.insights}


@pytest.mark.requires_hypopg
async def test_analyze_of_a_delete_needs_allow_writes_and_is_rolled_back(dsn):
    async with await _conn(dsn) as conn:
        with pytest.raises(ExplainRefused, match="modifies data"):
            await explain_query(conn, "DELETE FROM customers WHERE id <= 20", analyze=True)
        plain = await explain_query(conn, "DELETE FROM customers WHERE id <= 20")
        assert plain.tree.startswith("[0] Delete on public.customers")
        report = await explain_query(conn, "DELETE FROM customers WHERE id <= 20", analyze=True, allow_writes=True)
        cur = await conn.execute("SELECT count(*) FROM customers WHERE id <= 20")
        assert (await cur.fetchone())[0] == 20
        assert any("ROLLBACK" in n for n in report.notes)
        f = next(f for f in report.insights if f.code == "PL020")
        assert f.index is not None and f.index.sql == "CREATE INDEX CONCURRENTLY ON public.orders (customer_id);"
        assert any(e.kind == "catalog" and e.data["index"] is None for e in f.evidence)
        hypo = next(e for e in f.evidence if e.kind == "hypopg")
        assert hypo.data["used"] and hypo.data["cost_after"] < hypo.data["cost_before"]
        assert f.object == "public.orders"


async def test_the_read_only_gate_refuses_to_analyze_side_effects(dsn):
    async with await _conn(dsn) as conn:
        for sql, match in [
            ("SELECT nextval('x')", "side effects"),
            ("SELECT bump()", "VOLATILE"),
            ("WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d", "modifies data"),
            ("SELECT * FROM orders FOR UPDATE", "FOR UPDATE"),
        ]:
            with pytest.raises(Exception, match=match):
                await explain_query(conn, sql, analyze=True)
        cur = await conn.execute("SELECT count(*) FROM orders")
        assert (await cur.fetchone())[0] == 100000
        # plain EXPLAIN of the same statements is fine: nothing runs
        report = await explain_query(conn, "WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d")
        assert report.summary.node_count >= 2


async def test_statement_shape_is_checked(dsn):
    async with await _conn(dsn) as conn:
        for sql, match in [
            ("SELECT 1; SELECT 2", "exactly one"),
            ("EXPLAIN SELECT 1", "without EXPLAIN"),
            ("VACUUM orders", "this is Vacuum"),
            ("SELEC 1", "does not parse"),
        ]:
            with pytest.raises(ExplainRefused, match=match):
                await explain_query(conn, sql)


async def test_parameters_bound_to_representative_values(dsn):
    async with await _conn(dsn) as conn:
        sql = "SELECT * FROM orders o WHERE o.customer_id = $1 AND o.status = $2 LIMIT $3"
        report = await explain_query(conn, sql, analyze=True, prove_indexes=False)
        assert len(report.params) == 3 and report.params[2] == "20"
        assert report.params[1] in ("done", "new")
        assert int(report.params[0]) >= 1
        assert any("representative" in n for n in report.notes)
        given = await explain_query(conn, sql, params=[42, "new", 5], analyze=True, prove_indexes=False)
        assert given.params == ["42", "new", "5"] and given.summary.rows <= 5
        with pytest.raises(ExplainRefused, match="3 parameter"):
            await explain_query(conn, sql, params=[1])


def test_parameter_columns_are_found_in_the_parse_tree():
    stmt = _statement("SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.city = $2 AND $1 < o.amount OFFSET $3")
    assert param_count(stmt) == 3
    cols, aliases, clauses = param_columns(stmt)
    assert cols == {2: ("c", "city"), 1: ("o", "amount")}
    assert aliases["o"] == "orders" and aliases["c"] == "customers"
    assert clauses == {3: "offset"}


async def test_statement_timeout_is_always_set(dsn):
    async with await _conn(dsn) as conn:
        with pytest.raises(ExplainRefused, match="statement_timeout"):
            await explain_query(
                conn, "SELECT count(*) FROM generate_series(1, 200000000)", analyze=True, statement_timeout_ms=200
            )
        cur = await conn.execute("SHOW statement_timeout")
        assert (await cur.fetchone())[0] == "0"  # SET LOCAL did not leak into the session
