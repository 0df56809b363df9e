"""The advisor's OLTP rules (issue 16), each with a case that fires and one that stays silent:
LIMIT costed as the executor runs it, keyset/top-N composite order, flag filters as partial
predicates, no literal of an identity in a predicate, junction composites, parameters are not
per-row lookups, unique lookups need nothing, already-fast queries get nothing."""

from __future__ import annotations

import pytest

from dbarchitect.core.indexing.candidates import generate
from dbarchitect.core.indexing.limit import LimitInput, ScanNode, executor_cost
from dbarchitect.core.indexing.models import ColumnStats, WorkloadQuery
from dbarchitect.core.indexing.select import FAST_QUERY_COST, PlanCost, bare_scattered_lookup, select
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.models import Constraint, ForeignKeyRef, SchemaSnapshot

from tests.unit.index.kit import pk, table

ROWS = 2_000_000


def _t(name, cols, rows=ROWS, indexes=(), constraints=()):
    return table(name, cols, rows, indexes, constraints)


_pk = pk


SNAP = SchemaSnapshot(database="t", tables=[
    _t("users", [("id", "bigint"), ("email", "text"), ("tenant_id", "uuid"), ("status", "text")],
       indexes=[_pk("users")], constraints=[Constraint(name="users_pkey", kind="primary_key", columns=["id"], definition="")]),
    _t("issues", [("id", "bigint"), ("tenant_id", "bigint"), ("created_at", "timestamp with time zone"),
                  ("deleted_at", "timestamp with time zone"), ("archived", "boolean"), ("title", "text"),
                  ("state", "text")],
       indexes=[_pk("issues")], constraints=[
           Constraint(name="issues_pkey", kind="primary_key", columns=["id"], definition=""),
           Constraint(name="issues_tenant_fk", kind="foreign_key", columns=["tenant_id"], definition="",
                      references=ForeignKeyRef(table="public.tenants", columns=["id"]))]),
    _t("item_tags", [("item_id", "bigint"), ("tag_id", "bigint")], rows=20_000_000),
    _t("items", [("id", "bigint"), ("name", "text")], indexes=[_pk("items")]),
    _t("docs", [("id", "bigint"), ("meta", "jsonb"), ("tags", "text[]"), ("body", "text")]),
])  # fmt: skip


def _st(table, col, **kw):
    return ColumnStats(table=f"public.{table}", column=col, **kw)


STATS = {
    ("public.users", "email"): _st("users", "email", n_distinct=-1.0, avg_width=24),
    ("public.users", "status"): _st("users", "status", n_distinct=3, most_common_vals=["active", "inactive", "banned"],
                                    most_common_freqs=[0.9, 0.09, 0.01]),  # fmt: skip
    ("public.issues", "tenant_id"): _st("issues", "tenant_id", n_distinct=5000, most_common_vals=["1", "2", "3"],
                                        most_common_freqs=[0.3, 0.2, 0.1], correlation=0.01),  # fmt: skip
    ("public.issues", "deleted_at"): _st("issues", "deleted_at", null_frac=0.95, n_distinct=-0.05),
    ("public.issues", "state"): _st("issues", "state", n_distinct=4, most_common_vals=["open", "closed"],
                                    most_common_freqs=[0.2, 0.78]),  # fmt: skip
    ("public.item_tags", "tag_id"): _st("item_tags", "tag_id", n_distinct=2000, most_common_vals=["7"],
                                        most_common_freqs=[0.2], correlation=0.0),  # fmt: skip
    ("public.item_tags", "item_id"): _st("item_tags", "item_id", n_distinct=-0.25, correlation=0.9),
}


def _cands(sql):
    shape = analyze(sql, SNAP)
    return shape, generate({"q1": shape}, SNAP, STATS)


# --- LIMIT costed as the executor runs it --------------------------------------------------------

SEQ = LimitInput(0.0, 40_000.0, 10_000.0, (ScanNode("users", "Seq Scan", "", "(lower(email) = 'a@b.c'::text)"),))


