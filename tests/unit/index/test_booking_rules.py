"""The booking diagnoses (issue 16, advisor3), each rule with a case that fires and one that stays silent:
IN-lists / = ANY of constants judged by their values' shares, partial indexes from a small-share constant
IN-list, an OR across columns as one candidate per branch costed as a set, an uncosted GIN beside a costed
btree, the small-gain threshold (a tenfold gain for a tiny index; judged again against what the picks
leave), keys after an IN-list, and a lookup by an expression without statistics."""

from __future__ import annotations

import pytest

from dbarchitect.core.indexing.candidates import generate
from dbarchitect.core.indexing.limit import list_selectivity, rare_selectivity
from dbarchitect.core.indexing.models import ColumnStats, WorkloadQuery
from dbarchitect.core.indexing.select import Lookup, PlanCost, gin_served_cost, select, unanalyzed_expression
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.models import SchemaSnapshot

from tests.unit.index.kit import LeadingColumnOracle, pk, table

ROWS = 3_000_000


def _t(name, cols, rows=ROWS):
    return table(name, cols, rows, indexes=[pk(name)])


SNAP = SchemaSnapshot(database="t", tables=[
    _t("notifications", [("id", "bigint"), ("status", "text"), ("scheduled_at", "timestamp with time zone"),
                         ("customer_id", "bigint"), ("channel", "text")]),
    _t("customers", [("id", "bigint"), ("tenant_id", "bigint"), ("phone", "text"), ("email", "text"),
                     ("name", "text"), ("deleted_at", "timestamp with time zone"), ("labels", "integer[]")], rows=1_000_000),
    _t("appointments", [("id", "bigint"), ("tenant_id", "bigint"), ("status", "text"), ("created_at", "timestamp with time zone"),
                        ("start_at", "timestamp with time zone"), ("deleted_at", "timestamp with time zone")]),
    _t("payments", [("id", "bigint"), ("tenant_id", "bigint"), ("created_at", "timestamp"), ("amount", "numeric")]),
    _t("staff", [("id", "bigint"), ("email", "text")], rows=9_000),
])  # fmt: skip


def _st(table, col, **kw):
    return ColumnStats(table=f"public.{table}", column=col, **kw)


# a status whose three values are all in the most-common list (nothing left for "other values")
QUEUE = dict(n_distinct=3, most_common_vals=["sent", "pending", "failed"], most_common_freqs=[0.983, 0.013, 0.004])
STATS = {
    ("public.notifications", "status"): _st("notifications", "status", **QUEUE),
    ("public.notifications", "scheduled_at"): _st("notifications", "scheduled_at", n_distinct=-0.9, correlation=0.3),
    ("public.notifications", "customer_id"): _st("notifications", "customer_id", n_distinct=-0.3),
    ("public.customers", "tenant_id"): _st("customers", "tenant_id", n_distinct=3000, most_common_vals=["1"],
                                           most_common_freqs=[0.085]),  # fmt: skip
    ("public.customers", "phone"): _st("customers", "phone", n_distinct=-0.6, null_frac=0.4),
    ("public.customers", "email"): _st("customers", "email", n_distinct=-1.0),
    ("public.customers", "deleted_at"): _st("customers", "deleted_at", null_frac=0.97, n_distinct=-0.03),
    ("public.appointments", "tenant_id"): _st("appointments", "tenant_id", n_distinct=3000, most_common_vals=["1"],
                                              most_common_freqs=[0.087]),  # fmt: skip
    ("public.appointments", "status"): _st("appointments", "status", n_distinct=6,
                                           most_common_vals=["completed", "booked", "confirmed", "cancelled", "no_show"],
                                           most_common_freqs=[0.6, 0.15, 0.1, 0.1, 0.0493]),  # fmt: skip
    ("public.appointments", "created_at"): _st("appointments", "created_at", n_distinct=-1.0, correlation=1.0),
    ("public.appointments", "deleted_at"): _st("appointments", "deleted_at", null_frac=0.98, n_distinct=-0.02),
    ("public.payments", "created_at"): _st("payments", "created_at", n_distinct=-1.0, correlation=1.0),
    ("public.staff", "email"): _st("staff", "email", n_distinct=-1.0),
}

