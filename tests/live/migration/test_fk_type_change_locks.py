"""A type change on a foreign-key column: the lint predicts the locks and reads PostgreSQL takes on BOTH ends of
the key (it is dropped and re-added: its RI triggers on the other table are re-created under ACCESS EXCLUSIVE,
and it is validated again, reading the other table, unless the new type keeps the old equality). Each case is
run on the test cluster and the strongest lock per user table and the tables read are compared."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.core.migration.engine import lint
from dbarchitect.live.postgres.lint_context import build_lint_context

SETUP = """
CREATE TABLE users (id int PRIMARY KEY, code varchar(10) UNIQUE, name text);
INSERT INTO users SELECT g, 'k' || g, 'u' || g FROM generate_series(1, 300) g;
CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users (id), ucode varchar(10) REFERENCES users (code),
                    body text);
INSERT INTO posts SELECT g, 1 + g % 300, 'k' || (1 + g % 300), 'b' FROM generate_series(1, 1000) g;
"""
_RANK = {"AccessShareLock": 1, "RowShareLock": 2, "RowExclusiveLock": 3, "ShareUpdateExclusiveLock": 4,
         "ShareLock": 5, "ShareRowExclusiveLock": 6, "ExclusiveLock": 7, "AccessExclusiveLock": 8}


def _observe(dsn: str, sql: str) -> tuple[dict[str, str], set[str]]:
    """Strongest lock per user table, and the user tables read, by `sql` in a transaction (rolled back)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("BEGIN")
        scans = "SELECT 'public.' || relname, seq_scan + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables"
        before = dict(conn.execute(scans).fetchall())
        conn.execute(sql)
        locks: dict[str, str] = {}
        for rel, mode in conn.execute("""
                SELECT 'public.' || c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                WHERE l.pid = pg_backend_pid() AND l.granted AND c.relkind = 'r'
                  AND c.relnamespace = 'public'::regnamespace""").fetchall():
            if _RANK[mode] > _RANK.get(locks.get(rel, ""), 0):
                locks[rel] = mode
        after = dict(conn.execute(scans).fetchall())
        conn.execute("ROLLBACK")
    return locks, {rel for rel, n in after.items() if n > before.get(rel, 0)}


@pytest.mark.anyio
@pytest.mark.parametrize(("sql", "other"), [
    ("ALTER TABLE posts ALTER COLUMN user_id TYPE bigint", "public.users"),  # referencing side, rewrite
    ("ALTER TABLE users ALTER COLUMN id TYPE bigint", "public.posts"),  # referenced side, rewrite
    ("ALTER TABLE posts ALTER COLUMN ucode TYPE varchar(20)", "public.users"),  # no rewrite, no re-validation
    ("ALTER TABLE users ALTER COLUMN code TYPE text", "public.posts"),
    ("ALTER TABLE posts ALTER COLUMN body TYPE varchar(20)", None),  # not a key column: users untouched
])
async def test_fk_type_change_locks_and_reads(pg, sql, other):
    dsn = pg.create_db(SETUP)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        ctx = await build_lint_context(conn, sql)
    p = lint(sql, context=ctx).statements[0]
    locks, scanned = _observe(dsn, sql)
    strong = {rel: mode for rel, mode in locks.items() if _RANK[mode] >= _RANK["ShareLock"]}
    assert p.locks == strong, (p.locks, locks)
    if other:
        assert p.locks[other] == "AccessExclusiveLock"
    # the other end is read again exactly when the key is re-validated (the column's table is rewritten)
    assert set(p.scans) == scanned - set(p.rewrites), (p.scans, p.rewrites, scanned)
