"""review_indexes on crafted databases: each rule fires on its case and stays silent on a clean schema."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.live.postgres.compat import flush_stats
from dbarchitect.core.indexing.review import SCHEMA_RULES
from dbarchitect.core.rulebook import family_modules
from dbarchitect.live.postgres.index_advisor import review_indexes

pytestmark = [pytest.mark.anyio, pytest.mark.live]

CASES = """
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE tags (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent, note text, a int, b int);
CREATE INDEX child_note_idx ON child (note);
CREATE INDEX child_note_copy_idx ON child (note);
CREATE INDEX child_a_idx ON child (a);
CREATE INDEX child_a_b_idx ON child (a, b);
CREATE INDEX child_b_inc_idx ON child (b) INCLUDE (parent_id);   -- INCLUDE does not support the FK
CREATE TABLE post_tags (post_id int REFERENCES parent, tag_id int REFERENCES tags, PRIMARY KEY (post_id, tag_id));
CREATE TABLE sparse (id int PRIMARY KEY, parent_id int REFERENCES parent);
CREATE INDEX sparse_parent_id_idx ON sparse (parent_id) WHERE parent_id IS NOT NULL;  -- implied by the FK lookup
INSERT INTO parent SELECT g FROM generate_series(1, 100) g;
INSERT INTO tags SELECT g FROM generate_series(1, 10) g;
INSERT INTO child SELECT g, 1 + g % 100, 'n' || g, g % 7, g FROM generate_series(1, 1000) g;
CREATE TABLE dup_vals (v int);
INSERT INTO dup_vals VALUES (1), (1);
CREATE TABLE bloaty (id int);
INSERT INTO bloaty SELECT g FROM generate_series(1, 200000) g;
CREATE INDEX bloaty_id_idx ON bloaty (id);
DELETE FROM bloaty WHERE id % 10 <> 0;
CREATE TABLE events (id int, a int, b int, c int, d int, e int);
CREATE INDEX events_a ON events (a); CREATE INDEX events_b ON events (b); CREATE INDEX events_c ON events (c);
CREATE INDEX events_d ON events (d); CREATE INDEX events_e ON events (e);
INSERT INTO events SELECT g, g, g, g, g, g FROM generate_series(1, 12000) g;
ANALYZE;
"""

CLEAN = """
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent);
CREATE INDEX child_parent_id_idx ON child (parent_id);
INSERT INTO parent SELECT g FROM generate_series(1, 100) g;
INSERT INTO child SELECT g, 1 + g % 100 FROM generate_series(1, 1000) g;
ANALYZE;
"""


async def _review(dsn: str, reads: list[str]):
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute("VACUUM ANALYZE")
        await conn.execute("SET enable_seqscan = off")
        for sql in reads:
            await (await conn.execute(sql)).fetchall()
        await flush_stats(conn)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        return await review_indexes(conn)


async def test_each_rule_fires_on_its_case(pg):
    dsn = pg.create_db(CASES)
    try:
        pg.admin("CREATE UNIQUE INDEX CONCURRENTLY dup_vals_v_key ON dup_vals (v)",
                 dbname=psycopg.conninfo.conninfo_to_dict(dsn)["dbname"])  # fmt: skip
    except psycopg.Error:
        pass  # leaves the invalid index behind, as in production
    report = await _review(dsn, ["SELECT * FROM child WHERE id = 5", "SELECT * FROM child WHERE a = 3 AND b = 3",
                                 "SELECT count(*) FROM events WHERE id = 1"])  # fmt: skip
    by_code: dict[str, list] = {}
    for f in report.findings:
        by_code.setdefault(f.code, []).append(f)
    assert set(by_code) == {m.RULE.code for m in [*family_modules("index"), *SCHEMA_RULES]}, sorted(by_code)
    (dup,) = by_code["SD017"]  # one of the two copies is flagged, the other kept
    assert dup.object in {"public.child_note_copy_idx", "public.child_note_idx"}
    assert "public.child_a_idx" in {f.object for f in by_code["SD018"]}
    assert {f.object for f in by_code["IX004"]} == {"public.dup_vals_v_key"}
    fk = {f.object for f in by_code["SD002"]}
    assert "public.child.child_parent_id_fkey" in fk  # INCLUDE columns are not keys
    assert "public.post_tags.post_tags_tag_id_fkey" in fk
    assert "public.post_tags.post_tags_post_id_fkey" not in fk  # the composite PK leads with post_id
    assert "public.sparse.sparse_parent_id_fkey" not in fk  # partial on parent_id IS NOT NULL serves it
    assert {f.object for f in by_code["IX006"]} == {"public.bloaty_id_idx"}
    assert {f.object for f in by_code["IX007"]} == {"public.events"}
    (unused,) = by_code["IX001"]  # statistics younger than 7 days: one line, no DROP
    assert "public.child_note_idx" in unused.message and "public.child_pkey" not in unused.message
    assert "cannot be judged yet" in unused.message and "DROP" not in unused.fix.replace("no DROP", "")
    for f in report.findings:
        assert f.fix and f.evidence and f.evidence[0].kind == "catalog"
    name = dup.object.split(".")[1]
    assert dup.fix.startswith(f"DROP INDEX CONCURRENTLY IF EXISTS public.{name};")
    assert f"-- undo: CREATE INDEX CONCURRENTLY {name} ON public.child" in dup.fix
    assert "undo" in by_code["SD002"][0].fix


async def test_fixes_apply_and_silence_the_findings(pg):
    dsn = pg.create_db(CASES)
    report = await _review(dsn, ["SELECT * FROM child WHERE a = 3 AND b = 3"])
    dbname = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    for f in report.findings:
        if f.code in ("SD002", "SD017", "SD018"):
            for stmt in f.fix.splitlines():
                if stmt and not stmt.startswith("--"):
                    pg.admin(stmt, dbname=dbname)
    again = await _review(dsn, [])
    assert not [f for f in again.findings if f.code in ("SD002", "SD017", "SD018")]


async def test_silent_on_a_clean_schema(pg):
    dsn = pg.create_db(CLEAN)
    report = await _review(dsn, ["SELECT * FROM child WHERE parent_id = 3", "SELECT * FROM parent WHERE id = 3",
                                 "SELECT * FROM child WHERE id = 3"])  # fmt: skip
    assert report.findings == [], [(f.code, f.object) for f in report.findings]
    assert report.indexes == 3
    assert report.rules_run == [m.RULE.code for m in [*family_modules("index"), *SCHEMA_RULES]]


async def test_the_foreign_key_check_uses_the_indexes_the_rule_accepts(pg):
    """What SD002 counts as support is what PostgreSQL's own foreign-key lookup uses: a partial index
    on `col IS NOT NULL`, a hash index, the leading column of a composite key; not an INCLUDE column."""
    dsn = pg.create_db(CASES)
    dbname = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    pg.admin("CREATE TABLE hashed (id int PRIMARY KEY, parent_id int REFERENCES parent);"
             "CREATE INDEX hashed_parent_id ON hashed USING hash (parent_id)", dbname=dbname)  # fmt: skip
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        await conn.execute("SET enable_seqscan = off")

        async def plan(table: str, col: str) -> str:
            # the query RI_FKey_noaction_del and friends run, as a generic plan over $1
            await conn.execute(f"PREPARE q_{table}_{col} (int) AS SELECT 1 FROM ONLY {table} x WHERE {col} = $1 "
                               "FOR KEY SHARE OF x")  # fmt: skip
            rows = await (await conn.execute(f"EXPLAIN EXECUTE q_{table}_{col}(1)")).fetchall()
            return "\n".join(r[0] for r in rows)

        assert "sparse_parent_id_idx" in await plan("sparse", "parent_id")
        assert "hashed_parent_id" in await plan("hashed", "parent_id")
        assert "post_tags_pkey" in await plan("post_tags", "post_id")
        assert "Seq Scan" in await plan("child", "parent_id")  # child_b_inc_idx only INCLUDEs parent_id
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        fk = {f.object for f in (await review_indexes(conn)).findings if f.code == "SD002"}
    assert "public.child.child_parent_id_fkey" in fk
    assert not fk & {"public.sparse.sparse_parent_id_fkey", "public.hashed.hashed_parent_id_fkey",
                     "public.post_tags.post_tags_post_id_fkey"}  # fmt: skip