def test_limit_on_a_near_unique_expression_is_costed_without_the_limit():
    shape = analyze("SELECT id FROM users WHERE lower(email) = $1 LIMIT 1", SNAP)
    cost, why = executor_cost(4.0, SEQ, shape, SNAP, STATS)
    assert cost == pytest.approx(40_000.0) and "without the LIMIT" in why and "near-unique" in why
    # the expression index pins the filter in its index condition: the planner's figure stands
    pinned = LimitInput(0.4, 20_000.0, 10_000.0, (ScanNode("users", "Index Scan", "(lower(email) = 'a'::text)", ""),))
    assert executor_cost(2.4, pinned, shape, SNAP, STATS) == (2.4, None)


def test_limit_on_a_common_value_keeps_the_planners_cost():
    shape = analyze("SELECT id FROM users WHERE status = 'active' LIMIT 10", SNAP)
    seq = LimitInput(0.0, 40_000.0, 1_800_000.0, (ScanNode("users", "Seq Scan", "", "(status = 'active'::text)"),))
    assert executor_cost(0.2, seq, shape, SNAP, STATS) == (0.2, None)


def test_limit_through_an_order_index_filtering_a_rare_tenant_reads_further():
    shape = analyze("SELECT id FROM issues WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 20", SNAP)
    by_date = LimitInput(0.4, 90_000.0, 400.0, (ScanNode("issues", "Index Scan Backward", "", "(tenant_id = 42)"),))
    cost, why = executor_cost(0.4 + 90_000 * 20 / 400, by_date, shape, SNAP, STATS)
    # a tenant outside the most-common list has ~(1 − 0.6) / 4997 of the rows: ~160, so 1/8 of the index
    assert 4500 < cost < 90_000 and "outside the most-common list" in why


class _LimitOracle:
    """Seq scan with LIMIT 1 looks nearly free (0.5 % default selectivity); the expression index pins it."""

    async def cost(self, query, indexes):
        expr = next((c for c in indexes if c.keys and "lower" in c.keys[0].lower()), None)
        if expr is None:
            return PlanCost(4.0, frozenset(), (), SEQ)
        pinned = LimitInput(0.4, 20_000.0, 10_000.0, (ScanNode("users", "Index Scan", "(lower(email) = 'x')", ""),))
        return PlanCost(2.4, frozenset([expr]), (), pinned)

    async def size(self, cand):
        return 60 * 2**20


@pytest.mark.anyio
async def test_selection_picks_the_expression_index_for_a_limit_1_lookup():
    q = WorkloadQuery(id="q1", sql="SELECT id FROM users WHERE lower(email) = $1 LIMIT 1")
    shapes = {"q1": analyze(q.sql, SNAP)}
    sel = await select([q], shapes, generate(shapes, SNAP, STATS), SNAP, _LimitOracle(), stats=STATS)
    assert [p.candidate.keys[0].lower() for p in sel.picks] == ["(lower(email))"]
    assert "q1" in sel.limit_notes and sel.base["q1"] == pytest.approx(40_000.0)
    # without statistics the planner's figure is all there is: the saving looks like nothing
    plain = await select([q], shapes, generate(shapes, SNAP, STATS), SNAP, _LimitOracle())
    assert not plain.picks and "q1" in plain.fast


# --- composite order for top-N per group and keyset pagination ------------------------------------


def test_keyset_pagination_puts_equality_first_then_the_sort_in_its_direction():
    _, cs = _cands("SELECT id FROM issues WHERE tenant_id = $1 AND (created_at, id) < ($2,$3) "
                   "ORDER BY created_at DESC, id DESC LIMIT 20")  # fmt: skip
    keys = {c.keys for c in cs.candidates if c.predicate is None}
    assert ("tenant_id", "created_at DESC", "id DESC") in keys, keys
    # never the tuple as an expression key, never the sort column first
    assert not any(k[0].startswith("((") or k[0].startswith("created_at") and len(k) > 1 for k in keys), keys


