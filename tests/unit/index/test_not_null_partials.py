"""Leading keys that are mostly NULL (issue 16): a strict lookup's candidate leaves the NULLs out
(`WHERE phone IS NOT NULL`, `candidates.not_null_partials`), the heuristic sees that predicate as implied
by the lookup, and a btree's NULL rows are sized as one deduplicated key, not spread over the values.
Figures from booking (built with CREATE INDEX on PostgreSQL 15, 2026-12-05): payments (provider_ref)
88 MB, WHERE provider_ref IS NOT NULL 82 MB; customers (phone) 21 MB / 18 MB."""

from __future__ import annotations

from dbarchitect.core.indexing.candidates import generate, not_null_partials
from dbarchitect.core.indexing.estimate import _implied
from dbarchitect.core.indexing.expr_stats import SampledStats, expr_key
from dbarchitect.core.indexing.models import Candidate, ColumnStats
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.indexing.size import btree_size
from dbarchitect.core.models import Index, SchemaSnapshot

from tests.unit.index.kit import pk, table

PAYMENTS = 2_663_185
SNAP = SchemaSnapshot(database="t", tables=[
    table("payments", [("id", "bigint"), ("tenant_id", "bigint"), ("provider_ref", "text"), ("status", "text")],
          PAYMENTS, indexes=[pk("payments")]),
    table("customers", [("id", "bigint"), ("tenant_id", "bigint"), ("phone", "text"), ("email", "text"),
                        ("deleted_at", "timestamp with time zone")], 1_000_000, indexes=[pk("customers")]),
    table("events", [("id", "bigint"), ("payload", "jsonb")], 4_050_000, indexes=[pk("events")]),
])  # fmt: skip


def _st(t, col, **kw):
    return ColumnStats(table=f"public.{t}", column=col, **kw)


STATS = {
    ("public.payments", "provider_ref"): _st("payments", "provider_ref", null_frac=0.349, n_distinct=-0.651, avg_width=28),
    ("public.payments", "tenant_id"): _st("payments", "tenant_id", n_distinct=3000, avg_width=8),
    ("public.payments", "status"): _st("payments", "status", n_distinct=4, avg_width=8),
    ("public.customers", "phone"): _st("customers", "phone", null_frac=0.404, n_distinct=-0.596, avg_width=14),
    ("public.customers", "email"): _st("customers", "email", null_frac=0.0, n_distinct=-1.0, avg_width=30),
    ("public.customers", "tenant_id"): _st("customers", "tenant_id", n_distinct=3000, avg_width=8),
    ("public.customers", "deleted_at"): _st("customers", "deleted_at", null_frac=0.97, n_distinct=-0.03, avg_width=8),
    expr_key("public.events", "(payload ->> 'request_id')"): SampledStats(
        table="public.events", column="payload->>'request_id'", null_frac=0.2, n_distinct=-0.8, avg_width=25,
        type_name="text", sampled=30_000, table_rows=4_050_000),
}  # fmt: skip


def _cands(*sqls, stats=STATS, snap=SNAP):
    shapes = {f"q{i + 1}": analyze(s, snap) for i, s in enumerate(sqls)}
    cset = generate(shapes, snap, stats)
    not_null_partials(cset, shapes, snap, stats)
    return cset, shapes


def _sigs(cset, table):
    return {c.signature for c in cset.candidates if c.table == f"public.{table}"}


def test_a_strict_lookup_on_a_mostly_null_column_becomes_partial():
    cset, _ = _cands("SELECT id, status FROM payments WHERE provider_ref = $1")
    sigs = _sigs(cset, "payments")
    assert "public.payments USING btree (provider_ref) WHERE provider_ref IS NOT NULL" in sigs
    assert "public.payments USING btree (provider_ref)" not in sigs
    c = next(c for c in cset.candidates if c.predicate == "provider_ref IS NOT NULL" and not c.include)
    assert "35 % of the rows are NULL" in cset.reasons[c]


def test_few_nulls_or_a_non_strict_reader_keep_the_full_index():
    few = {**STATS, ("public.payments", "provider_ref"): _st("payments", "provider_ref", null_frac=0.05,
                                                             n_distinct=-0.9, avg_width=28)}  # fmt: skip
    cset, _ = _cands("SELECT id FROM payments WHERE provider_ref = $1", stats=few)
    assert "public.payments USING btree (provider_ref)" in _sigs(cset, "payments")
    assert not any("IS NOT NULL" in (c.predicate or "") for c in cset.candidates)
    # a second query that walks the column in order (no filter on it) asks for the same full candidate:
    # the NULLs are rows it may return, so the index keeps them
    cset, _ = _cands("SELECT id FROM payments WHERE provider_ref = $1",
                     "SELECT provider_ref FROM payments ORDER BY provider_ref LIMIT 20")
    assert "public.payments USING btree (provider_ref)" in _sigs(cset, "payments")


