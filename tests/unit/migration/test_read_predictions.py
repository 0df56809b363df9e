"""What a statement reads besides its own table: the referenced table of a foreign key being validated,
the table under REINDEX, the relations behind a materialized view being refreshed.

Each behaviour as observed on PostgreSQL 15 (tests/live/dryrun/test_hazards.py), with the case that must
predict it and the case that must not.
"""

from __future__ import annotations

from dbarchitect.core.migration.context import ConstraintFacts, LintContext, RelationFacts
from dbarchitect.core.migration.engine import analyze

SRE, RS, SUE, SHARE = "ShareRowExclusiveLock", "RowShareLock", "ShareUpdateExclusiveLock", "ShareLock"
AS, AE, EXCL = "AccessShareLock", "AccessExclusiveLock", "ExclusiveLock"


def _predictions(sql: str, ctx: LintContext | None = None):
    return [s.prediction for s in analyze(sql, context=ctx, pg_version=15).statements]


def _online(*relations: RelationFacts, index_tables: dict[str, str] | None = None) -> LintContext:
    return LintContext(server_version_num=150018, relations={r.name: r for r in relations},
                       index_tables=index_tables or {})


# ------------------------------------------------------------------ ADD FOREIGN KEY


def test_validated_foreign_key_reads_the_referenced_table():
    (p,) = _predictions("ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id)")
    assert p.scans == ["public.orders", "public.users"]
    assert p.locks == {"public.orders": SRE, "public.users": SRE}


def test_not_valid_foreign_key_reads_nothing():
    (p,) = _predictions("ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID")
    assert p.scans == []
    assert p.locks == {"public.orders": SRE, "public.users": SRE}


def test_foreign_key_on_a_table_created_by_the_migration_predicts_no_read():
    _, p = _predictions("CREATE TABLE orders (id int, user_id int);\n"
                        "ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id);")
    assert p.scans == []
    assert p.locks == {"public.users": SRE}


# ------------------------------------------------------------------ VALIDATE CONSTRAINT