def test_a_unique_lookup_needs_no_new_index_not_even_a_covering_one():
    _, cs = _cands("SELECT email, status FROM users WHERE id = $1")
    assert not [c for c in cs.candidates if c.table == "public.users"]
    _, cs = _cands("SELECT email, status FROM users WHERE status = 'banned'")
    assert [c for c in cs.candidates if c.table == "public.users"]


# --- flag filters as partial predicates; no literal of an identity in a predicate -----------------


def test_is_null_and_boolean_filters_become_the_partial_predicate_not_keys():
    _, cs = _cands("SELECT id, title FROM issues WHERE tenant_id = $1 AND deleted_at IS NULL AND archived = false "
                   "ORDER BY created_at DESC LIMIT 20")  # fmt: skip
    assert all("deleted_at" not in " ".join(c.keys) and "archived" not in " ".join(c.keys) for c in cs.candidates)
    top = [c for c in cs.candidates if c.keys[:2] == ("tenant_id", "created_at DESC")]
    assert top and all(c.predicate == "deleted_at IS NULL AND archived = FALSE" for c in top), [c.signature for c in top]
    # silent: without the flag filter the same query gets plain indexes
    _, cs = _cands("SELECT id FROM issues WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 20")
    assert all(c.predicate is None for c in cs.candidates)


def test_a_tenant_literal_never_becomes_a_predicate_but_a_status_does():
    _, cs = _cands("SELECT id FROM issues WHERE tenant_id = 1234 ORDER BY created_at DESC LIMIT 20")
    assert not [c for c in cs.candidates if c.predicate and "1234" in c.predicate]
    _, cs = _cands("SELECT id FROM issues WHERE state = 'open' ORDER BY created_at DESC LIMIT 20")
    assert any(c.predicate == "state = 'open'" for c in cs.candidates)


# --- junction tables from the rare side; parameters are not per-outer-row lookups -----------------

JUNCTION = ("SELECT i.id, i.name FROM item_tags t JOIN items i ON i.id = t.item_id WHERE t.tag_id = $1 "
            "ORDER BY i.id LIMIT 50")  # fmt: skip


def test_junction_gets_the_filter_then_join_key_composite():
    shape, cs = _cands(JUNCTION)
    assert ("tag_id", "item_id") in {c.keys for c in cs.candidates if c.table == "public.item_tags"}
    lone = next(c for c in cs.candidates if c.keys == ("tag_id",))
    # tag_id = $1 is one index scan per execution: not the scattered per-outer-row lookup
    assert bare_scattered_lookup(lone, shape, SNAP, STATS) is None


def test_a_key_fed_by_the_outer_row_is_still_a_scattered_lookup():
    shape, cs = _cands("SELECT i.id FROM items i WHERE EXISTS (SELECT 1 FROM item_tags t WHERE t.tag_id = i.id)")
    lone = next(c for c in [*cs.candidates, *cs.risky] if c.keys == ("tag_id",))
    assert lone in cs.risky or bare_scattered_lookup(lone, shape, SNAP, STATS)


# --- already fast --------------------------------------------------------------------------------


class _FastOracle:
    async def cost(self, query, indexes):
        if any(c.columns[0] == "status" for c in indexes):
            return PlanCost(8.0, frozenset(c for c in indexes if c.columns[0] == "status"))
        return PlanCost(FAST_QUERY_COST - 5 if "LIMIT 1" in query.sql else 5000.0, frozenset())

    async def size(self, cand):
        return 8192 * 100


@pytest.mark.anyio
async def test_an_already_fast_query_gets_no_index_a_slow_one_does():
    fast = WorkloadQuery(id="q1", sql="SELECT id FROM users WHERE status = 'banned' LIMIT 1")
    slow = WorkloadQuery(id="q2", sql="SELECT id FROM users WHERE status = 'banned'")
    for q, picked in ((fast, False), (slow, True)):
        shapes = {q.id: analyze(q.sql, SNAP)}
        sel = await select([q], shapes, generate(shapes, SNAP, STATS), SNAP, _FastOracle(), stats=STATS)
        assert bool(sel.picks) is picked and (q.id in sel.fast) is not picked