QUEUE_SQL = ("SELECT id, customer_id, channel FROM notifications WHERE status IN ('pending', 'failed') "
             "AND scheduled_at <= $1 ORDER BY scheduled_at LIMIT 100")  # fmt: skip


def _pred(sql, table, column):
    shape = analyze(sql, SNAP)
    access = next(a for a in shape.accesses if a.table == f"public.{table}")
    return next(p for p in access.preds if p.column == column), access


# --- 1. IN-lists / = ANY of constants --------------------------------------------------------------


def test_an_in_list_of_most_common_values_keeps_their_summed_share():
    p, access = _pred(QUEUE_SQL, "notifications", "status")
    assert p.kind == "in" and p.values == ("pending", "failed") and p.constant and not p.param
    sel, why = rare_selectivity(p, access, SNAP, STATS)
    assert sel == pytest.approx(0.017) and "2 of them most-common" in why  # not ~0: both values are listed
    same, _ = _pred(QUEUE_SQL.replace("IN ('pending', 'failed')", "= ANY('{pending,failed}')"), "notifications", "status")
    assert same.kind == "in" and same.values == ("pending", "failed")


def test_a_value_outside_a_list_that_names_every_value_is_never_zero_rows():
    st = STATS[("public.notifications", "status")]
    # a constant the list does not hold, all three values listed: the rarest listed value, not the residue
    assert list_selectivity(st, ROWS, ("archived",)) == pytest.approx(0.004)
    p, access = _pred("SELECT id FROM notifications WHERE status = $1 LIMIT 5", "notifications", "status")
    sel, _ = rare_selectivity(p, access, SNAP, STATS)
    assert sel == pytest.approx(0.004)


def test_a_parameter_array_is_not_a_list_of_constants():
    p, access = _pred("SELECT id FROM notifications WHERE status = ANY($1::text[]) LIMIT 5", "notifications", "status")
    assert p.kind == "in" and p.values is None and not p.constant and p.param
    sel, why = rare_selectivity(p, access, SNAP, STATS)
    assert "outside the most-common list" in why and sel == pytest.approx(3 * 0.004)


# --- 2. partial indexes from a small-share constant IN-list -----------------------------------------


def _sigs(sql, shapes=None):
    shapes = shapes or {"q1": analyze(sql, SNAP)}
    return {c.signature for c in generate(shapes, SNAP, STATS).candidates}


def test_a_queue_of_rare_states_gets_a_partial_index_keyed_by_its_order():
    sigs = _sigs(QUEUE_SQL)
    assert "public.notifications USING btree (scheduled_at) WHERE status IN ('pending', 'failed')" in sigs, sigs


def test_no_partial_for_a_list_keeping_most_rows_or_for_a_parameter():
    assert not any("WHERE status IN" in s for s in _sigs(QUEUE_SQL.replace("'pending', 'failed'", "'sent', 'pending'")))
    assert not any("WHERE status" in s for s in _sigs(QUEUE_SQL.replace("IN ('pending', 'failed')", "= ANY($2::text[])")))


def test_no_partial_when_the_same_statement_comes_with_different_lists():
    # literal variants of one statement: a parameter array inlined, not a list the application fixed
    sql = "SELECT id FROM appointments WHERE tenant_id = $1 AND status = ANY('{%s}') ORDER BY created_at DESC LIMIT 50"
    shapes = {"a": analyze(sql % "no_show", SNAP), "b": analyze(sql % "cancelled,no_show", SNAP)}
    assert not any("WHERE status" in s for s in _sigs("", shapes))
    assert any("WHERE status = ANY" in s or "WHERE status IN ('no_show')" in s for s in _sigs(sql % "no_show"))


# --- 7. keys after an IN-list -----------------------------------------------------------------------

