"""Bytes like an expert (issue 16, advisor2), each rule with a case that fires and one that stays silent:
the final pruning pass (a btree a GIN already serves; benefit per byte far below the set's), the GIN kinds
and btrees on one scale within the budget, equality columns a functional dependency implies left out of
keys, merged INCLUDE candidates, and literals judged per query template."""

from __future__ import annotations

import pytest

from dbarchitect.core.indexing.candidates import fk_implied, generate, without_implied
from dbarchitect.core.indexing.models import ColumnStats, WorkloadQuery
from dbarchitect.core.indexing.select import PlanCost, gin_served_cost, select
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.models import Constraint, ForeignKeyRef, SchemaSnapshot

from tests.unit.index.kit import LeadingColumnOracle, pk, table

ROWS = 2_000_000


def _t(name, cols, rows=ROWS, indexes=(), constraints=()):
    return table(name, cols, rows, indexes, constraints)


_pk = pk


ISSUE_COLS = [("id", "bigint"), ("tenant_id", "bigint"), ("project_id", "bigint"), ("status", "text"),
              ("created_at", "timestamp with time zone"), ("title", "text"), ("rating", "int")]  # fmt: skip


def _snap(composite_fk: bool) -> SchemaSnapshot:
    fks = [Constraint(name="issues_project_fk", kind="foreign_key", columns=["tenant_id", "project_id"], definition="",
                      references=ForeignKeyRef(table="public.projects", columns=["tenant_id", "id"]))] if composite_fk else []
    return SchemaSnapshot(database="t", tables=[
        _t("issues", ISSUE_COLS, indexes=[_pk("issues")], constraints=fks),
        _t("projects", [("id", "bigint"), ("tenant_id", "bigint")], rows=20_000, indexes=[_pk("projects")]),
    ])  # fmt: skip


SNAP = _snap(composite_fk=False)


def _st(col, **kw):
    return ColumnStats(table="public.issues", column=col, **kw)


STATS = {
    ("public.issues", "tenant_id"): _st("tenant_id", n_distinct=2000, correlation=0.0, avg_width=8),
    ("public.issues", "project_id"): _st("project_id", n_distinct=20000, correlation=0.0, avg_width=8),
    ("public.issues", "status"): _st("status", n_distinct=4, most_common_vals=["paid", "delivered"],
                                     most_common_freqs=[0.03, 0.9], avg_width=8),  # fmt: skip
    ("public.issues", "created_at"): _st("created_at", n_distinct=-1.0, correlation=0.99, avg_width=8),
    ("public.issues", "title"): _st("title", n_distinct=-0.9, avg_width=40),
    ("public.issues", "rating"): _st("rating", n_distinct=5, avg_width=4),
}


@pytest.fixture
def anyio_backend():
    return "asyncio"


# --- functional dependencies --------------------------------------------------------------------

KEYSET = "SELECT id FROM issues WHERE project_id = $1 AND tenant_id = $2 ORDER BY created_at DESC LIMIT 20"


def _keys(cs, lead):
    return {c.columns for c in cs.candidates if c.method == "btree" and c.columns and c.columns[0] == lead}


def test_a_composite_foreign_key_proves_project_determines_tenant():
    assert ("public.issues", "project_id", "tenant_id") in fk_implied(_snap(composite_fk=True))
    assert ("public.issues", "tenant_id", "project_id") not in fk_implied(_snap(composite_fk=True))
    assert not fk_implied(SNAP)


def test_an_implied_equality_column_is_left_out_of_the_key():
    snap = _snap(composite_fk=True)
    shapes = {"q1": analyze(KEYSET, snap)}
    keys = _keys(generate(shapes, snap, STATS), "project_id")
    assert ("project_id", "created_at") in keys and not any("tenant_id" in k for k in keys), keys
    # the same from a sample of the rows (live: index_advisor.implied_on_sample)
    keys = _keys(generate({"q1": analyze(KEYSET, SNAP)}, SNAP, STATS, {("public.issues", "project_id", "tenant_id")}),
                 "project_id")  # fmt: skip
    assert ("project_id", "created_at") in keys and not any("tenant_id" in k for k in keys), keys


def test_without_a_dependency_both_equality_columns_are_keys():
    keys = _keys(generate({"q1": analyze(KEYSET, SNAP)}, SNAP, STATS), "project_id")
    assert ("project_id", "tenant_id", "created_at") in keys, keys
    assert without_implied("t", ["a", "b"], set()) == ["a", "b"]
    assert without_implied("t", ["a", "b"], {("t", "a", "b")}) == ["a"]


# --- merged INCLUDE candidates ---------------------------------------------------------------------

