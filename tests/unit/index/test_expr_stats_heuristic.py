"""Issue 16, booking run 4 (heur2): expression statistics from a row sample, expression and skewed
composite sizes, and the heuristic estimate's heap pages, IN-lists, literal ranges, BRIN and the
no-gain risk — each with a case that fires and one that stays silent."""

from __future__ import annotations

import math

from dbarchitect.core.indexing import estimate
from dbarchitect.core.indexing.expr_stats import SampledStats, canon, duj1, expr_key, from_sample, sample_sql, targets
from dbarchitect.core.indexing.limit import rare_selectivity
from dbarchitect.core.indexing.models import Candidate, ColumnStats
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.indexing.size import btree_size
from dbarchitect.core.models import SchemaSnapshot

from tests.unit.index.kit import table

ROWS = 2_660_000
PAGES = 30_000


def _t(name, cols, rows=ROWS, pages=PAGES):
    return table(name, cols, rows, pages=pages)


SNAP = SchemaSnapshot(database="t", tables=[
    _t("payments", [("id", "bigint"), ("tenant_id", "integer"), ("status", "text"),
                    ("created_at", "timestamp without time zone"), ("amount", "numeric")]),
    _t("events", [("id", "bigint"), ("tenant_id", "bigint"), ("payload", "jsonb"),
                  ("created_at", "timestamp with time zone")], rows=4_050_000, pages=60_000),
    _t("notifications", [("id", "bigint"), ("status", "text"), ("scheduled_at", "timestamp with time zone"),
                         ("customer_id", "bigint")], rows=2_940_000, pages=25_000),
])  # fmt: skip

# tenant 1 holds 8.7 % of the payments, the i-th 8.7 % × i^-0.93 (booking's pg_stats: 100 most-common
# tenants holding 58 %, 2,762 in all)
TENANT = ColumnStats(table="public.payments", column="tenant_id", n_distinct=2762, avg_width=4, correlation=0.01,
                     most_common_vals=[str(i) for i in range(1, 101)],
                     most_common_freqs=[0.087 * i**-0.93 for i in range(1, 101)])  # fmt: skip
STATUS = ColumnStats(table="public.payments", column="status", n_distinct=3, avg_width=10,
                     most_common_vals=["succeeded", "failed", "pending"], most_common_freqs=[0.97, 0.025, 0.005])  # fmt: skip
STATS: dict = {
    ("public.payments", "tenant_id"): TENANT,
    ("public.payments", "status"): STATUS,
    ("public.payments", "created_at"): ColumnStats(table="public.payments", column="created_at", n_distinct=-0.9,
                                                   avg_width=8, correlation=1.0),
    ("public.events", "payload"): ColumnStats(table="public.events", column="payload", n_distinct=-1, avg_width=120),
    ("public.events", "tenant_id"): ColumnStats(table="public.events", column="tenant_id", n_distinct=3000,
                                                avg_width=8, most_common_vals=["1"], most_common_freqs=[0.087]),
    ("public.notifications", "status"): ColumnStats(
        table="public.notifications", column="status", n_distinct=4, avg_width=5, correlation=0.9,
        most_common_vals=["sent", "pending", "failed", "cancelled"], most_common_freqs=[0.95, 0.013, 0.004, 0.033]),
    ("public.notifications", "scheduled_at"): ColumnStats(
        table="public.notifications", column="scheduled_at", n_distinct=-0.5, avg_width=8, correlation=0.99,
        histogram_bounds=["2023-06-01 00:00:00+00", "2024-06-01 00:00:00+00", "2025-06-01 00:00:00+00",
                          "2026-06-01 00:00:00+00", "2026-08-01 00:00:00+00"]),
}  # fmt: skip
# what the sample measured (`expr_stats.from_sample`): the request id near-unique, a day ~2,400 payments
SAMPLED = {
    expr_key("public.events", "((payload ->> 'request_id'))"): SampledStats(
        table="public.events", column="payload->>'request_id'", null_frac=0.2, n_distinct=-0.8, avg_width=25,
        type_name="text", sampled=30_000, table_rows=4_050_000),
    expr_key("public.payments", "(DATE(created_at))"): SampledStats(
        table="public.payments", column="date(created_at)", n_distinct=1097, avg_width=4, type_name="date",
        sampled=30_000, table_rows=ROWS),
}  # fmt: skip