@pytest.fixture
def anyio_backend():
    return "asyncio"


# --- heuristic mode (no HypoPG) -------------------------------------------------------------------

HEURISTIC_WORKLOAD = [
    WorkloadQuery(id="q1", sql="SELECT id FROM users WHERE lower(email) = $1 LIMIT 1", weight=100),
    WorkloadQuery(id="q2", sql="SELECT id, title FROM issues WHERE tenant_id = $1 AND deleted_at IS NULL "
                               "ORDER BY created_at DESC LIMIT 20", weight=50),  # fmt: skip
    WorkloadQuery(id="q3", sql=JUNCTION, weight=10),
    WorkloadQuery(id="q4", sql="SELECT email FROM users WHERE id = $1", weight=1000),
    WorkloadQuery(id="q5", sql="SELECT id FROM users WHERE status = 'active' LIMIT 10", weight=1000),
]


def _heuristic(**kw):
    from dbarchitect.core.indexing.advise import heuristic

    shapes = {q.id: analyze(q.sql, SNAP) for q in HEURISTIC_WORKLOAD}
    cs = generate(shapes, SNAP, STATS)
    return heuristic(HEURISTIC_WORKLOAD, shapes, cs, SNAP, STATS, extensions=set(), **kw)


def test_heuristic_ranks_by_estimated_saving_within_budget_and_count():
    advice = _heuristic(budget_bytes=None, max_indexes=None)
    assert advice.mode == "heuristic" and any(n.startswith("HEURISTIC") for n in advice.notes)
    got = {(r.table, tuple(k.lower() for k in r.keys), r.predicate) for r in advice.recommendations}
    assert ("public.users", ("(lower(email))",), None) in got, got
    assert ("public.issues", ("tenant_id", "created_at desc"), "deleted_at IS NULL") in got, got
    # the junction is reached from the rare side (tag_id first); whether the partner key is added depends on
    # its bytes: (tag_id, item_id) cannot deduplicate and is ~4.5× the deduplicated (tag_id) here
    assert any(t == "public.item_tags" and k[0] == "tag_id" for t, k, _ in got), got
    # nothing led by a flag column, nothing for the primary-key lookup or the 90 %-of-rows LIMIT 10
    assert not any(k[0] in ("deleted_at", "status", "id") for _, k, _ in got), got
    assert all(r.helps and r.helps[0].cost_after < r.helps[0].cost_before for r in advice.recommendations)
    assert advice.total_size_bytes <= advice.budget_bytes
    one = _heuristic(budget_bytes=None, max_indexes=1)
    assert len(one.recommendations) == 1
    assert one.recommendations[0].keys == advice.recommendations[0].keys  # the most weighted saving per byte
    tight = _heuristic(budget_bytes=min(r.estimated_size_bytes for r in advice.recommendations), max_indexes=None)
    assert len(tight.recommendations) == 1


# --- DDL that runs as given; no prefix-duplicate picks --------------------------------------------


def test_trigram_ddl_names_its_extension_when_available_and_is_left_out_when_not():
    from dbarchitect.core.indexing.advise import _static_recs

    big = SNAP.model_copy(deep=True)
    shapes = {"q1": analyze("SELECT id FROM users WHERE email ILIKE '%bob%'", big)}
    cs = generate(shapes, big, STATS)
    notes: list[str] = []
    (rec,) = _static_recs(cs, big, STATS, set(), 1, extensions=set(), available={"pg_trgm", "hypopg"}, notes=notes)
    assert rec.ddl.startswith("CREATE INDEX CONCURRENTLY") and "\n" not in rec.ddl and "gin_trgm_ops" in rec.ddl
    assert rec.requires_extension == "pg_trgm" and "CREATE EXTENSION IF NOT EXISTS pg_trgm" in rec.reason
    assert "privilege" in rec.reason and notes[0].startswith("Run first: CREATE EXTENSION IF NOT EXISTS pg_trgm;")
    (installed,) = _static_recs(cs, big, STATS, set(), 1, extensions={"pg_trgm"}, available={"pg_trgm"})
    assert installed.ddl.startswith("CREATE INDEX CONCURRENTLY")
    notes: list[str] = []
    assert _static_recs(cs, big, STATS, set(), 1, extensions=set(), available={"hypopg"}, notes=notes) == []
    assert notes and "pg_trgm" in notes[0] and "pg_available_extensions" in notes[0]