RECENT = ("SELECT id, start_at FROM appointments WHERE tenant_id = $1 AND status = ANY($2::text[]) "
          "AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 50")  # fmt: skip


def test_an_in_list_column_does_not_come_between_the_equality_and_the_order():
    sigs = _sigs(RECENT)
    assert ("public.appointments USING btree (tenant_id, created_at DESC, id DESC) INCLUDE (start_at, status) "
            "WHERE deleted_at IS NULL") in sigs or \
        "public.appointments USING btree (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL" in sigs, sigs


def test_without_an_in_list_the_order_follows_the_equalities_only_once():
    sigs = _sigs(RECENT.replace("status = ANY($2::text[])", "status = $2"))
    # an equality keeps the order within its one range: (tenant_id, status, created_at, id) and no variant
    assert any("(tenant_id, status, created_at DESC, id DESC)" in s for s in sigs)
    assert not any("(tenant_id, created_at DESC, id DESC)" in s for s in sigs), sigs


# --- 3. OR across columns ---------------------------------------------------------------------------

OR_SQL = "SELECT id, name FROM customers WHERE tenant_id = $1 AND (phone = $2 OR email = $3) AND deleted_at IS NULL"


def test_an_or_across_columns_gives_one_candidate_per_branch_as_partners():
    shapes = {"q1": analyze(OR_SQL, SNAP)}
    cs = generate(shapes, SNAP, STATS)
    phone = next(c for c in cs.candidates if c.keys == ("phone",))
    email = next(c for c in cs.candidates if c.keys == ("email",))
    assert cs.partners[phone] == {email} and cs.partners[email] == {phone}
    assert phone.predicate == "deleted_at IS NULL"
    pre = next(c for c in cs.candidates if c.keys == ("tenant_id", "phone") and not c.include)
    assert {x.keys for x in cs.partners[pre]} == {("tenant_id", "email")}


def test_no_branch_candidates_for_keyset_pagination_or_one_column_ors():
    for sql in ["SELECT id FROM appointments WHERE tenant_id = $1 AND (created_at < $2 OR (created_at = $2 AND id > $3)) "
                "ORDER BY created_at DESC, id LIMIT 20",
                "SELECT id FROM customers WHERE phone = '1' OR phone = '2'"]:  # fmt: skip
        cs = generate({"q1": analyze(sql, SNAP)}, SNAP, STATS)
        assert not cs.partners, sql


class _OrOracle:
    """A BitmapOr only when every branch has an index: one branch alone changes nothing."""

    async def cost(self, query, indexes):
        keys = {c.keys[-1] for c in indexes if c.table == "public.customers" and c.method == "btree"}
        used = frozenset(c for c in indexes if c.keys[-1] in ("phone", "email"))
        if {"phone", "email"} <= keys:
            return PlanCost(16.0, used)
        return PlanCost(25_000.0, frozenset())

    async def size(self, cand):
        return 30 * 2**20


@pytest.mark.anyio
async def test_the_branches_are_costed_and_picked_together():
    q = WorkloadQuery(id="q1", sql=OR_SQL, weight=40)
    shapes = {"q1": analyze(q.sql, SNAP)}
    sel = await select([q], shapes, generate(shapes, SNAP, STATS), SNAP, _OrOracle(), stats=STATS)
    picked = {p.candidate.keys[-1] for p in sel.picks}
    assert picked == {"phone", "email"} and sel.final["q1"].cost == 16.0
    # the same candidates without the partner marks: each alone saves nothing, the greedy takes neither
    cs = generate(shapes, SNAP, STATS)
    cs.partners.clear()
    alone = await select([q], shapes, cs, SNAP, _OrOracle(), stats=STATS)
    assert not alone.picks


# --- 4. an uncosted GIN beside a costed btree --------------------------------------------------------

LABEL_SQL = "SELECT id FROM customers WHERE tenant_id = 1 AND labels && '{3}'::int[] AND deleted_at IS NULL"


