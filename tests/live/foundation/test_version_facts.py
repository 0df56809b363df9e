"""Version facts the advice depends on, observed on the server at hand (`make test-matrix` runs this on
13, 14, 16, 17 and 18; `make test` on 15), each next to what dbarchitect says on that version:

- EXPLAIN (GENERIC_PLAN) exists from 16: explain_query plans `$n` generically there, and below says why not;
- `security_invoker` views from 15: the security review's view fix uses it only where the server takes it;
- pg_stat_statements_info from 14: top_queries' reset time (and the note on 13) — tests/live/ops;
- pg_stat_io from 16;
- uuidv7() from 18, gen_random_uuid() on every supported version (the volatile-default fix names the latter);
- NOT NULL constraints in pg_constraint from 18: the snapshot shows each once, as the column's not_null;
- VIRTUAL generated columns from 18: the snapshot and describe say VIRTUAL, not STORED.
"""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.config import load_settings
from dbarchitect.core.describe import table_ddl as render_table
from dbarchitect.live.postgres.database import Database
from dbarchitect.live.postgres.explain import explain_query

pytestmark = [pytest.mark.anyio, pytest.mark.live, pytest.mark.version_sensitive]


def _major(pg) -> int:
    return pg.server_version_num() // 10000


def _accepts(dsn: str, sql: str) -> bool:
    with psycopg.connect(dsn, autocommit=True) as conn:
        try:
            conn.execute(sql)
            return True
        except (psycopg.errors.SyntaxError, psycopg.errors.UndefinedFunction, psycopg.errors.UndefinedTable,
                psycopg.errors.UndefinedParameter,
                psycopg.errors.InvalidParameterValue, psycopg.errors.FeatureNotSupported):  # fmt: skip
            return False


async def test_generic_plan_from_16_and_the_reason_below(pg):
    dsn = pg.create_db("CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g % 7 FROM generate_series(1, 1000) g; ANALYZE t;")
    has = _accepts(dsn, "EXPLAIN (GENERIC_PLAN) SELECT * FROM t WHERE id = $1")
    assert has == (_major(pg) >= 16)  # the fact
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        report = await explain_query(conn, "SELECT * FROM t WHERE id = $1", cross_check=False, prove_indexes=False)
    notes = " ".join(report.notes)
    if has:
        assert "GENERIC_PLAN" in notes and not report.params, notes
    else:
        assert f"PostgreSQL {_major(pg)} has no EXPLAIN (GENERIC_PLAN), which came in 16" in notes, notes
        assert report.params and report.params[0] != "NULL"  # a representative value was bound


SECURE = """
CREATE TABLE docs (id int PRIMARY KEY, tenant_id bigint NOT NULL);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_tenant ON docs USING (tenant_id = current_setting('app.tenant_id', true)::bigint);
CREATE VIEW all_docs AS SELECT * FROM docs;
"""


async def test_security_invoker_advised_only_where_the_server_has_it(pg):
    from dbarchitect.app import App
    from dbarchitect.tools.ops import review_security

    dsn = pg.create_db(SECURE)
    app = App(load_settings({"DATABASE_URL": dsn}, scratch_dsn=pg.dsn(), use_embedded_scratch=False))
    try:
        report = await review_security(app)
    finally:
        await app.close()
    (view,) = [f for f in report.findings if f.rule == "view-bypasses-rls"]
    has = _accepts(dsn, "ALTER VIEW all_docs SET (security_invoker = true)")  # the fact, observed
    assert has == (_major(pg) >= 15)
    if has:
        assert "SET (security_invoker = true)" in view.fix, view.fix
    else:
        assert "security_invoker = true)" not in view.fix.split("--")[0] and "PG < 15" in view.fix, view.fix


async def test_pg_stat_io_and_pg_stat_statements_info_exist_from_their_versions(pg):
    dsn = pg.create_db()
    with psycopg.connect(dsn, autocommit=True) as conn:
        views = {r[0] for r in conn.execute(
            "SELECT viewname FROM pg_views WHERE viewname IN ('pg_stat_io', 'pg_stat_statements_info', 'pg_stat_checkpointer')")}
    major = _major(pg)
    assert ("pg_stat_io" in views) == (major >= 16)
    assert ("pg_stat_checkpointer" in views) == (major >= 17)  # review_health reads checkpoints from it on 17+


async def test_uuid_functions_and_the_volatile_default_fix(pg):
    from dbarchitect.core.migration.engine import lint

    dsn = pg.create_db()
    assert _accepts(dsn, "SELECT gen_random_uuid()")  # core since 13: what advice may name on every version
    assert _accepts(dsn, "SELECT uuidv7()") == (_major(pg) >= 18)
    report = lint("ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();")
    fixes = " ".join(f.fix or "" for f in report.findings)
    assert "gen_random_uuid()" in fixes and "uuidv7" not in fixes


async def test_not_null_constraints_show_once_on_every_version(pg):
    dsn = pg.create_db("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, note text, CHECK (id > 0));")
    with psycopg.connect(dsn, autocommit=True) as conn:
        contypes = {r[0] for r in conn.execute("SELECT contype::text FROM pg_constraint WHERE conrelid = 'items'::regclass")}
    assert ("n" in contypes) == (_major(pg) >= 18)  # the fact: 18 records NOT NULL as constraints
    db = Database("default", dsn, load_settings({"DATABASE_URL": dsn}))
    try:
        snap = await db.snapshot()
    finally:
        await db.close()
    t = snap.table("public.items")
    assert sorted(c.kind for c in t.constraints) == ["check", "primary_key"], t.constraints
    assert t.column("name").not_null and t.column("id").not_null and not t.column("note").not_null
    ddl = render_table(t)
    assert ddl.count("NOT NULL") == 2 and "CHECK ((id > 0))" in ddl, ddl  # once per column, never as a constraint


async def test_virtual_generated_columns_from_18(pg):
    major = _major(pg)
    dsn = pg.create_db("CREATE TABLE g (a int, s int GENERATED ALWAYS AS (a * 2) STORED);")
    assert _accepts(dsn, "ALTER TABLE g ADD COLUMN v int GENERATED ALWAYS AS (a * 3) VIRTUAL") == (major >= 18)
    db = Database("default", dsn, load_settings({"DATABASE_URL": dsn}))
    try:
        t = (await db.snapshot()).table("public.g")
    finally:
        await db.close()
    assert t.column("s").generated and not t.column("s").virtual
    ddl = render_table(t)
    assert "GENERATED ALWAYS AS ((a * 2)) STORED" in ddl, ddl
    if major >= 18:
        assert t.column("v").virtual and "GENERATED ALWAYS AS ((a * 3)) VIRTUAL" in ddl, ddl
    else:
        assert t.column("v") is None