def _c(table, keys, cols, **kw):
    return Candidate(table=f"public.{table}", keys=tuple(keys), columns=tuple(cols), **kw)


# --- the sample's figures -------------------------------------------------------------------------


def test_duj1_counts_a_near_unique_sample_as_the_table_and_a_repeating_one_as_what_it_saw():
    assert duj1(30_000, 30_000, 30_000, 4_000_000) == 4_000_000  # every value seen once: unique
    assert duj1(30_000, 1097, 0, 2_660_000) == 1097  # every value seen repeatedly: the sample saw them all


def test_from_sample_reads_width_nulls_distinct_and_most_common_values():
    exprs = ["((payload ->> 'source'))", "(DATE(created_at))"]
    row = [30_000,
           ["30000", "0", "7", "text", "4", "0", '{web,api,import,admin}', "{18000,8700,3000,300}"],
           ["30000", "0", "4", "date", "1097", "0", '{2024-05-31}', "{45}"]]  # fmt: skip
    got = from_sample("public.events", 4_050_000, exprs, row)
    src = got[expr_key("public.events", "(payload->>'source')")]
    assert src.distinct(4_050_000) == 4 and src.most_common_vals[0] == "web"
    # the width as measured: the sampled values come out of a MATERIALIZED CTE, already in the short-header
    # form an index tuple stores (request_id on booking: 25 = 24 characters + 1)
    assert math.isclose(src.most_common_freqs[0], 0.6) and src.avg_width == 7
    assert got[expr_key("public.events", "date(created_at)")].avg_width == 4  # fixed width: unchanged
    assert from_sample("public.events", 4_050_000, exprs, [0, None, None]) == {}  # an empty sample: nothing


def test_targets_and_sql_name_only_expressions():
    expr = _c("events", ["((payload ->> 'request_id'))"], [None])
    plain = _c("events", ["tenant_id"], ["tenant_id"])
    got = targets([expr, plain], [("public.payments", "DATE(created_at)")])
    assert got == {"public.events": ["((payload ->> 'request_id'))"], "public.payments": ["(DATE(created_at))"]}
    assert targets([plain]) == {}
    sql = sample_sql("public.events", 4_050_000, got["public.events"])
    assert "TABLESAMPLE BERNOULLI (0.74" in sql and "REPEATABLE (42)" in sql and "((payload ->> 'request_id')) AS v" in sql
    assert canon(" ((payload ->> 'request_id')) DESC") == canon("payload->>'request_id'")


# --- sizes ----------------------------------------------------------------------------------------


def test_an_expression_key_is_sized_from_its_sample_and_not_without_it():
    rq = _c("events", ["((payload ->> 'request_id'))"], [None])
    assert btree_size(rq, SNAP, STATS) is None  # no statistics: the caller keeps HypoPG's (333 MB) figure
    est = btree_size(rq, SNAP, {**STATS, **SAMPLED})
    # built on booking: 159 MB (a near-unique text key of 24 characters + a 1-byte header: 40-byte index
    # tuples; the 20 % NULL rows deduplicated into one key's posting lists)
    assert est is not None and abs(est / (159.1 * 2**20) - 1) < 0.15, est / 2**20


def test_a_skewed_leading_key_deduplicates_its_big_groups():
    # (tenant_id, date(created_at)): the product of distinct counts (3.3 M) caps at one key per row;
    # the huge tenants' days repeat hundreds of times. Built on booking: 34.2 MB
    day = _c("payments", ["tenant_id", "(DATE(created_at))"], ["tenant_id", None])
    est = btree_size(day, SNAP, {**STATS, **SAMPLED})
    # at least the heap pointers (6 bytes a row), at most one 24-byte tuple per row
    assert est is not None and abs(est / (34.2 * 2**20) - 1) < 0.25, est / 2**20
    # silent: a leading column without most-common values keeps the uniform spread (one tuple per row here)
    flat = {**STATS, **SAMPLED, ("public.payments", "tenant_id"): TENANT.model_copy(
        update={"most_common_vals": [], "most_common_freqs": []})}  # fmt: skip
    uniform = btree_size(day, SNAP, flat)
    assert uniform is not None and uniform > 1.3 * est


# --- heuristic estimate ---------------------------------------------------------------------------


def _access(sql, table):
    shape = analyze(sql, SNAP)
    return shape, next(a for a in shape.accesses if a.table == f"public.{table}")