def test_a_pick_that_another_pick_serves_is_dropped():
    from dbarchitect.core.indexing.advise import _serves
    from dbarchitect.core.indexing.models import Candidate

    short = Candidate(table="public.issues", keys=("tenant_id",), columns=("tenant_id",))
    long = Candidate(table="public.issues", keys=("tenant_id", "created_at DESC"), columns=("tenant_id", "created_at"))
    other = Candidate(table="public.issues", keys=("created_at",), columns=("created_at",))
    assert _serves(long, short) and not _serves(short, long) and not _serves(long, other)
    partial = long.model_copy(update={"predicate": "deleted_at IS NULL"})
    assert not _serves(partial, short)


# --- operators HypoPG cannot cost: the right GIN, with the predicate to measure -------------------


def test_jsonb_containment_gets_jsonb_path_ops_and_arrays_the_default():
    _, cs = _cands("SELECT id FROM docs WHERE meta @> '{\"plan\": \"pro\"}'")
    (gin,) = [c for c in cs.candidates if c.method == "gin"]
    assert gin.keys == ("meta jsonb_path_ops",) and cs.probes[gin] == {"q1": "meta @> '{\"plan\": \"pro\"}'"}
    _, cs = _cands("SELECT id FROM docs WHERE tags @> ARRAY['a']")
    assert [c.keys for c in cs.candidates if c.method == "gin"] == [("tags",)]


def test_full_text_indexes_the_same_expression_unless_it_is_not_immutable():
    _, cs = _cands("SELECT id FROM docs WHERE to_tsvector('english', body) @@ plainto_tsquery('english', 'x')")
    assert [c.keys[0].lower() for c in cs.candidates if c.kind == "fts"] == ["(to_tsvector('english', body))"]
    _, cs = _cands("SELECT id FROM docs WHERE to_tsvector(body) @@ plainto_tsquery('x')")
    assert not [c for c in cs.candidates if c.kind == "fts"]
    assert any("not immutable" in why for why in cs.risky.values())


def test_full_text_on_a_small_heap_is_still_worth_a_gin_but_a_trigram_is_not():
    from dbarchitect.core.indexing.advise import _static_recs

    small = SchemaSnapshot(database="t", tables=[_t("docs", [("id", "bigint"), ("body", "text")], rows=5_000)])
    shapes = {"q1": analyze("SELECT id FROM docs WHERE to_tsvector('english', body) @@ plainto_tsquery('english', 'x')", small),
              "q2": analyze("SELECT id FROM docs WHERE body ILIKE '%x%'", small)}  # fmt: skip
    recs = _static_recs(generate(shapes, small, {}), small, {}, set(), 1, extensions={"pg_trgm"}, available=None)
    assert [r.kind for r in recs] == ["fts"]


def test_a_column_compared_to_several_literals_is_a_parameter_not_a_partial_predicate():
    one = {"q1": analyze("SELECT id FROM issues WHERE state = 'open' ORDER BY created_at DESC LIMIT 20", SNAP)}
    assert any(c.predicate == "state = 'open'" for c in generate(one, SNAP, STATS).candidates)
    two = {**one, "q2": analyze("SELECT id FROM issues WHERE state = 'closed' ORDER BY created_at DESC LIMIT 20", SNAP)}
    assert not any(c.predicate and "state" in c.predicate for c in generate(two, SNAP, STATS).candidates)


