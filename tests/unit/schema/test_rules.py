"""Schema rules on hand-built snapshots (thresholds DDL cannot reach: counters, null fractions, sequence
positions) and the review around them (pure, no server). Each rule's cases that must fire and stay
silent are its YAML fixture, run by tests/unit/schema/test_rule_fixtures.py and tests/live/schema/."""

from __future__ import annotations

from dbarchitect.core.models import Column, Index, SchemaSnapshot, Sequence, Severity, Table, TableStats
from dbarchitect.core.rulebook import family_modules
from dbarchitect.core.rules.schema._common import ReviewContext
from dbarchitect.core.schema_parse import snapshot_from_ddl
from dbarchitect.core.schema_review import review

MODULES = {m.RULE.code: m for m in family_modules("schema")}
#: the rules parsed DDL cannot run: each needs a fact only a server has (workload, statistics, encoding)
NEEDS_A_FACT = {code for code, m in MODULES.items() if getattr(m, "NEEDS", None)}


def _stats_snapshot(*, inserts: int, rows: int, null_frac: float | None, encoding: str) -> SchemaSnapshot:
    table = Table(
        schema="public",
        name="events",
        reltuples=rows,
        columns=[Column(name="id", position=1, type="bigint", not_null=True),
                 Column(name="source", position=2, type="text", null_frac=null_frac)],  # fmt: skip
        indexes=[Index(name=f"events_i{n}", columns=["source"], expressions=["source"],
                       definition=f"CREATE INDEX events_i{n} ON public.events USING btree (source, id{', id' * n})")
                 for n in range(8)],  # fmt: skip
        stats=TableStats(inserts=inserts),
    )
    return SchemaSnapshot(database="shop", encoding=encoding, tables=[table])


def test_write_heavy_rule_reads_the_workload():
    ctx = ReviewContext()
    busy = _stats_snapshot(inserts=5000, rows=5000, null_frac=0.2, encoding="UTF8")
    quiet = _stats_snapshot(inserts=10, rows=5000, null_frac=0.2, encoding="UTF8")
    [f] = MODULES["SD019"].check(busy, ctx)
    assert "DROP INDEX CONCURRENTLY IF EXISTS public.events_i0;" in f.fix  # never scanned
    assert MODULES["SD019"].check(quiet, ctx) == []


def test_sql_ascii_rule_reads_the_encoding():
    ctx = ReviewContext()
    [f] = MODULES["SD026"].check(_stats_snapshot(inserts=0, rows=0, null_frac=None, encoding="SQL_ASCII"), ctx)
    assert f.severity is Severity.error and f.object == "shop"
    assert MODULES["SD026"].check(_stats_snapshot(inserts=0, rows=0, null_frac=None, encoding="UTF8"), ctx) == []


def test_never_null_rule_reads_null_frac_on_big_enough_tables():
    ctx = ReviewContext()
    [f] = MODULES["SD027"].check(_stats_snapshot(inserts=0, rows=5000, null_frac=0.0, encoding="UTF8"), ctx)
    assert f.object == "public.events.source" and "SET NOT NULL" in f.fix
    assert MODULES["SD027"].check(_stats_snapshot(inserts=0, rows=5000, null_frac=0.01, encoding="UTF8"), ctx) == []
    assert MODULES["SD027"].check(_stats_snapshot(inserts=0, rows=500, null_frac=0.0, encoding="UTF8"), ctx) == []


def test_sequence_percent_sets_the_severity():
    table = Table(schema="public", name="t", columns=[
        Column(name="id", position=1, type="integer", not_null=True, default="nextval('t_id_seq'::regclass)")])  # fmt: skip
    for last, severity in ((1_700_000_000, Severity.error), (1_100_000_000, Severity.warning), (5, Severity.advice)):
        seq = Sequence(schema="public", name="t_id_seq", data_type="integer", max_value=2**31 - 1,
                       last_value=last, owned_by="t.id")  # fmt: skip
        [f] = MODULES["SD009"].check(SchemaSnapshot(tables=[table], sequences=[seq]), ReviewContext())
        assert f.severity is severity
        assert f.evidence[0].data["last_value"] == last


def test_review_skips_rules_whose_facts_are_missing_and_says_why():
    report = review(snapshot_from_ddl("CREATE TABLE t (id int PRIMARY KEY);").snapshot, source="parsed")
    assert {s.code for s in report.skipped} == NEEDS_A_FACT
    assert all(s.reason for s in report.skipped)
    assert set(report.rules_run) == set(MODULES) - NEEDS_A_FACT
    live = review(_stats_snapshot(inserts=5000, rows=5000, null_frac=0.0, encoding="SQL_ASCII"), source="live")
    assert live.skipped == [] and {"SD019", "SD026", "SD027"} <= {f.code for f in live.findings}
    assert list(live.counts) == ["info", "advice", "warning", "error"]
    ranks = [f.severity.rank for f in live.findings]
    assert ranks == sorted(ranks, reverse=True)


def test_schema_filter():
    snap = snapshot_from_ddl("CREATE SCHEMA a; CREATE TABLE a.t (v text); CREATE TABLE public.u (v text);").snapshot
    report = review(snap, schema="a", source="parsed")
    assert {f.object for f in report.findings if f.code == "SD001"} == {"a.t"}
    assert report.tables == 1