SUMMARY = "SELECT count(*), avg(rating) FROM issues WHERE project_id = $1"
NEWEST = "SELECT id FROM issues WHERE project_id = $1 ORDER BY created_at DESC LIMIT 10"


def test_an_include_and_a_longer_key_on_the_same_lead_merge_into_one_candidate():
    shapes = {"q1": analyze(SUMMARY, SNAP), "q2": analyze(NEWEST, SNAP)}
    cs = generate(shapes, SNAP, STATS)
    merged = [c for c in cs.candidates if c.columns == ("project_id", "created_at") and c.include == ("rating",)]
    assert merged and cs.queries[merged[0]] == {"q1", "q2"}, cs.candidates


def test_no_merged_candidate_without_the_include_query():
    cs = generate({"q2": analyze(NEWEST, SNAP)}, SNAP, STATS)
    assert not [c for c in cs.candidates if "rating" in " ".join(c.include)]


# --- literals per query template -------------------------------------------------------------------


def test_constants_of_different_queries_each_may_be_a_partial_predicate():
    shapes = {"q1": analyze("SELECT id FROM issues WHERE status = 'paid' ORDER BY created_at LIMIT 100", SNAP),
              "q2": analyze("SELECT id FROM issues WHERE project_id = $1 AND status = 'delivered' LIMIT 1", SNAP)}
    cs = generate(shapes, SNAP, STATS)
    assert any(c.predicate == "status = 'paid'" for c in cs.candidates), cs.candidates
    # silent: the same query with two values inlined is a parameter (tests/unit/index/test_oltp_rules.py too)
    same = {"q1": shapes["q1"], "q3": analyze("SELECT id FROM issues WHERE status = 'delivered' ORDER BY created_at "
                                             "LIMIT 100", SNAP)}  # fmt: skip
    assert not any(c.predicate and "status" in c.predicate for c in generate(same, SNAP, STATS).candidates)


# --- GIN model -------------------------------------------------------------------------------------


def test_gin_cost_under_a_limit_without_order_is_charged_pro_rata():
    full = gin_served_cost(10_000, 30_000)
    limited = gin_served_cost(10_000, 30_000, limit=20)
    assert limited < full / 50
    assert gin_served_cost(10, 30_000) == pytest.approx(gin_served_cost(10, 30_000, limit=20))  # fewer rows than the LIMIT


# --- the final pruning pass ------------------------------------------------------------------------

ILIKE = "SELECT id, title FROM issues WHERE tenant_id = 5 AND title ILIKE '%abcde%' LIMIT 20"


async def _ilike(matches: float, with_gin: bool = True, budget: int | None = None):
    q = WorkloadQuery(id="q1", sql=ILIKE, weight=10)
    shapes = {"q1": analyze(q.sql, SNAP)}
    cs = generate(shapes, SNAP, STATS)
    gin = next(c for c in cs.candidates if c.kind == "gin_trgm")
    uncosted = {gin: 30 * 2**20} if with_gin else None
    sel = await select([q], shapes, cs, SNAP, LeadingColumnOracle(matches, served=300.0, unserved=5000.0, size_mb=40), stats=STATS, uncosted=uncosted, budget_bytes=budget)
    return sel, gin


@pytest.mark.anyio
async def test_a_btree_serving_what_a_picked_gin_serves_better_is_pruned():
    sel, gin = await _ilike(matches=10)
    assert not sel.picks, sel.picks
    assert gin in sel.uncosted_kept and sel.uncosted_kept[gin]["q1"][1] < 300
    (why,) = [w for c, (_, _, w) in sel.pruned.items() if c.columns[0] == "tenant_id"]
    assert "adds nothing" in why and "q1 " in why


@pytest.mark.anyio
async def test_a_btree_the_gin_cannot_beat_stays():
    sel, gin = await _ilike(matches=1_500_000)  # a common fragment: the trigram index matches most rows
    assert [p.candidate.columns[0] for p in sel.picks] == ["tenant_id"]
    assert gin not in sel.uncosted_kept  # it adds nothing next to the btree (a model, not a plan: static evidence)
    assert gin in sel.pruned or "static evidence" in sel.rejected[gin][1]
    sel, _ = await _ilike(matches=10, with_gin=False)  # no GIN given: nothing to weigh it against
    assert [p.candidate.columns[0] for p in sel.picks] == ["tenant_id"] and not sel.pruned


@pytest.mark.anyio
async def test_the_whole_set_gin_included_stays_within_the_budget():
    sel, gin = await _ilike(matches=1_500_000, budget=2**40)
    total = sum(p.size for p in sel.picks) + sum(sel.uncosted[g] for g in sel.uncosted_kept)
    assert total <= 2**40
    sel, gin = await _ilike(matches=10, budget=35 * 2**20)  # room for one of them: the GIN, which buys more
    kept = sum(p.size for p in sel.picks) + sum(sel.uncosted[g] for g in sel.uncosted_kept)
    assert kept <= 35 * 2**20 and gin in sel.uncosted_kept