def test_an_expression_lookup_with_a_soft_delete_filter_is_partial():
    _, cs = _cands("SELECT id FROM users WHERE lower(email) = $1 AND status IS NULL LIMIT 1")
    (expr,) = [c for c in cs.candidates if c.kind == "expression"]
    assert expr.predicate == "status IS NULL"


# --- issue 16, run 3: sizes, per-query guards, heuristic rejections and INCLUDE variants ------------


def test_partial_share_from_pg_stats():
    from dbarchitect.core.indexing.size import predicate_fraction

    assert predicate_fraction("deleted_at IS NULL", "public.issues", STATS) == pytest.approx(0.95)
    assert predicate_fraction("state = 'open' AND deleted_at IS NULL", "public.issues", STATS) == pytest.approx(0.19)
    assert predicate_fraction("deleted_at IS NOT NULL", "public.issues", STATS) == pytest.approx(0.05)
    # silent: a term it cannot read (or a column without statistics) leaves the size to HypoPG
    assert predicate_fraction("created_at > now() - interval '1 day'", "public.issues", STATS) is None
    assert predicate_fraction("archived = FALSE", "public.issues", STATS) is None


def test_partial_and_lower_keys_are_sized_and_smaller_than_the_full_index():
    from dbarchitect.core.indexing.models import Candidate
    from dbarchitect.core.indexing.size import btree_size

    full = Candidate(table="public.issues", keys=("tenant_id",), columns=("tenant_id",))
    part = full.model_copy(update={"predicate": "state = 'open' AND deleted_at IS NULL"})
    assert btree_size(part, SNAP, STATS) < 0.3 * btree_size(full, SNAP, STATS)
    email = {("public.users", "email"): STATS[("public.users", "email")]}
    lower = Candidate(table="public.users", keys=("(lower(email))",), columns=(None,))
    assert btree_size(lower, SNAP, email) is not None
    other = Candidate(table="public.users", keys=("(md5(email))",), columns=(None,))  # silent: not the column's width
    assert btree_size(other, SNAP, email) is None


def test_gin_static_sizes_follow_the_kind():
    from dbarchitect.core.indexing.advise import static_size
    from dbarchitect.core.indexing.models import Candidate

    st = {("public.docs", "meta"): _st("docs", "meta", avg_width=60), ("public.docs", "body"): _st("docs", "body", avg_width=60)}
    path = Candidate(table="public.docs", keys=("meta jsonb_path_ops",), columns=("meta",), method="gin", kind="gin")
    trgm = Candidate(table="public.docs", keys=("body gin_trgm_ops",), columns=("body",), method="gin", kind="gin_trgm")
    # jsonb_path_ops: hashed paths repeated across rows, a few bytes a row; trigrams: ~1.5 bytes per trigram
    assert static_size(path, SNAP, st) < 8 * ROWS < 100 * ROWS < static_size(trgm, SNAP, st) < 130 * ROWS


def test_an_include_variant_is_not_served_by_a_longer_key_without_those_columns():
    from dbarchitect.core.indexing.estimate import _served_by, stored_columns
    from dbarchitect.core.indexing.models import Candidate

    long = Candidate(table="public.reviews", keys=("product_id", "created_at DESC"), columns=("product_id", "created_at"),
                     predicate="deleted_at IS NULL")  # fmt: skip
    inc = Candidate(table="public.reviews", keys=("product_id",), columns=("product_id",), include=("rating",),
                    predicate="deleted_at IS NULL")  # fmt: skip
    plain = inc.model_copy(update={"include": ()})
    assert not _served_by(inc, long)  # fires: only the INCLUDE variant answers from the index
    assert _served_by(plain, long)  # silent: the key-only prefix is served
    # the partial predicate's columns need no heap visit for an index-only scan
    assert stored_columns(inc) == {"product_id", "rating", "deleted_at"}