def test_validate_foreign_key_added_by_the_file_locks_and_reads_the_referenced_table():
    preds = _predictions(
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;")
    assert preds[1].locks == {"public.orders": SUE, "public.users": RS}
    assert preds[1].scans == ["public.orders", "public.users"]
    assert preds[1].assumptions == []


def test_validate_unnamed_foreign_key_by_its_default_name():
    preds = _predictions(
        "ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;")
    assert preds[1].locks == {"public.orders": SUE, "public.users": RS}
    assert preds[1].scans == ["public.orders", "public.users"]


def test_validate_check_added_by_the_file_touches_no_other_table():
    preds = _predictions(
        "ALTER TABLE orders ADD CONSTRAINT pos CHECK (total > 0) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT pos;")
    assert preds[1].locks == {"public.orders": SUE}
    assert preds[1].scans == ["public.orders"]
    assert preds[1].assumptions == []


def _orders(*constraints: ConstraintFacts) -> RelationFacts:
    return RelationFacts(name="public.orders", constraints=list(constraints))


def test_validate_foreign_key_from_the_catalog():
    ctx = _online(_orders(ConstraintFacts(name="fk", kind="foreign_key", columns=["user_id"], validated=False,
                                          references="public.users")))
    (p,) = _predictions("ALTER TABLE orders VALIDATE CONSTRAINT fk", ctx)
    assert p.locks == {"public.orders": SUE, "public.users": RS}
    assert p.scans == ["public.orders", "public.users"]
    assert p.assumptions == []


def test_validate_check_from_the_catalog_touches_no_other_table():
    ctx = _online(_orders(ConstraintFacts(name="pos", kind="check", validated=False)))
    (p,) = _predictions("ALTER TABLE orders VALIDATE CONSTRAINT pos", ctx)
    assert p.locks == {"public.orders": SUE}
    assert p.scans == ["public.orders"]


def test_validate_an_already_valid_foreign_key_reads_nothing():
    ctx = _online(_orders(ConstraintFacts(name="fk", kind="foreign_key", validated=True,
                                          references="public.users")))
    (p,) = _predictions("ALTER TABLE orders VALIDATE CONSTRAINT fk", ctx)
    assert p.locks == {"public.orders": SUE}
    assert p.scans == []


def test_validate_a_foreign_key_the_file_added_valid_reads_nothing():
    preds = _predictions(
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT fk;")
    assert preds[1].locks == {"public.orders": SUE}
    assert preds[1].scans == []


def test_validate_unknown_constraint_offline_records_the_assumption():
    (p,) = _predictions("ALTER TABLE orders VALIDATE CONSTRAINT fk")
    assert p.locks == {"public.orders": SUE}
    assert p.scans == ["public.orders"]
    assert any("fk" in a and "foreign key" in a for a in p.assumptions)


# ------------------------------------------------------------------ REINDEX


def test_reindex_reads_the_table():
    ctx = _online(RelationFacts(name="public.logs"), index_tables={"public.logs_id_idx": "public.logs"})
    plain, conc, index = _predictions(
        "REINDEX TABLE logs; REINDEX TABLE CONCURRENTLY logs; REINDEX INDEX logs_id_idx;", ctx)
    assert plain.scans == conc.scans == index.scans == ["public.logs"]
    assert (plain.locks, conc.locks, index.locks) == ({"public.logs": SHARE}, {"public.logs": SUE},
                                                      {"public.logs": SHARE})


def test_reindex_of_a_table_created_by_the_migration_or_of_an_unknown_index_predicts_no_read():
    created = _predictions("CREATE TABLE logs (id int); REINDEX TABLE logs;")[1]
    assert created.scans == []
    (unknown,) = _predictions("REINDEX INDEX logs_id_idx")
    assert unknown.scans == [] and unknown.assumptions


# ------------------------------------------------------------------ REFRESH MATERIALIZED VIEW


def _stats_ctx() -> LintContext:
    mv = RelationFacts(name="public.order_stats", kind="materialized_view",
                       base_relations={"public.orders": "table", "public.paid": "view",
                                       "public.meas": "partitioned_table", "public.meas_2024": "table"})
    return _online(mv)


def test_refresh_locks_and_reads_the_base_tables_from_the_catalog():
    plain, conc = _predictions(
        "REFRESH MATERIALIZED VIEW order_stats; REFRESH MATERIALIZED VIEW CONCURRENTLY order_stats;", _stats_ctx())
    bases = {"public.orders": AS, "public.paid": AS, "public.meas": AS, "public.meas_2024": AS}
    assert plain.locks == {"public.order_stats": AE, **bases}
    assert plain.rewrites == ["public.order_stats"]
    assert sorted(plain.scans) == ["public.meas_2024", "public.orders"]  # views and partitioned parents hold no rows
    assert conc.locks == {"public.order_stats": EXCL, **bases}
    assert conc.rewrites == []
    assert sorted(conc.scans) == ["public.meas_2024", "public.order_stats", "public.orders"]  # old contents too
    assert plain.assumptions == conc.assumptions == []


def test_refresh_offline_predicts_only_the_matview_and_says_so():
    plain, conc = _predictions("REFRESH MATERIALIZED VIEW order_stats; "
                               "REFRESH MATERIALIZED VIEW CONCURRENTLY order_stats;")
    assert plain.locks == {"public.order_stats": AE} and plain.scans == []
    assert conc.locks == {"public.order_stats": EXCL} and conc.scans == ["public.order_stats"]
    for p in (plain, conc):
        assert any("public.order_stats" in a and "not predicted" in a for a in p.assumptions)


def test_refresh_with_no_data_runs_no_query():
    (p,) = _predictions("REFRESH MATERIALIZED VIEW order_stats WITH NO DATA", _stats_ctx())
    assert p.locks == {"public.order_stats": AE}
    assert p.scans == [] and p.assumptions == []
