"""review_health, review_security and top_queries through their tool functions, on databases where each
condition is created for real: a sick database reports every problem with its numbers and fix, its healthy
twin stays silent, and a role without privileges gets a partial answer that names the missing GRANT."""

from __future__ import annotations

import json

import anyio
import psycopg
import pytest

from dbarchitect.app import App
from dbarchitect.config import load_settings
from dbarchitect.live.postgres.compat import flush_stats_sync
from dbarchitect.tools.ops import review_health, review_security, top_queries
from dbarchitect.tools.query import review_query

pytestmark = [pytest.mark.live, pytest.mark.anyio]

SICK = """
CREATE TABLE users (id serial PRIMARY KEY, email text);
SELECT setval('users_id_seq', 2100000000);
CREATE TABLE jobs (id int, state text) WITH (autovacuum_enabled = false);
INSERT INTO jobs SELECT g, 'new' FROM generate_series(1, 3000) g;
DELETE FROM jobs WHERE id <= 2000;
INSERT INTO users (email) VALUES ('a@example.com'), ('a@example.com');
"""
HEALTHY = """
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text);
INSERT INTO users (email) VALUES ('a@example.com');
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE TABLE jobs (id int, state text);
"""


def app_for(pg, dsn: str) -> App:
    return App(load_settings({"DATABASE_URL": dsn}, scratch_dsn=pg.dsn(), use_embedded_scratch=False))


def run_each(dsn: str, sql: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in [s for s in sql.split(";\n") if s.strip()]:
            conn.execute(statement)
        flush_stats_sync(conn)  # pg_stat_force_next_flush() on 15+, the collector's interval before


async def test_sick_database_reports_each_problem_and_its_twin_stays_silent(pg):
    sick, healthy = pg.create_db(), pg.create_db()
    run_each(sick, SICK)
    run_each(healthy, HEALTHY)
    with psycopg.connect(sick, autocommit=True) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email)")  # fails: INVALID index left
    pg.admin("SELECT pg_create_physical_replication_slot('ops_test_slot', true)")
    idle = psycopg.connect(sick, autocommit=True)
    idle.execute("BEGIN; SELECT count(*) FROM jobs")  # idle in transaction from here on
    try:
        app = app_for(pg, sick)
        report = await review_health(app)
        by_rule = {}
        for f in report.findings:
            by_rule.setdefault(f.rule, []).append(f)
        assert by_rule["sequence-near-exhaustion"][0].object == "public.users.id"
        assert "97.8% used" in by_rule["sequence-near-exhaustion"][0].message
        assert by_rule["autovacuum-disabled"][0].evidence[0].data["dead_rows"] == 2000
        assert by_rule["invalid-index"][0].object == "public.users_email_key"
        assert any(f.object == "ops_test_slot" for f in by_rule["inactive-replication-slot"])
        (stuck,) = by_rule["idle-in-transaction"]
        assert "SELECT count(*) FROM jobs" in stuck.message and "pg_terminate_backend" in stuck.fix
        assert report.index_summary.get("IX004 invalid-index") == 1 and report.unchecked == []
        for f in report.findings:
            assert f.fix and f.evidence and f.evidence[0].data, f.rule

        only = await review_health(app, checks=["sequences"])
        assert {f.rule for f in only.findings} == {"sequence-near-exhaustion"} and only.checks == ["sequences"]
        await app.close()

        calm = app_for(pg, healthy)
        quiet = await review_health(calm)
        rules = {f.rule for f in quiet.findings}
        assert not rules & {"sequence-near-exhaustion", "autovacuum-disabled", "invalid-index", "idle-in-transaction"}, rules
        await calm.close()
    finally:
        idle.close()
        pg.admin("SELECT pg_drop_replication_slot('ops_test_slot')")


