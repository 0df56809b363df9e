"""The advisor's pure core: query shapes, candidates, coverage by existing indexes, selection."""

from __future__ import annotations

import pytest

from dbarchitect.core.indexing.candidates import covers, generate
from dbarchitect.core.indexing.models import Candidate, ColumnStats, WorkloadQuery
from dbarchitect.core.indexing.select import PlanCost, select
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.indexing.workload import bind_from_stats, costable, substitute
from dbarchitect.core.models import Column, Index, SchemaSnapshot, Table


def _table(name: str, cols: list[str], rows: int = 100_000, indexes=()) -> Table:
    return Table(schema="public", name=name, reltuples=rows, size_bytes=rows * 100,
                 columns=[Column(name=c, position=i + 1, type="text") for i, c in enumerate(cols)],
                 indexes=list(indexes))  # fmt: skip


SNAP = SchemaSnapshot(
    database="t",
    tables=[
        _table("users", ["id", "email", "status", "created_at"]),
        _table("posts", ["id", "user_id", "status", "created_at", "title"], indexes=[
            Index(name="posts_pkey", columns=["id"], expressions=["id"], primary=True, unique=True,
                  definition="CREATE UNIQUE INDEX posts_pkey ON public.posts USING btree (id)")]),  # fmt: skip
        _table("part", ["p_partkey", "p_brand"]),
        _table("lineitem", ["l_partkey", "l_quantity", "l_extendedprice"]),
    ],
)
STATS = {
    ("public.users", "status"): ColumnStats(table="public.users", column="status", n_distinct=3,
                                            most_common_vals=["active", "inactive", "banned"],
                                            most_common_freqs=[0.88, 0.1, 0.02]),  # fmt: skip
    ("public.posts", "user_id"): ColumnStats(table="public.posts", column="user_id", n_distinct=2000,
                                             histogram_bounds=["1", "500", "1000", "1500", "2000"]),  # fmt: skip
    ("public.posts", "status"): ColumnStats(table="public.posts", column="status", n_distinct=3,
                                            most_common_vals=["published", "draft"], most_common_freqs=[0.75, 0.2]),  # fmt: skip
}


def test_shape_orders_equality_range_sort_and_resolves_correlated_columns():
    s = analyze("SELECT id FROM posts WHERE user_id = 4 AND status = 'published' AND created_at > now() - interval '1 day' "
                "ORDER BY created_at DESC LIMIT 10", SNAP)  # fmt: skip
    (a,) = s.accesses
    assert a.columns("eq") == ["user_id", "status"] and a.columns("range") == ["created_at"]
    assert a.sort == [("created_at", True)] and a.limit
    # q17's unqualified p_partkey in the subquery belongs to the outer part, not to lineitem
    q17 = analyze("SELECT sum(l_extendedprice) FROM lineitem, part WHERE p_partkey = l_partkey AND p_brand = 'B' "
                  "AND l_quantity < (SELECT 0.2 * avg(l_quantity) FROM lineitem WHERE l_partkey = p_partkey)", SNAP)  # fmt: skip
    inner = [a for a in q17.accesses if a.table == "public.lineitem" and a.columns("eq") == ["l_partkey"]]
    assert inner, [(a.table, a.preds) for a in q17.accesses]
    assert not any(a.table == "public.lineitem" and "p_partkey" in a.referenced for a in q17.accesses)


def test_shape_or_of_equalities_is_an_in_and_not_like_is_ignored():
    (a,) = analyze("SELECT 1 FROM users WHERE (status = 'a' OR status = 'b') AND email NOT LIKE '%x%'", SNAP).accesses
    assert a.columns("in") == ["status"] and not [p for p in a.preds if p.kind == "like_infix"]


def test_candidates_put_selective_equality_first_and_make_partial_and_expression_indexes():
    shapes = {
        "q1": analyze("SELECT id FROM posts WHERE status = 'published' AND user_id = 4 ORDER BY created_at DESC LIMIT 5", SNAP),
        "q2": analyze("SELECT id FROM users WHERE status = 'banned' ORDER BY created_at DESC LIMIT 20", SNAP),
        "q3": analyze("SELECT * FROM users WHERE lower(email) = 'a@b.c'", SNAP),
        "q4": analyze("SELECT * FROM users WHERE email ILIKE '%bob%'", SNAP),
    }
    cs = generate(shapes, SNAP, STATS)
    keys = {(c.table, c.keys, c.predicate) for c in cs.candidates}
    assert ("public.posts", ("user_id", "status", "created_at DESC"), None) in keys
    assert ("public.users", ("created_at DESC",), "status = 'banned'") in keys or (
        "public.users", ("created_at",), "status = 'banned'") in keys  # fmt: skip
    assert not any(p and "published" in p for _, _, p in keys)  # 75 % of rows: not selective
    assert any(c.kind == "expression" and "lower" in c.keys[0].lower() for c in cs.candidates)
    trgm = [c for c in cs.candidates if c.kind == "gin_trgm"]
    assert trgm and trgm[0].requires_extension == "pg_trgm" and not trgm[0].hypothetical