async def _labels(matches):
    q = WorkloadQuery(id="q1", sql=LABEL_SQL, weight=10)
    shapes = {"q1": analyze(q.sql, SNAP)}
    cs = generate(shapes, SNAP, STATS)
    gin = next(c for c in cs.candidates if c.method == "gin")
    sel = await select([q], shapes, cs, SNAP, LeadingColumnOracle(matches, served=300.0, unserved=25_000.0, size_mb=20), stats=STATS, uncosted={gin: 10 * 2**20})
    return sel, gin


@pytest.mark.anyio
async def test_a_gin_the_costed_btree_already_beats_is_rejected_before_the_budget():
    pages = SNAP.table("public.customers").pages
    assert gin_served_cost(5_000, pages) > 300  # the tenant btree's plan is cheaper than the GIN's model
    sel, gin = await _labels(matches=5_000)
    assert gin not in sel.uncosted_kept and gin not in sel.pruned
    assert "static evidence" in sel.rejected[gin][1] and "q1 25,000 → 300" in sel.rejected[gin][1]
    assert [p.candidate.columns[0] for p in sel.picks] == ["tenant_id"]


@pytest.mark.anyio
async def test_a_gin_modelled_better_than_the_btree_stays():
    assert gin_served_cost(30, SNAP.table("public.customers").pages) < 300
    sel, gin = await _labels(matches=30)
    assert gin in sel.uncosted_kept


# --- 6. too small a gain -----------------------------------------------------------------------------

LOGIN = "SELECT id FROM staff WHERE lower(email) = $1 LIMIT 1"
SCAN = "SELECT count(*) FROM payments WHERE created_at >= $1"


class _LoginOracle:
    """A multi-second scan nothing helps, and a login lookup a tiny expression index makes 30× cheaper."""

    def __init__(self, login_after=8.0):
        self.login_after = login_after

    async def cost(self, query, indexes):
        if "staff" in query.sql:
            used = frozenset(c for c in indexes if c.table == "public.staff")
            return PlanCost(self.login_after if used else 264.0, used)
        return PlanCost(5_000_000.0, frozenset())

    async def size(self, cand):
        return 600_000


async def _login(after):
    qs = [WorkloadQuery(id="q1", sql=LOGIN, weight=50), WorkloadQuery(id="q2", sql=SCAN, weight=5)]
    shapes = {q.id: analyze(q.sql, SNAP) for q in qs}
    return await select(qs, shapes, generate(shapes, SNAP, STATS), SNAP, _LoginOracle(after), stats=STATS,
                        budget_bytes=900 * 2**20)  # fmt: skip


@pytest.mark.anyio
async def test_a_tiny_index_making_a_query_tenfold_cheaper_is_worth_it():
    sel = await _login(after=8.0)
    assert [p.candidate.table for p in sel.picks] == ["public.staff"]


@pytest.mark.anyio
async def test_a_small_gain_for_a_sliver_of_the_workload_is_still_refused():
    sel = await _login(after=200.0)  # 264 → 200: not tenfold (nor ≥ 30 %), 0.01 % of the workload
    assert not sel.picks
    assert any("lowers the workload cost by only" in why for _, why in sel.rejected.values())


# --- an expression without statistics -----------------------------------------------------------------


def _expr_plan(sql, table, rows=20_000.0):
    shape = analyze(sql, SNAP)
    cs = generate({"q1": shape}, SNAP, STATS)
    cand = next(c for c in cs.candidates if None in c.columns and c.table == f"public.{table}")
    return PlanCost(49_000.0, frozenset([cand]), (Lookup(cand, "Bitmap Index Scan", 1.0, rows, 48_000.0),)), shape, cand


def test_a_lookup_by_an_expression_without_statistics_is_costed_for_the_sampled_matches():
    sql = "SELECT id FROM customers WHERE lower(email) = 'a@b.c'"
    plan, shape, _ = _expr_plan(sql, "customers")
    pred = next(p.sql for p in shape.accesses[0].preds if p.kind == "expr_eq")
    cost, why = unanalyzed_expression(plan, shape, SNAP, STATS, {("public.customers", pred): 2.0})
    assert cost < 1_500 and "sample" in why
    # no sample: lower() keeps the e-mail's distinct values, so its statistics answer (near-unique)
    cost, why = unanalyzed_expression(plan, shape, SNAP, STATS)
    assert cost < 1_500 and "near-unique" in why


