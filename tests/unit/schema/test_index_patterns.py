"""The index patterns both reviews share (rules.schema._indexes), and the three rules that use them
(SD002 foreign-key-without-index, SD017 duplicate-index, SD018 redundant-prefix-index), read as
review_schema and as review_indexes run them. Pure: snapshots from parsed DDL or built by hand."""

from __future__ import annotations

import pytest

from dbarchitect.core.describe import UserInputError

from dbarchitect.core.indexing.review import review as review_indexes
from dbarchitect.core.models import Constraint, Index, SchemaSnapshot, Table
from dbarchitect.core.rulebook import family_modules
from dbarchitect.core.rules.schema import duplicate_index, foreign_key_without_index, redundant_prefix_index
from dbarchitect.core.rules.schema._common import ReviewContext
from dbarchitect.core.rules.schema._indexes import (
    duplicate_indexes,
    fk_supporting_index,
    leads_with,
    redundant_prefix_indexes,
    undo_drop_sql,
)
from dbarchitect.core.schema_parse import snapshot_from_ddl


def _snap(ddl: str) -> SchemaSnapshot:
    return snapshot_from_ddl(ddl).snapshot


def _table(snap: SchemaSnapshot, name: str) -> Table:
    return next(t for t in snap.tables if t.name == name)


def _fk_objects(snap: SchemaSnapshot) -> set[str]:
    return {f.object for f in foreign_key_without_index.check(snap, ReviewContext(source="parsed"))}


PARENTS = "CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE tags (id int PRIMARY KEY);"


def test_leading_column_rule():
    assert leads_with(["post_id", "tag_id"], ["post_id"])
    assert not leads_with(["post_id", "tag_id"], ["tag_id"])
    assert leads_with(["tag_id", "post_id", "x"], ["post_id", "tag_id"])  # any order among the leading keys
    assert not leads_with(["post_id"], ["post_id", "tag_id"])  # too short
    assert not leads_with([None, "post_id"], ["post_id"])  # an expression key leads
    assert not leads_with(["post_id"], [])


def test_fk_composite_primary_key_covers_its_leading_column_only():
    snap = _snap(PARENTS + "CREATE TABLE post_tags (post_id int REFERENCES parent, tag_id int REFERENCES tags,"
                           " PRIMARY KEY (post_id, tag_id));")  # fmt: skip
    assert _fk_objects(snap) == {"public.post_tags.post_tags_tag_id_fkey"}


def test_fk_include_columns_are_not_keys():
    snap = _snap(PARENTS + "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent, b int);"
                           " CREATE INDEX child_b_inc_idx ON child (b) INCLUDE (parent_id);")  # fmt: skip
    assert _fk_objects(snap) == {"public.child.child_parent_id_fkey"}


def test_fk_partial_index_counts_only_when_it_is_implied_by_the_lookup():
    base = PARENTS + "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent, a int);"
    implied = _snap(base + "CREATE INDEX ON child (parent_id) WHERE parent_id IS NOT NULL;")
    other = _snap(base + "CREATE INDEX ON child (parent_id) WHERE a > 0;")
    assert _fk_objects(implied) == set()
    assert _fk_objects(other) == {"public.child.child_parent_id_fkey"}


def test_fk_hash_index_serves_a_one_column_key_and_gin_does_not():
    base = PARENTS + "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);"
    assert _fk_objects(_snap(base + "CREATE INDEX ON child USING hash (parent_id);")) == set()
    assert _fk_objects(_snap(base + "CREATE INDEX ON child USING brin (parent_id);")) == {
        "public.child.child_parent_id_fkey"}  # fmt: skip


def test_fk_invalid_index_covers_nothing_and_the_fix_has_its_undo():
    snap = _snap(PARENTS + "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);"
                           " CREATE INDEX child_parent_id_idx ON child (parent_id);")  # fmt: skip
    t = _table(snap, "child")
    assert fk_supporting_index(t, ["parent_id"]) is not None
    t.indexes[-1] = t.indexes[-1].model_copy(update={"valid": False})
    [f] = foreign_key_without_index.check(snap, ReviewContext())
    assert f.fix == ("CREATE INDEX CONCURRENTLY child_parent_id_idx ON public.child (parent_id);\n"
                     "-- undo: DROP INDEX CONCURRENTLY IF EXISTS public.child_parent_id_idx;")  # fmt: skip
    assert f.evidence[0].kind == "catalog"