def test_existing_indexes_cover_by_leading_prefix_method_and_predicate():
    idx = Index(name="i", columns=["user_id", "created_at"], expressions=["user_id", "created_at"],
                include=["title"], definition="CREATE INDEX i ON public.posts USING btree (user_id, created_at DESC) INCLUDE (title)")  # fmt: skip
    assert covers(idx, Candidate(table="public.posts", keys=("user_id",), columns=("user_id",)))
    assert covers(idx, Candidate(table="public.posts", keys=("user_id", "created_at DESC"), columns=("user_id", "created_at")))
    assert covers(idx, Candidate(table="public.posts", keys=("user_id",), columns=("user_id",), include=("title",)))
    assert not covers(idx, Candidate(table="public.posts", keys=("user_id", "created_at"), columns=("user_id", "created_at")))
    assert not covers(idx, Candidate(table="public.posts", keys=("created_at",), columns=("created_at",)))
    assert not covers(idx, Candidate(table="public.posts", keys=("user_id",), columns=("user_id",), method="hash"))
    partial = idx.model_copy(update={"predicate": "(status = 'draft'::text)",
                                     "definition": idx.definition + " WHERE (status = 'draft'::text)"})  # fmt: skip
    assert not covers(partial, Candidate(table="public.posts", keys=("user_id",), columns=("user_id",)))
    assert covers(partial, Candidate(table="public.posts", keys=("user_id",), columns=("user_id",),
                                     predicate="status = 'draft'"))  # fmt: skip


def test_costable_and_parameter_binding():
    assert costable("SELECT 1") is None
    assert "2 statements" in costable("SELECT 1; DELETE FROM users")
    assert costable("VACUUM users")
    sql, values = bind_from_stats("SELECT * FROM posts WHERE user_id = $1 LIMIT $2", SNAP, STATS)
    assert values == {"$1": "'1000'", "$2": "10"} and sql == "SELECT * FROM posts WHERE user_id = '1000' LIMIT 10"
    assert substitute("SELECT '$1', $1", {1: "'x'"}) == "SELECT '$1', 'x'"
    unbound, _ = bind_from_stats("SELECT * FROM posts WHERE title = $1", SNAP, STATS)
    assert unbound is None


class _Oracle:
    """A deterministic oracle: a query on posts costs 1000 without an index on user_id."""

    def __init__(self):
        self.calls = 0

    async def cost(self, query, indexes):
        self.calls += 1
        best = 1000.0
        used = frozenset()
        for c in indexes:
            if c.columns[0] == "user_id":
                gain = 10.0 if len(c.columns) == 1 else 5.0
                if gain < best:
                    best, used = gain, frozenset([c])
        return PlanCost(best, used)

    async def size(self, cand):
        return 8192 * 10 * len(cand.columns) + 8192 * 5 * len(cand.include)


@pytest.mark.anyio
async def test_greedy_selection_respects_budget_and_max_indexes():
    q = WorkloadQuery(id="q1", sql="SELECT id FROM posts WHERE user_id = 4 AND status = 'draft' ORDER BY created_at")
    shapes = {"q1": analyze(q.sql, SNAP)}
    cs = generate(shapes, SNAP, STATS)
    sel = await select([q], shapes, cs, SNAP, _Oracle())
    assert len(sel.picks) == 1 and sel.picks[0].candidate.columns[0] == "user_id"
    assert sel.final["q1"].cost < sel.base["q1"]
    tight = await select([q], shapes, cs, SNAP, _Oracle(), budget_bytes=8192 * 5)
    assert not tight.picks and any("budget" in why for _, why in tight.rejected.values())
    none = await select([q], shapes, cs, SNAP, _Oracle(), max_indexes=0)
    assert not none.picks


@pytest.fixture
def anyio_backend():
    return "asyncio"