def test_heuristic_says_what_it_considered_and_why_it_dropped_it():
    advice = _heuristic(budget_bytes=None, max_indexes=1)
    assert len(advice.recommendations) == 1 and advice.rejected
    reasons = " ".join(r.reason for r in advice.rejected)
    assert "max_indexes=1 reached" in reasons
    picked = {r.table + str(r.keys) for r in advice.recommendations}
    assert not any(r.index in picked for r in advice.rejected)
    roomy = _heuristic(budget_bytes=None, max_indexes=None)  # silent on the count: nothing refused for it
    assert "max_indexes" not in " ".join(r.reason for r in roomy.rejected)


def test_a_gin_left_out_for_the_budget_is_named():
    from dbarchitect.core.indexing.advise import heuristic

    wl = [WorkloadQuery(id="q1", sql="SELECT id FROM docs WHERE meta @> '{\"a\": 1}'", weight=10)]
    shapes = {q.id: analyze(q.sql, SNAP) for q in wl}
    cs = generate(shapes, SNAP, STATS)
    tight = heuristic(wl, shapes, cs, SNAP, STATS, budget_bytes=8192, max_indexes=None, extensions=set())
    assert not tight.recommendations and any("does not fit" in n and "docs USING gin" in n for n in tight.notes)
    roomy = heuristic(wl, shapes, cs, SNAP, STATS, budget_bytes=2**34, max_indexes=None, extensions=set())
    assert roomy.recommendations and not any("does not fit" in n for n in roomy.notes)


def test_heuristic_default_budget_keeps_room_for_the_uncosted_gin():
    from dbarchitect.core.indexing.advise import heuristic

    wl = [WorkloadQuery(id="g1", sql="SELECT id FROM docs WHERE meta @> '{\"a\": 1}'", weight=10),
          *HEURISTIC_WORKLOAD]  # fmt: skip
    shapes = {q.id: analyze(q.sql, SNAP) for q in wl}
    cs = generate(shapes, SNAP, STATS)
    advice = heuristic(wl, shapes, cs, SNAP, STATS, budget_bytes=None, max_indexes=None, extensions=set())
    assert any(r.method == "gin" for r in advice.recommendations), advice.notes
    assert advice.total_size_bytes <= advice.budget_bytes


def test_heuristic_explicit_budget_still_keeps_room_for_the_uncosted_gin():
    from dbarchitect.core.indexing.advise import heuristic

    wl = [WorkloadQuery(id="g1", sql="SELECT id FROM docs WHERE meta @> '{\"a\": 1}'", weight=1),
          *HEURISTIC_WORKLOAD]  # fmt: skip
    shapes = {q.id: analyze(q.sql, SNAP) for q in wl}
    cs = generate(shapes, SNAP, STATS)
    # a budget the btree picks alone would fill
    budget = 148 * 2**20  # the two btree picks take ~145 MB, the GIN ~5 MB
    advice = heuristic(wl, shapes, cs, SNAP, STATS, budget_bytes=budget, max_indexes=None, extensions=set())
    assert any(r.method == "gin" for r in advice.recommendations), advice.notes
    assert advice.total_size_bytes <= budget
    # silent: without a GIN-only predicate the whole budget goes to the ranked btrees
    plain = heuristic(HEURISTIC_WORKLOAD, {q.id: shapes[q.id] for q in HEURISTIC_WORKLOAD},
                      generate({q.id: shapes[q.id] for q in HEURISTIC_WORKLOAD}, SNAP, STATS), SNAP, STATS,
                      budget_bytes=budget, max_indexes=None, extensions=set())  # fmt: skip
    assert not any(r.method == "gin" for r in plain.recommendations) and plain.recommendations


def test_a_jsonb_gin_counts_an_entry_of_its_own_for_documents_no_other_row_repeats():
    from dbarchitect.core.indexing.advise import static_size
    from dbarchitect.core.indexing.models import Candidate
    from dbarchitect.core.models import SchemaSnapshot

    rows = 4_050_000
    snap = SchemaSnapshot(database="t", tables=[table("events", [("id", "bigint"), ("payload", "jsonb")], rows)])
    gin = Candidate(table="public.events", keys=("payload jsonb_path_ops",), columns=("payload",), method="gin", kind="gin")
    unique = {("public.events", "payload"): _st("events", "payload", avg_width=84, n_distinct=-0.8)}
    repeated = {("public.events", "payload"): _st("events", "payload", avg_width=84, n_distinct=1517)}
    # booking's events.payload (a request id in 80 % of the events): 132 MB built
    assert 100 * 2**20 < static_size(gin, snap, unique) < 160 * 2**20
    # a few thousand distinct documents (issues.attrs): hashes shared in posting lists, a few bytes a row
    assert static_size(gin, snap, repeated) < 10 * rows