def test_duplicates_keep_the_enforcing_copy_and_give_the_undo():
    snap = _snap("CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE);"
                 " CREATE INDEX users_email_idx ON users (email);")  # fmt: skip
    [f] = duplicate_index.check(snap, ReviewContext())
    assert f.object == "public.users_email_idx" and "users_email_key" in f.message
    assert f.fix == ("DROP INDEX CONCURRENTLY IF EXISTS public.users_email_idx;\n"
                     "-- undo: CREATE INDEX CONCURRENTLY users_email_idx ON public.users (email);")  # fmt: skip


def test_duplicates_and_include_columns():
    base = "CREATE TABLE t (id int PRIMARY KEY, a int, b int, c int);"
    # same keys, different INCLUDE columns: each serves index-only scans the other cannot
    assert duplicate_indexes(_table(_snap(base + "CREATE INDEX t1 ON t (a) INCLUDE (b); CREATE INDEX t2 ON t (a) INCLUDE (c);"), "t")) == []
    # the copy whose INCLUDE columns the other also holds goes
    [(drop, keep)] = duplicate_indexes(_table(_snap(base + "CREATE INDEX t1 ON t (a); CREATE INDEX t2 ON t (a) INCLUDE (b);"), "t"))
    assert (drop.name, keep.name) == ("t1", "t2")
    # a non-unique copy never costs a uniqueness, a unique one is not dropped for a non-unique one
    [(drop, keep)] = duplicate_indexes(_table(_snap(base + "CREATE UNIQUE INDEX t1 ON t (a); CREATE INDEX t2 ON t (a);"), "t"))
    assert (drop.name, keep.name) == ("t2", "t1")
    # different direction, predicate or method: not copies
    for other in ("(a DESC)", "(a) WHERE a > 0", "USING hash (a)"):
        assert duplicate_indexes(_table(_snap(base + f"CREATE INDEX t1 ON t (a); CREATE INDEX t2 ON t {other};"), "t")) == []


def test_duplicates_prefer_the_used_copy_and_skip_invalid_and_partitions():
    snap = _snap("CREATE TABLE t (a int); CREATE INDEX t1 ON t (a); CREATE INDEX t2 ON t (a);")
    t = _table(snap, "t")
    t.indexes[0] = t.indexes[0].model_copy(update={"scans": 0})
    t.indexes[1] = t.indexes[1].model_copy(update={"scans": 40})
    assert [(d.name, k.name) for d, k in duplicate_indexes(t)] == [("t1", "t2")]
    t.indexes[1] = t.indexes[1].model_copy(update={"valid": False})
    assert duplicate_indexes(t) == []
    part = _snap("CREATE TABLE p (id int, a int) PARTITION BY RANGE (id); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (9);"
                 " CREATE INDEX x1 ON p1 (a); CREATE INDEX x2 ON p1 (a);")  # fmt: skip
    assert duplicate_indexes(_table(part, "p1")) == []


def test_duplicate_nulls_not_distinct_and_exclusion_constraints_are_kept():
    plain = Index(name="u1", columns=["a"], expressions=["a"], unique=True,
                  definition="CREATE UNIQUE INDEX u1 ON public.t USING btree (a)")  # fmt: skip
    nnd = Index(name="u2", columns=["a"], expressions=["a"], unique=True, nulls_not_distinct=True,
                definition="CREATE UNIQUE INDEX u2 ON public.t USING btree (a) NULLS NOT DISTINCT")  # fmt: skip
    t = Table(schema="public", name="t", indexes=[plain, nnd])
    assert [(d.name, k.name) for d, k in duplicate_indexes(t)] == [("u1", "u2")]  # the stronger one stays
    ex = [Index(name=n, method="gist", columns=["r"], expressions=["r"], constraint=n,
                definition=f"CREATE INDEX {n} ON public.b USING gist (r)") for n in ("b_x1", "b_x2")]  # fmt: skip
    cons = [Constraint(name=n, kind="exclude", columns=["r"], definition=f"EXCLUDE USING gist (r WITH {op})", index=n)
            for n, op in (("b_x1", "&&"), ("b_x2", "="))]  # fmt: skip
    assert duplicate_indexes(Table(schema="public", name="b", indexes=ex, constraints=cons)) == []