def test_an_expression_is_judged_on_its_sample_not_on_the_column_under_it():
    shape, a = _access("SELECT sum(amount) FROM payments WHERE tenant_id = $1 AND date(created_at) = $2", "payments")
    p = next(x for x in a.preds if x.kind == "expr_eq")
    through_column = rare_selectivity(p, a, SNAP, STATS)
    # date() is not as distinct as created_at: without a sample it is not judged through the column
    assert through_column is None or through_column[0] > 1e-5
    sampled = estimate.selectivity(p, a, SNAP, {**STATS, **SAMPLED})
    assert sampled is not None and math.isclose(sampled[0], 1 / 1097, rel_tol=0.01) and "sampled" in sampled[1]
    assert estimate.selectivity(p, a, SNAP, STATS) == through_column  # silent without a sample


def test_heap_pages_of_a_common_tenant_cost_a_sequential_read_not_four_times_it():
    big = estimate.heap_cost(0.085 * ROWS, ROWS, PAGES, 0.0)  # 226 k rows over every page
    assert PAGES * 0.95 < big < PAGES * 1.2  # before: min(fetched, pages) × 4 = 120,000
    few = estimate.heap_cost(20, ROWS, PAGES, 0.0)  # twenty scattered rows: twenty random pages
    assert 70 < few <= 80
    ordered = estimate.heap_cost(20_000, ROWS, PAGES, 1.0)  # in physical order: 20 k / 89 rows per page
    assert ordered < 2 * 20_000 / (ROWS / PAGES) * 4


def test_an_index_no_cheaper_than_the_scan_on_the_common_side_is_counted_at_the_risk():
    shape, a = _access("SELECT sum(amount) FROM payments WHERE tenant_id = $1 AND status = 'succeeded'", "payments")
    c = _c("payments", ["tenant_id", "status"], ["tenant_id", "status"])
    rare = estimate._index_cost(c, a, shape, SNAP, STATS, False)
    common = estimate._index_cost(c, a, shape, SNAP, STATS, True)
    seq_common = estimate._seq_cost(a, shape, SNAP, STATS, True)
    assert rare is not None and common is not None and common >= seq_common  # tenant 1: every page
    mean = estimate.index_cost(c, a, shape, SNAP, STATS)
    assert math.isclose(mean, 0.5 * (rare + estimate.NO_GAIN_RISK * seq_common))
    # silent: a selective status (2.5 % of the rows) keeps the index cheaper on both sides
    shape2, a2 = _access("SELECT id FROM payments WHERE tenant_id = $1 AND status = 'failed'", "payments")
    r2 = estimate._index_cost(c, a2, shape2, SNAP, STATS, False)
    c2 = estimate._index_cost(c, a2, shape2, SNAP, STATS, True)
    assert math.isclose(estimate.index_cost(c, a2, shape2, SNAP, STATS), 0.5 * (r2 + c2))


QUEUE = ("SELECT id FROM notifications WHERE status IN ('pending', 'failed') AND scheduled_at <= '2026-06-01 00:00:00+00' "
         "ORDER BY scheduled_at LIMIT 100")  # fmt: skip


def test_an_in_list_of_literals_keeps_its_values_shares_and_a_parameter_list_does_not():
    shape, a = _access(QUEUE, "notifications")
    p = next(x for x in a.preds if x.kind == "in")
    got = estimate.in_list_share(p, a, SNAP, STATS)
    assert got is not None and math.isclose(got[0], 0.017)
    # the common side no longer reads it as three times the most common status (95 % 'sent')
    assert estimate.selectivity(p, a, SNAP, STATS, True)[0] == got[0]
    shape2, a2 = _access("SELECT id FROM notifications WHERE status IN ($1, $2) LIMIT 10", "notifications")
    p2 = next(x for x in a2.preds if x.kind == "in")
    assert estimate.in_list_share(p2, a2, SNAP, STATS) is None


