"""build_lint_context against the real test PostgreSQL: the catalog facts the migration lint relies on."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.core.migration.engine import lint
from dbarchitect.live.postgres.dryrun import dry_run_migration
from dbarchitect.live.postgres.lint_context import build_lint_context

SETUP = """
CREATE TABLE users (id int PRIMARY KEY, email varchar(50), nick text,
                    CONSTRAINT users_email_nn CHECK (email IS NOT NULL));
CREATE TABLE orders (id bigint PRIMARY KEY, user_id int REFERENCES users (id), placed_at timestamp);
CREATE INDEX orders_placed_idx ON orders (placed_at);
CREATE VIEW user_emails AS SELECT email FROM users;
CREATE FUNCTION stable_fn() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE TYPE mood AS ENUM ('sad', 'ok');
INSERT INTO users SELECT g, 'u' || g || '@x', 'n' FROM generate_series(1, 5000) g;
INSERT INTO orders SELECT g, 1 + g % 5000, now() FROM generate_series(1, 20000) g;
ANALYZE users; ANALYZE orders;
-- on a table with rows NOT VALID really leaves the constraint unvalidated (CREATE TABLE would validate it)
ALTER TABLE users ADD CONSTRAINT users_nick_nn CHECK (nick IS NOT NULL) NOT VALID;
"""

MIGRATION = """
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users ALTER COLUMN nick SET NOT NULL;
ALTER TABLE users ADD COLUMN score int DEFAULT stable_fn();
ALTER TABLE users ALTER COLUMN email TYPE varchar(100);
DROP INDEX orders_placed_idx;
"""


@pytest.fixture
async def ctx(pg):
    dsn = pg.create_db(SETUP)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await _setup_counted(conn)
        yield await build_lint_context(conn, MIGRATION)


async def _setup_counted(conn, timeout_s: float = 15.0) -> None:
    """Before PostgreSQL 15 the setup session's counters reach pg_stat_* through the statistics
    collector, some time after that session ended: wait until its inserts are visible."""
    import anyio

    with anyio.move_on_after(timeout_s):
        while True:
            cur = await conn.execute(
                "SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables WHERE relname = 'users'")
            if (await cur.fetchone())[0] >= 5000:
                return
            await anyio.sleep(0.2)
            await conn.execute("SELECT pg_stat_clear_snapshot()")


@pytest.mark.anyio
async def test_catalog_facts(ctx):
    assert ctx.server_version_num and ctx.server_version_num >= 100000
    assert ctx.default_schema == "public"
    users, orders = ctx.relations["public.users"], ctx.relations["public.orders"]
    assert users.rows == 5000 and orders.rows == 20000
    assert orders.total_bytes > orders.size_bytes > 0
    assert users.columns["email"].proven_not_null is True
    assert users.columns["nick"].proven_not_null is False  # NOT VALID proves nothing
    assert users.columns["email"].views == ["public.user_emails"]
    assert users.columns["email"].type == "character varying(50)"
    assert "public.orders" in users.referenced_by
    assert ctx.index_tables["public.orders_placed_idx"] == "public.orders"
    assert ctx.functions["stable_fn"] == "stable"
    assert ("varchar", "text") in [tuple(p) for p in ctx.binary_coercible]
    assert "public.positive" in ctx.domains_with_constraints
    assert ctx.enums["public.mood"] == ["sad", "ok"]
    assert users.writes >= 5000


@pytest.mark.anyio
async def test_lint_with_catalog(ctx):
    report = lint(MIGRATION, context=ctx)
    by_stmt = {s.index: s for s in report.statements}
    assert by_stmt[1].scans == []  # validated CHECK proves email NOT NULL
    assert by_stmt[2].scans == ["public.users"]
    assert by_stmt[3].rewrites == []  # stable default: metadata only
    assert by_stmt[5].locks == {"public.orders": "AccessExclusiveLock"}
    codes = {(f.code, f.statement) for f in report.findings}
    assert ("MG008", 2) in codes and ("MG008", 1) not in codes
    assert ("MG001", 3) not in codes
    assert ("MG006", 4) in codes  # the view user_emails makes the type change fail
    assert any("20 k rows" in f.message for f in report.findings if f.code == "MG014")


READS_SETUP = """
CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE orders (id int PRIMARY KEY, user_id int, total numeric);
INSERT INTO users VALUES (1); INSERT INTO orders VALUES (1, 1, 10);
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
CREATE TABLE meas (at date NOT NULL, v int) PARTITION BY RANGE (at);
CREATE TABLE meas_2024 PARTITION OF meas FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE VIEW paid AS SELECT o.* FROM orders o JOIN users u ON u.id = o.user_id WHERE total > 0;
CREATE MATERIALIZED VIEW stats AS SELECT (SELECT count(*) FROM paid) AS paid, (SELECT sum(v) FROM meas) AS v;
CREATE MATERIALIZED VIEW constant AS SELECT 1 AS one;
CREATE TABLE items (id int, order_id int REFERENCES orders (id));
"""
READS = """
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
REFRESH MATERIALIZED VIEW stats;
REFRESH MATERIALIZED VIEW constant;
ALTER TABLE items VALIDATE CONSTRAINT items_order_id_fkey;
"""


@pytest.mark.anyio
async def test_what_validate_and_refresh_read(pg):
    dsn = pg.create_db(READS_SETUP)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        ctx = await build_lint_context(conn, READS)
    fk = ctx.relations["public.orders"].constraint("orders_user_fk")
    assert fk and fk.kind == "foreign_key" and fk.references == "public.users" and not fk.validated
    # the view is expanded to what it reads, the partitioned table to its partitions
    assert ctx.relations["public.stats"].base_relations == {
        "public.paid": "view", "public.orders": "table", "public.users": "table",
        "public.meas": "partitioned_table", "public.meas_2024": "table",
    }
    assert ctx.relations["public.constant"].base_relations == {}
    validate, refresh, constant, valid = lint(READS, context=ctx).statements
    assert validate.locks == {"public.orders": "ShareUpdateExclusiveLock", "public.users": "RowShareLock"}
    assert validate.scans == ["public.orders", "public.users"]
    assert refresh.locks == {"public.stats": "AccessExclusiveLock", **{
        r: "AccessShareLock" for r in ("public.paid", "public.orders", "public.users", "public.meas",
                                       "public.meas_2024")}}
    assert sorted(refresh.scans) == ["public.meas_2024", "public.orders", "public.users"]
    assert refresh.assumptions == []
    assert constant.locks == {"public.constant": "AccessExclusiveLock"} and constant.assumptions == []
    assert valid.locks == {"public.items": "ShareUpdateExclusiveLock"} and valid.scans == []  # already valid

    # and PostgreSQL agrees
    report = lint(READS, context=ctx, assume_in_transaction=False)
    run = await dry_run_migration(READS, target=dsn, prediction=report, assume_in_transaction=False)
    assert [o.status for o in run.statements] == ["ok"] * 4
    assert {(c.statement, c.relation) for c in run.comparisons if c.aspect == "lock"} >= {
        (1, "public.users"), (2, "public.paid"), (2, "public.meas_2024")}
    assert run.disagreements == [], run.disagreements