def test_a_collapsing_expression_is_not_judged_by_its_columns_statistics():
    sql = "SELECT sum(amount) FROM payments WHERE date(created_at) = $1"
    plan, shape, _ = _expr_plan(sql, "payments")
    assert unanalyzed_expression(plan, shape, SNAP, STATS) is None  # a day holds many timestamps


class _LaterOracle(_LoginOracle):
    """The scan gets an index too (far more bytes): the login's gain is a sliver before it, a share after."""

    async def cost(self, query, indexes):
        if "payments" in query.sql:
            used = frozenset(c for c in indexes if c.table == "public.payments")
            return PlanCost(1_000.0 if used else 5_000_000.0, used)
        return await super().cost(query, indexes)

    async def size(self, cand):
        return 8192 if cand.table == "public.staff" else 150 * 2**20


@pytest.mark.anyio
async def test_a_small_gain_refused_early_is_judged_again_against_what_the_picks_leave():
    qs = [WorkloadQuery(id="q1", sql=LOGIN, weight=1000), WorkloadQuery(id="q2", sql=SCAN, weight=5)]
    shapes = {q.id: analyze(q.sql, SNAP) for q in qs}
    sel = await select(qs, shapes, generate(shapes, SNAP, STATS), SNAP, _LaterOracle(200.0), stats=STATS,
                       budget_bytes=900 * 2**20)  # fmt: skip
    # the login index (best per byte) came first and was refused (64 k: 0.25 % of 25 M); after the scan's
    # index the workload is ~270 k and its saving is worth it
    assert [p.candidate.table for p in sel.picks][-1] == "public.staff", sel.picks
    assert "public.payments" in {p.candidate.table for p in sel.picks}
    # silent: with nothing else picked, the sliver stays refused, judged again
    alone = await _login(after=200.0)
    assert any("judged again" in why for _, why in alone.rejected.values())


class _ProbeOracle(LeadingColumnOracle):
    """Answers the GIN probe with few matches for a literal array, and records what it was asked."""

    def __init__(self):
        super().__init__(30, served=300.0, unserved=25_000.0, size_mb=20)
        self.asked: list[tuple[str, ...]] = []

    async def rows(self, table, predicates):
        self.asked.append(predicates)
        return 30.0


@pytest.mark.anyio
async def test_a_parameter_gin_predicate_is_probed_with_the_values_the_query_is_costed_with():
    sql = "SELECT id FROM customers WHERE tenant_id = 1 AND labels && $1::int[] AND deleted_at IS NULL"
    bound = WorkloadQuery(id="q1", sql=sql, weight=10, bound_parameters={"$1": "'{3}'"})
    unbound = WorkloadQuery(id="q1", sql=sql, weight=10)
    for q, probed in ((bound, True), (unbound, False)):
        shapes = {"q1": analyze(q.sql, SNAP)}
        cs = generate(shapes, SNAP, STATS)
        gin = next(c for c in cs.candidates if c.method == "gin")
        oracle = _ProbeOracle()
        sel = await select([q], shapes, cs, SNAP, oracle, stats=STATS, uncosted={gin: 10 * 2**20})
        gin_asks = [p for p in oracle.asked if any("labels" in x for x in p)]
        if probed:  # the bound value, as a literal: the planner's estimate (30 rows) makes the GIN worth it
            assert gin_asks and "'{3}'" in gin_asks[0][0] and "$1" not in gin_asks[0][0]
            assert gin in sel.uncosted_kept
        else:  # nothing to probe with: the flat default share (0.5 % of a million rows) loses to the btree
            assert not gin_asks and gin not in sel.uncosted_kept