def test_an_or_branch_and_an_expression_become_partial_too():
    cset, _ = _cands("SELECT id FROM customers WHERE tenant_id = $1 AND deleted_at IS NULL AND (phone = $2 OR email = $3)")
    phone = [c for c in cset.candidates if c.columns and c.columns[-1] == "phone"]  # (phone), (tenant_id, phone)
    assert len(phone) >= 2 and all(c.predicate == "deleted_at IS NULL AND phone IS NOT NULL" for c in phone)
    email = [c for c in cset.candidates if c.columns and c.columns[-1] == "email"]
    assert email and all(c.predicate == "deleted_at IS NULL" for c in email)  # no NULL emails: unchanged
    paired = [c for c in phone if c in cset.partners]  # the OR's branch candidates: still picked with email's
    assert paired and all(any(p.columns[-1] == "email" for p in cset.partners[c]) for c in paired)
    cset, _ = _cands("SELECT id FROM events WHERE (payload ->> 'request_id') = $1")
    (expr,) = [c for c in cset.candidates if c.table == "public.events"]
    assert expr.predicate == "(payload ->> 'request_id') IS NOT NULL"  # its NULL share from the row sample


def test_an_existing_partial_index_covers_the_rewritten_candidate():
    have = Index(name="payments_ref", columns=["provider_ref"], expressions=["provider_ref"],
                 predicate="provider_ref IS NOT NULL",
                 definition="CREATE INDEX payments_ref ON public.payments USING btree (provider_ref) WHERE provider_ref IS NOT NULL")  # fmt: skip
    snap = SchemaSnapshot(database="t", tables=[
        table("payments", [("id", "bigint"), ("provider_ref", "text"), ("status", "text")], PAYMENTS,
              indexes=[pk("payments"), have]), *SNAP.tables[1:]])  # fmt: skip
    cset, _ = _cands("SELECT id FROM payments WHERE provider_ref = $1", snap=snap)
    assert not any(c.columns == ("provider_ref",) and not c.include for c in cset.candidates)
    assert "payments_ref" in cset.covered.values()


def test_the_heuristic_takes_not_null_as_implied_by_a_strict_comparison_only():
    lookup = analyze("SELECT id FROM payments WHERE provider_ref = $1", SNAP).accesses[0]
    scan = analyze("SELECT id FROM payments WHERE status = 'failed'", SNAP).accesses[0]
    assert _implied("provider_ref IS NOT NULL", lookup)
    assert not _implied("provider_ref IS NOT NULL", scan)
    expr = analyze("SELECT id FROM events WHERE (payload ->> 'request_id') = $1", SNAP).accesses[0]
    assert _implied("(payload ->> 'request_id') IS NOT NULL", expr)


def _mb(c):
    return btree_size(c, SNAP, STATS) / 2**20


def test_null_rows_are_sized_as_one_deduplicated_key():
    full = Candidate(table="public.payments", keys=("provider_ref",), columns=("provider_ref",))
    part = full.model_copy(update={"predicate": "provider_ref IS NOT NULL", "kind": "partial"})
    assert abs(_mb(full) / 88 - 1) < 0.15, _mb(full)  # was 112 MB: the NULLs spread as if distinct values
    assert abs(_mb(part) / 82 - 1) < 0.15, _mb(part)
    assert _mb(part) < _mb(full)
    phone = Candidate(table="public.customers", keys=("phone",), columns=("phone",))
    assert abs(_mb(phone) / 21 - 1) < 0.2, _mb(phone)
    # no NULLs: the uniform spread as before
    email = Candidate(table="public.customers", keys=("email",), columns=("email",))
    assert _mb(email) > _mb(phone)


def test_a_partial_on_a_constant_list_is_sized_from_the_listed_values_shares():
    from dbarchitect.core.indexing.size import predicate_fraction

    stats = {("public.payments", "status"): _st("payments", "status", n_distinct=4, avg_width=8,
                                                most_common_vals=["paid", "refunded", "pending", "failed"],
                                                most_common_freqs=[0.9, 0.05, 0.03, 0.02])}  # fmt: skip
    assert abs(predicate_fraction("status IN ('pending', 'failed')", "public.payments", stats) - 0.05) < 1e-9
    assert predicate_fraction("status IN ('pending', 'failed') AND provider_ref IS NOT NULL", "public.payments",
                              {**STATS, **stats}) < 0.05  # fmt: skip
    assert predicate_fraction("kind IN ('a')", "public.payments", stats) is None  # no statistics: unknown
    # sized for the 5 % it keeps (was sized as the whole table when the list could not be read)
    queue = Candidate(table="public.payments", keys=("tenant_id",), columns=("tenant_id",),
                      predicate="status IN ('pending', 'failed')", kind="partial")
    whole = Candidate(table="public.payments", keys=("tenant_id",), columns=("tenant_id",))
    assert btree_size(queue, SNAP, {**STATS, **stats}) < 0.1 * btree_size(whole, SNAP, {**STATS, **stats})