def test_an_in_list_on_a_key_breaks_the_order_of_the_keys_after_it():
    shape, a = _access(QUEUE, "notifications")
    after_in = _c("notifications", ["status", "scheduled_at"], ["status", "scheduled_at"])
    walk = _c("notifications", ["scheduled_at"], ["scheduled_at"])
    # (status, scheduled_at) is two ranges: all 50 k due matches fetched and sorted; (scheduled_at)
    # walks in order and stops after 100 matches
    assert estimate._index_cost(after_in, a, shape, SNAP, STATS, False) > 10 * estimate._index_cost(walk, a, shape, SNAP, STATS, False)
    one = "SELECT id FROM notifications WHERE status IN ('pending') ORDER BY scheduled_at LIMIT 100"
    shape1, a1 = _access(one, "notifications")
    assert estimate._index_cost(after_in, a1, shape1, SNAP, STATS, False) < 2_000  # one value: one ordered range


def test_a_literal_range_is_read_off_the_histogram_and_a_parameter_is_not():
    shape, a = _access(QUEUE, "notifications")
    assert math.isclose(estimate.range_share("scheduled_at", a, STATS), 0.75)
    window = ("SELECT id FROM notifications WHERE scheduled_at >= '2024-06-01 00:00:00+00' "
              "AND scheduled_at < '2025-06-01 00:00:00+00'")  # fmt: skip
    assert math.isclose(estimate.range_share("scheduled_at", _access(window, "notifications")[1], STATS), 0.25)
    param = "SELECT id FROM notifications WHERE scheduled_at <= $1 ORDER BY scheduled_at LIMIT 100"
    assert estimate.range_share("scheduled_at", _access(param, "notifications")[1], STATS) is None


def test_a_brin_gives_no_order_and_narrows_only_as_far_as_the_column_follows_the_heap():
    shape, a = _access(QUEUE, "notifications")
    brin = _c("notifications", ["scheduled_at"], ["scheduled_at"], method="brin")
    seq = estimate._seq_cost(a, shape, SNAP, STATS, False)
    cost = estimate._index_cost(brin, a, shape, SNAP, STATS, False)
    assert cost is not None and cost > 0.5 * seq  # ~75 % of the table: before, priced as a btree stopping at 100 rows
    week = ("SELECT id FROM notifications WHERE scheduled_at >= '2025-06-01 00:00:00+00' "
            "AND scheduled_at < '2025-06-08 00:00:00+00'")  # fmt: skip
    shape_w, a_w = _access(week, "notifications")
    narrow = estimate._index_cost(brin, a_w, shape_w, SNAP, STATS, False)
    assert narrow < 0.3 * estimate._seq_cost(a_w, shape_w, SNAP, STATS, False)
    unordered = {**STATS, ("public.notifications", "scheduled_at"): STATS[("public.notifications", "scheduled_at")].model_copy(
        update={"correlation": 0.0})}  # fmt: skip
    assert estimate._index_cost(brin, a_w, shape_w, SNAP, unordered, False) >= estimate._seq_cost(a_w, shape_w, SNAP, unordered, False)


def test_a_brin_on_the_inner_side_of_a_lateral_is_paid_per_outer_row():
    snap = SchemaSnapshot(database="t", tables=[*SNAP.tables, _t("locations", [("id", "bigint"), ("tenant_id", "bigint")],
                                                                rows=3_000, pages=20)])  # fmt: skip
    stats = {**STATS, ("public.locations", "tenant_id"): ColumnStats(
        table="public.locations", column="tenant_id", n_distinct=300, most_common_vals=["1"], most_common_freqs=[0.1])}
    lateral = ("SELECT l.id, x.id FROM locations l, LATERAL (SELECT n.id FROM notifications n WHERE n.customer_id = l.id "
               "AND n.scheduled_at >= '2025-06-01 00:00:00+00' ORDER BY n.scheduled_at LIMIT 3) x WHERE l.tenant_id = 1")
    shape = analyze(lateral, snap)
    a = next(x for x in shape.accesses if x.table == "public.notifications")
    brin = _c("notifications", ["scheduled_at"], ["scheduled_at"], method="brin")
    per_row = estimate._brin_cost(brin, a, shape, snap, stats, False, 2_940_000, 25_000)
    # silent: the same filter with the customer as a parameter is one scan
    single = analyze("SELECT n.id FROM notifications n WHERE n.customer_id = $1 AND n.scheduled_at >= "
                     "'2025-06-01 00:00:00+00' ORDER BY n.scheduled_at LIMIT 3", snap)
    once = estimate._brin_cost(brin, single.accesses[0], single, snap, stats, False, 2_940_000, 25_000)
    assert per_row >= 100 * once  # 300 locations of tenant 1, each a bitmap scan of the same ranges