def test_the_rare_side_of_a_search_walked_under_a_limit_reads_its_whole_input():
    # `@@` on a vector with no statistics: the planner takes 0.5 % for any word, so a backward walk of
    # created_at that filters the match looks like it stops after 20 / 0.5 % of the rows
    sql = ("SELECT id FROM docs WHERE to_tsvector('simple', body) @@ plainto_tsquery('simple', $1) "
           "ORDER BY id DESC LIMIT 20")  # fmt: skip
    shape = analyze(sql, SNAP)
    walk = LimitInput(0.4, 80_000.0, 10_000.0, (ScanNode("docs", "Index Scan Backward", "",
                                                          "(to_tsvector('simple'::regconfig, body) @@ '''qzxjv'''::tsquery)"),))  # fmt: skip
    planner = 0.4 + 80_000 * 20 / 10_000
    cost, why = executor_cost(planner, walk, shape, SNAP, STATS, side="rare")
    assert cost == pytest.approx(80_000.0) and "no row holds" in why and "without the LIMIT" in why
    # the query as given (a word of unknown frequency) keeps the planner's figure; so does a GIN that
    # finds the rows in its index condition on the rare side
    assert executor_cost(planner, walk, shape, SNAP, STATS) == (planner, None)
    gin = LimitInput(30.0, 40.0, 10_000.0, (ScanNode("docs", "Bitmap Heap Scan",
                                                    "(to_tsvector('simple'::regconfig, body) @@ '''qzxjv'''::tsquery)", ""),))  # fmt: skip
    assert executor_cost(30.1, gin, shape, SNAP, STATS, side="rare") == (30.1, None)


def test_the_common_side_is_costed_with_the_most_common_value():
    # tenant 1 holds 30 % of the issues: a walk of created_at finds 20 of its rows at once — the rare
    # tenant's pricing (read much further) must not be applied to the `.common` statement
    shape = analyze("SELECT id FROM issues WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 20", SNAP)
    by_date = LimitInput(0.4, 90_000.0, 400.0, (ScanNode("issues", "Index Scan Backward", "", "(tenant_id = 1)"),))
    planner = 0.4 + 90_000 * 20 / 400
    assert executor_cost(planner, by_date, shape, SNAP, STATS, side="common") == (planner, None)
    assert executor_cost(planner, by_date, shape, SNAP, STATS)[0] > planner


def test_on_the_common_side_only_the_skewed_column_takes_its_most_common_value():
    # tenant 1 holds 30 % (skewed: 1,500× an average tenant); `state` has four values of even weight: its
    # parameter keeps its representative binding on the `.common` statement, judged as on the query as given
    from dbarchitect.core.indexing.limit import expected_matches

    shape = analyze("SELECT id FROM issues WHERE tenant_id = $1 AND state = $2 ORDER BY created_at DESC LIMIT 20", SNAP)
    common, _, why = expected_matches(shape, SNAP, STATS, side="common")["public.issues"]
    given, _, _ = expected_matches(shape, SNAP, STATS)["public.issues"]
    assert any("tenant_id: its most common value holds 30.0 %" in w for w in why)
    assert not any(w.startswith("state: its most common value") for w in why), why
    assert common == pytest.approx(given * 0.3 / rare_selectivity_of("tenant_id", shape))


def rare_selectivity_of(column, shape):
    from dbarchitect.core.indexing.limit import rare_selectivity

    (a,) = shape.accesses
    return rare_selectivity(next(p for p in a.preds if p.column == column), a, SNAP, STATS)[0]