class _TwoQueryOracle:
    """Index on project_id: q1 100,000 → 10; index on status: q2 `q2_without` → `q2_with` (900 → 100: a
    cheap query made cheaper; 20,000 → 100: a scan turned into a lookup)."""

    def __init__(self, q2_without: float = 900.0, q2_with: float = 100.0):
        self.q2 = (q2_without, q2_with)

    async def cost(self, query, indexes):
        lead = {c.columns[0] for c in indexes if c.columns}
        if query.id == "q1":
            return PlanCost(10.0 if "project_id" in lead else 100_000.0,
                            frozenset(c for c in indexes if c.columns[0] == "project_id"))
        return PlanCost(self.q2[1] if "status" in lead else self.q2[0],
                        frozenset(c for c in indexes if c.columns[0] == "status"))

    async def size(self, cand):
        return (800 if cand.columns[0] == "project_id" else 60) * 2**20


async def _two(weight2: float, oracle=None):
    wl = [WorkloadQuery(id="q1", sql="SELECT id FROM issues WHERE project_id = $1", weight=100),
          WorkloadQuery(id="q2", sql="SELECT id FROM issues WHERE status = $1", weight=weight2)]  # fmt: skip
    shapes = {q.id: analyze(q.sql, SNAP) for q in wl}
    return await select(wl, shapes, generate(shapes, SNAP, {}), SNAP, oracle or _TwoQueryOracle(), budget_bytes=2**40)


@pytest.mark.anyio
async def test_an_index_buying_far_less_per_byte_than_the_set_is_pruned():
    sel = await _two(weight2=5)
    assert [p.candidate.columns[0] for p in sel.picks] == ["project_id"], sel.picks
    (why,) = [w for c, (_, _, w) in sel.pruned.items() if c.columns[0] == "status"]
    assert "of the members' benefit per byte" in why


@pytest.mark.anyio
async def test_an_index_turning_a_scan_into_a_lookup_is_not_pruned_for_its_bytes():
    # the same low benefit per byte, but without it q2 goes back to a scan (20,000 units, not 900), and it is
    # under a tenth of the set's bytes (60 of 860 MB)
    sel = await _two(weight2=0.25, oracle=_TwoQueryOracle(q2_without=20_000.0))
    assert sorted(p.candidate.columns[0] for p in sel.picks) == ["project_id", "status"] and not sel.pruned
    # a member holding a larger share of the set's bytes pays its way per byte like any other
    big = _TwoQueryOracle(q2_without=20_000.0)
    big.size = _sized({"project_id": 300, "status": 100})
    sel = await _two(weight2=0.25, oracle=big)
    assert [p.candidate.columns[0] for p in sel.picks] == ["project_id"] and sel.pruned


def _sized(mb):
    async def size(cand):
        return mb[cand.columns[0]] * 2**20
    return size


@pytest.mark.anyio
async def test_an_index_buying_a_fair_share_per_byte_stays():
    sel = await _two(weight2=300)
    assert sorted(p.candidate.columns[0] for p in sel.picks) == ["project_id", "status"] and not sel.pruned


@pytest.mark.anyio
@pytest.mark.parametrize("given, ratio, kept", [
    (False, 1.5, True),   # no budget_mb: the trigram index for a rare search stays beyond the default budget
    (True, 1.5, False),   # the caller's budget_mb is hard
    (False, 2.5, False),  # not beyond DEFAULT_BUDGET_CEILING × the default budget
])  # fmt: skip
async def test_a_gin_turning_a_search_into_a_lookup_may_go_beyond_the_default_budget(given, ratio, kept):
    from dbarchitect.core.indexing.select import default_budget

    q = WorkloadQuery(id="q1", sql=ILIKE, weight=10)
    shapes = {"q1": analyze(q.sql, SNAP)}
    cs = generate(shapes, SNAP, STATS)
    gin = next(c for c in cs.candidates if c.kind == "gin_trgm")
    default = default_budget(SNAP, shapes)
    oracle = LeadingColumnOracle(10, served=300.0, unserved=5000.0, size_mb=40)
    sel = await select([q], shapes, cs, SNAP, oracle, stats=STATS, uncosted={gin: int(ratio * default)},
                       budget_bytes=default if given else None)  # fmt: skip
    assert (gin in sel.uncosted_kept) is kept, (sel.pruned, sel.rejected.get(gin))
    assert (gin in sel.over_budget) is kept
    if not kept:
        assert "exceeds the" in sel.pruned[gin][2]