async def test_review_health_does_not_queue_behind_the_lock_it_reports(pg):
    dsn = pg.create_db("CREATE TABLE orders (id int PRIMARY KEY);")
    holder = psycopg.connect(dsn, autocommit=True)
    holder.execute("BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
    try:
        app = app_for(pg, dsn)
        with anyio.fail_after(20):
            report = await review_health(app)
        assert any(f.rule == "idle-in-transaction" and "LOCK TABLE orders" in f.message for f in report.findings)
        assert [u.check for u in report.unchecked] == ["indexes"] and "lock" in report.unchecked[0].reason
        await app.close()
    finally:
        holder.close()


async def test_a_role_without_privileges_gets_a_partial_answer_with_the_grant(pg):
    dsn = pg.create_db("CREATE TABLE t (id serial PRIMARY KEY);")
    pg.admin("DROP ROLE IF EXISTS ops_plain; CREATE ROLE ops_plain LOGIN PASSWORD 'ops-plain-pw'")
    try:
        limited = pg.dsn(psycopg.conninfo.conninfo_to_dict(dsn)["dbname"], user="ops_plain", password="ops-plain-pw")
        app = app_for(pg, limited)
        health = await review_health(app)
        assert any("GRANT pg_read_all_stats TO ops_plain" in (u.grant or "") for u in health.unchecked), health.unchecked
        security = await review_security(app)
        assert any(u.check == "passwords" for u in security.unchecked)
        top = await top_queries(app)  # the CREATE TABLE above is another role's statement: its text is hidden
        assert top.available and any("GRANT pg_read_all_stats TO ops_plain;" in n for n in top.notes), top.notes
        await app.close()
    finally:
        pg.admin("DROP ROLE ops_plain")


TENANTS = """
CREATE TABLE invoices (id int PRIMARY KEY, tenant_id bigint NOT NULL, amount numeric);
CREATE POLICY tenant_isolation ON invoices USING (tenant_id = current_setting('app.tenant_id', true)::bigint);
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoices FORCE ROW LEVEL SECURITY;
CREATE TABLE invoice_lines (id int PRIMARY KEY, tenant_id bigint NOT NULL, sku text);
CREATE VIEW all_invoices AS SELECT * FROM invoices;
CREATE FUNCTION close_invoice(i int) RETURNS void LANGUAGE sql SECURITY DEFINER AS $$ UPDATE invoices SET amount = 0 WHERE id = i $$;
CREATE TABLE accounts (id int, email text, password text);
INSERT INTO accounts VALUES (1, 'a@example.com', 'hunter2');
GRANT SELECT, UPDATE ON accounts TO PUBLIC;
"""


async def test_review_security_finds_each_case_and_verifies_the_drafted_policy(pg):
    dsn = pg.create_db()
    run_each(dsn, TENANTS)
    pg.admin("DROP ROLE IF EXISTS ops_md5; SET password_encryption = 'md5'; CREATE ROLE ops_md5 LOGIN PASSWORD 'old-pw'")
    try:
        app = app_for(pg, dsn)
        report = await review_security(app)
        found = {(f.rule, f.object) for f in report.findings}
        assert {("tenant-table-without-rls", "public.invoice_lines"), ("view-bypasses-rls", "public.all_invoices"),
                ("security-definer-mutable-search-path", "public.close_invoice(integer)"),
                ("security-definer-public-execute", "public.close_invoice(integer)"),
                ("table-granted-to-public", "public.accounts"), ("plaintext-sensitive-column", "public.accounts.password"),
                ("md5-password", "ops_md5")} <= found, found
        assert not {r for r, o in found if o == "public.invoices"} & {"rls-not-forced", "policy-without-rls", "rls-enabled-without-policy"}
        (draft,) = [f for f in report.findings if f.rule == "tenant-table-without-rls"]
        proof = draft.evidence[-1]
        assert proof.kind == "dry_run" and proof.data["verified"] is True, proof
        assert proof.data["rows_seen"] == {"1": ["1", "1"], "2": ["2"]} and proof.data["cross_tenant_insert_refused"]
        assert "current_setting('app.tenant_id', true)::bigint" in draft.fix
        assert "hunter2" not in json.dumps(report.model_dump(mode="json"))  # sampled values never leave
        await app.close()
    finally:
        pg.admin("DROP ROLE ops_md5")


async def test_top_queries_ranks_and_finds_the_n_plus_one_loop(pg):
    from rewrite_fixtures import SCHEMA  # the query tests' blog schema (users, posts, tags)

    dsn = pg.create_db(SCHEMA.read_text())
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute("SELECT pg_stat_statements_reset()")
        loop_rows = {}
        for _ in range(3):
            users = await (await conn.execute("SELECT id, username FROM users WHERE score > %s", (3,))).fetchall()
            for user_id, _name in users:
                posts = await (await conn.execute("SELECT * FROM posts WHERE user_id = %s", (user_id,))).fetchall()
                loop_rows[user_id] = len(posts)
        for tag in range(1, 30):  # frequent lookups with no parent query: not an N+1
            await conn.execute("SELECT name FROM tags WHERE id = %s", (tag % 12 + 1,))
        await conn.execute("SET work_mem = '64kB'")
        await conn.execute("SELECT count(*) FROM (SELECT md5(g::text) m FROM generate_series(1, 50000) g ORDER BY 1) s")

    app = app_for(pg, dsn)
    report = await top_queries(app)
    assert report.available and report.queries and report.total_ms > 0
    version = pg.server_version_num()
    if version >= 140000:  # pg_stat_statements_info: the reset time, and no eviction note at dealloc = 0
        assert report.since and not any("evicted" in n or "pg_stat_statements_info" in n for n in report.notes)
    else:
        assert report.since is None and any("no pg_stat_statements_info" in n for n in report.notes), report.notes
    assert abs(sum(q.share for q in report.queries) - 100) < 5 or len(report.queries) == 10
    (p,) = report.n_plus_one
    assert (p.kind, p.table, p.column) == ("has_many", "posts", "user_id")
    assert p.calls == 3 * len(loop_rows) and p.parent_calls == 3

    loops = await top_queries(app, order_by="n_plus_one")
    assert {q.query for q in loops.queries} == {p.lookup, p.parent}
    assert all(q.next_step.startswith("N+1") for q in loops.queries)
    temp = await top_queries(app, order_by="temp", limit=3)
    assert temp.queries and "generate_series" in temp.queries[0].query and "work_mem" in temp.queries[0].next_step
    calls = await top_queries(app, order_by="calls", limit=1)
    assert calls.queries[0].query == p.lookup
    await app.close()

    statement_log = ";\n".join(["SELECT id, username FROM users WHERE score > 3"]
                               + [f"SELECT * FROM posts WHERE user_id = {i}" for i in (1, 2, 3)])
    app = app_for(pg, dsn)
    reviewed = await review_query(app, sql=statement_log)
    assert reviewed.n_plus_one and reviewed.n_plus_one[0].table == "posts" and "ANY" in reviewed.n_plus_one[0].batched
    await app.close()


async def test_top_queries_without_the_extension_says_how_to_enable_it(pg):
    dsn = pg.create_db("DROP EXTENSION pg_stat_statements;")
    app = app_for(pg, dsn)
    report = await top_queries(app)
    assert report.available is False and "CREATE EXTENSION pg_stat_statements" in report.enable
    await app.close()