def test_dropping_a_constraint_copy_is_undone_with_its_constraint():
    snap = _snap("CREATE TABLE t (a int, CONSTRAINT t_a_key UNIQUE (a), CONSTRAINT t_a_key2 UNIQUE (a));")
    t = _table(snap, "t")
    [(drop, keep)] = duplicate_indexes(t)
    assert (drop.name, keep.name) == ("t_a_key2", "t_a_key")
    assert undo_drop_sql(t, drop) == ("CREATE UNIQUE INDEX CONCURRENTLY t_a_key2 ON public.t USING btree (a); "
                                      "ALTER TABLE public.t ADD CONSTRAINT t_a_key2 UNIQUE USING INDEX t_a_key2;")  # fmt: skip
    [f] = duplicate_index.check(snap, ReviewContext())
    assert f.fix.startswith("ALTER TABLE public.t DROP CONSTRAINT IF EXISTS t_a_key2;\n-- undo: CREATE UNIQUE INDEX")


def test_redundant_prefix():
    base = "CREATE TABLE t (id int PRIMARY KEY, a int, b int, c int);"

    def pairs(extra: str) -> list[tuple[str, str]]:
        return [(s.name, lg.name) for s, lg in redundant_prefix_indexes(_table(_snap(base + extra), "t"))]

    assert pairs("CREATE INDEX t_a ON t (a); CREATE INDEX t_ab ON t (a, b);") == [("t_a", "t_ab")]
    assert pairs("CREATE UNIQUE INDEX t_a ON t (a); CREATE INDEX t_ab ON t (a, b);") == []  # enforces
    assert pairs("CREATE INDEX t_b ON t (b); CREATE INDEX t_ab ON t (a, b);") == []  # not the leading key
    assert pairs("CREATE INDEX t_a ON t (a) WHERE c > 0; CREATE INDEX t_ab ON t (a, b);") == []  # predicate
    assert pairs("CREATE INDEX t_a ON t (a) INCLUDE (c); CREATE INDEX t_ab ON t (a, b);") == []  # INCLUDE not held
    assert pairs("CREATE INDEX t_a ON t (a) INCLUDE (b); CREATE INDEX t_ab ON t (a, b);") == [("t_a", "t_ab")]  # held as key
    assert pairs("CREATE INDEX t_a ON t (a) INCLUDE (c); CREATE INDEX t_ab ON t (a, b) INCLUDE (c);") == [("t_a", "t_ab")]
    assert pairs("CREATE INDEX t_a ON t (a); CREATE INDEX t_ab ON t (a text_pattern_ops, b);") == []  # opclass differs
    snap = _snap(base + "CREATE INDEX t_a ON t (a); CREATE INDEX t_ab ON t (a, b);")
    t = _table(snap, "t")
    t.indexes[-1] = t.indexes[-1].model_copy(update={"valid": False})
    assert redundant_prefix_indexes(t) == []  # an invalid long index serves nothing
    [f] = redundant_prefix_index.check(_snap(base + "CREATE INDEX t_a ON t (a); CREATE INDEX t_ab ON t (a, b);"),
                                       ReviewContext())  # fmt: skip
    assert f.fix == ("DROP INDEX CONCURRENTLY IF EXISTS public.t_a;\n"
                     "-- undo: CREATE INDEX CONCURRENTLY t_a ON public.t (a);")  # fmt: skip


def test_review_indexes_runs_the_schema_rules_for_these_patterns():
    snap = _snap(PARENTS + "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent, a int, b int);"
                           " CREATE INDEX c1 ON child (a); CREATE INDEX c2 ON child (a); CREATE INDEX c3 ON child (a, b);")  # fmt: skip
    report = review_indexes(snap)
    assert {"SD002", "SD017", "SD018"} <= set(report.rules_run)
    assert set(report.rules_run) == {m.RULE.code for m in family_modules("index")} | {"SD002", "SD017", "SD018"}
    got = {(f.code, f.rule, f.object) for f in report.findings}
    assert ("SD002", "foreign-key-without-index", "public.child.child_parent_id_fkey") in got
    assert {o for c, _, o in got if c == "SD017"} <= {"public.c1", "public.c2"} and any(c == "SD017" for c, _, _ in got)
    assert any(c == "SD018" for c, _, _ in got)
    assert all(f.evidence[0].kind == "catalog" and "-- undo:" in f.fix for f in report.findings
               if f.code in ("SD002", "SD017", "SD018"))  # fmt: skip
    with pytest.raises(UserInputError, match="Schema 'elsewhere' does not exist. Schemas: public"):
        review_indexes(snap, schema="elsewhere")  # a misspelled schema is not "no findings" (issue 19)
