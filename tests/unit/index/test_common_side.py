"""A `$n` query's common side (issue 16: "a rare and a common value"): a query with an equality parameter
on a skewed column is costed twice, half its weight each — with the representative (histogram) value and,
as `<id>.common`, with the column's most common value (`workload.with_common_sides`)."""

from __future__ import annotations

from dbarchitect.core.indexing.models import ColumnStats, WorkloadQuery
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.indexing.workload import bind_common, bind_from_stats, with_common_sides
from dbarchitect.core.models import SchemaSnapshot

from tests.unit.index.kit import pk, table

SNAP = SchemaSnapshot(database="t", tables=[
    table("customers", [("id", "bigint"), ("tenant_id", "bigint"), ("phone", "text"), ("status", "text")],
          1_000_000, indexes=[pk("customers")])])  # fmt: skip
STATS = {
    # tenant 1 holds 8.5 % of the customers, 3,000 tenants in all: a common side
    ("public.customers", "tenant_id"): ColumnStats(table="public.customers", column="tenant_id", n_distinct=3000,
                                                   most_common_vals=["1", "7"], most_common_freqs=[0.085, 0.02],
                                                   histogram_bounds=["3", "900", "2615", "2999"]),
    # four statuses, the commonest at 40 %: no value stands out against the average (25 %)
    ("public.customers", "status"): ColumnStats(table="public.customers", column="status", n_distinct=4,
                                                most_common_vals=["active", "new", "idle", "banned"],
                                                most_common_freqs=[0.4, 0.3, 0.2, 0.1]),
    ("public.customers", "phone"): ColumnStats(table="public.customers", column="phone", n_distinct=-0.6,
                                               histogram_bounds=["+100", "+200", "+300"]),
}  # fmt: skip

SQL = "SELECT id FROM customers WHERE tenant_id = $1 AND phone = $2 LIMIT $3"


def test_a_skewed_equality_parameter_gets_its_most_common_value():
    rare, _ = bind_from_stats(SQL, SNAP, STATS)
    common, values = bind_common(SQL, SNAP, STATS)
    assert "tenant_id = '2615'" in rare or "tenant_id = '900'" in rare  # a histogram value: a small tenant
    assert "tenant_id = '1'" in common and values["$1"] == "'1'"
    assert "phone = '+200'" in common and common.endswith("LIMIT 10")  # the other parameters as bound


def test_no_common_side_without_skew_or_for_a_range():
    assert bind_common("SELECT id FROM customers WHERE status = $1", SNAP, STATS) == (None, {})
    assert bind_common("SELECT id FROM customers WHERE tenant_id > $1", SNAP, STATS) == (None, {})
    assert bind_common("SELECT id FROM customers WHERE phone = $1", SNAP, STATS) == (None, {})


def test_the_query_is_costed_twice_at_half_its_weight():
    q = WorkloadQuery(id="q1", sql=SQL, weight=40)
    q.explain_sql, q.bound_parameters = bind_from_stats(SQL, SNAP, STATS)
    other = WorkloadQuery(id="q2", sql="SELECT id FROM customers WHERE status = $1", weight=10)
    shapes = {x.id: analyze(x.sql, SNAP) for x in (q, other)}
    notes: list[str] = []
    out, shaped = with_common_sides([q, other], shapes, SNAP, STATS, notes)
    assert [x.id for x in out] == ["q1", "q1.common", "q2"]
    assert [x.weight for x in out] == [20, 20, 10]
    assert "tenant_id = '1'" in out[1].costed_sql and out[1].sql == SQL
    assert shaped["q1.common"] is shapes["q1"]
    assert len(notes) == 1 and "q1.common" in notes[0] and "$1 = '1'" in notes[0]


def test_a_parameter_inside_a_function_is_bound_from_the_column_it_is_compared_with():
    # `lower(email) = lower($2)`: the comparison is with phone/email, the function wraps the parameter alone
    sql = "SELECT id FROM customers WHERE tenant_id = $1 AND lower(phone) = lower($2) LIMIT 1"
    bound, values = bind_from_stats(sql, SNAP, STATS)
    assert bound is not None and "lower('+200')" in bound and set(values) == {"$1", "$2"}
    common, _ = bind_common(sql, SNAP, STATS)
    assert "tenant_id = '1'" in common and "lower('+200')" in common
