"""Every schema rule: documented, one case that must fire and one that must not (pure, no server)."""

from __future__ import annotations

import inspect

import pytest

from dbarchitect.core.models import Column, Index, SchemaSnapshot, Sequence, Severity, Table, TableStats
from dbarchitect.core.rulebook import REQUIRED_HEADINGS, family_modules, rule_doc
from dbarchitect.core.rules.schema._common import ReviewContext
from dbarchitect.core.schema_parse import snapshot_from_ddl
from dbarchitect.core.schema_review import review

MODULES = {m.RULE.code: m for m in family_modules("schema")}

# code -> (DDL on which the rule must fire, DDL on which it must stay quiet)
CASES: dict[str, tuple[str, str]] = {
    "SD001": ("CREATE TABLE t (v text NOT NULL);", "CREATE TABLE t (id bigint PRIMARY KEY);"),
    "SD002": (
        "CREATE TABLE p (id bigint PRIMARY KEY); CREATE TABLE c (id bigint PRIMARY KEY, p_id bigint REFERENCES p);",
        "CREATE TABLE p (id bigint PRIMARY KEY); CREATE TABLE c (p_id bigint REFERENCES p, k int, PRIMARY KEY (p_id, k));",
    ),
    "SD003": ("CREATE TABLE t (id int PRIMARY KEY, at timestamp(3));", "CREATE TABLE t (id int PRIMARY KEY, at timestamptz);"),
    "SD004": ("CREATE TABLE t (id int PRIMARY KEY, c char(2));", "CREATE TABLE t (id int PRIMARY KEY, c varchar);"),
    "SD005": ("CREATE TABLE t (id int PRIMARY KEY, c varchar(255));", "CREATE TABLE t (id int PRIMARY KEY, c text);"),
    "SD006": ("CREATE TABLE t (id int PRIMARY KEY, total money);", "CREATE TABLE t (id int PRIMARY KEY, total numeric(12,2));"),
    "SD007": (
        "CREATE TABLE t (id int PRIMARY KEY, unit_price double precision);",
        "CREATE TABLE t (id int PRIMARY KEY, temperature double precision);",
    ),
    "SD008": ("CREATE TABLE t (id bigserial PRIMARY KEY);", "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"),
    "SD009": ("CREATE TABLE t (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY);",
              "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"),
    "SD010": ("CREATE TABLE t (id int PRIMARY KEY, doc json);", "CREATE TABLE t (id int PRIMARY KEY, doc jsonb);"),
    "SD011": (
        "CREATE TABLE t (id int PRIMARY KEY, status text);",
        "CREATE TABLE t (id int PRIMARY KEY, status text CHECK (status IN ('a', 'b')));",
    ),
    "SD012": (
        "CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE);",
        "CREATE TABLE t (id int PRIMARY KEY, email text); CREATE UNIQUE INDEX t_email ON t (lower(email));",
    ),
    "SD013": (
        "CREATE TABLE t (id int PRIMARY KEY, code text UNIQUE, deleted_at timestamptz);",
        "CREATE TABLE t (id int PRIMARY KEY, code text, deleted_at timestamptz);"
        " CREATE UNIQUE INDEX t_code ON t (code) WHERE deleted_at IS NULL;",
    ),
    "SD014": (
        "CREATE TABLE t (id int PRIMARY KEY, updated_at timestamptz);",
        "CREATE TABLE t (id int PRIMARY KEY, updated_at timestamptz);"
        " CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;"
        " CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
    ),
    "SD015": ('CREATE TABLE "Users" (id int PRIMARY KEY);', "CREATE TABLE users (id int PRIMARY KEY);"),
    "SD016": (
        f"CREATE TABLE t (id int PRIMARY KEY, {'x' * 64} int);",
        f"CREATE TABLE t (id int PRIMARY KEY, {'x' * 62} int);",
    ),
    "SD017": (
        "CREATE TABLE t (id int PRIMARY KEY, a int); CREATE INDEX t_a1 ON t (a); CREATE INDEX t_a2 ON t (a);",
        "CREATE TABLE t (id int PRIMARY KEY, a int); CREATE INDEX t_a1 ON t (a); CREATE INDEX t_a2 ON t (a DESC) WHERE a > 0;",
    ),
    "SD018": (
        "CREATE TABLE t (id int PRIMARY KEY, a int, b int); CREATE INDEX t_a ON t (a); CREATE INDEX t_ab ON t (a, b);",
        "CREATE TABLE t (id int PRIMARY KEY, a int, b int); CREATE UNIQUE INDEX t_a ON t (a); CREATE INDEX t_ab ON t (a, b);",
    ),
    "SD020": (
        "CREATE TABLE a (id int PRIMARY KEY, item_id int NOT NULL, attribute text NOT NULL, value text);",
        "CREATE TABLE settings (key text PRIMARY KEY, value text);",
    ),
    "SD021": ("CREATE TABLE t (id int PRIMARY KEY, tag_ids text);", "CREATE TABLE t (id int PRIMARY KEY, tag_ids bigint[]);"),
    "SD022": (
        "CREATE TABLE t (id int PRIMARY KEY, phone1 text, phone2 text);",
        "CREATE TABLE t (id int PRIMARY KEY, address_line1 text, address_line2 text);",
    ),
    "SD023": ("CREATE TABLE t (a text, b int);", "CREATE TABLE t (a text NOT NULL, b int);"),
    "SD024": (
        "CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE l (id int PRIMARY KEY);"
        " CREATE RULE r AS ON DELETE TO t DO ALSO INSERT INTO l VALUES (OLD.id);",
        "CREATE TABLE t (id int PRIMARY KEY);",
    ),
    "SD025": (
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (x int NOT NULL) INHERITS (p);",
        "CREATE TABLE p (id int, PRIMARY KEY (id)) PARTITION BY RANGE (id);"
        " CREATE TABLE c PARTITION OF p FOR VALUES FROM (0) TO (10);",
    ),
}


def _fired(code: str, ddl: str) -> list:
    parsed = snapshot_from_ddl(ddl)
    ctx = ReviewContext(source="parsed", ddl=ddl, function_sources=parsed.function_sources)
    return MODULES[code].check(parsed.snapshot, ctx)


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


def test_every_rule_is_documented_and_has_cases():
    assert len(MODULES) == 27
    for code, mod in MODULES.items():
        doc = inspect.cleandoc(mod.__doc__ or "")
        for heading in REQUIRED_HEADINGS:
            assert f"## {heading}" in doc, f"{code} lacks '{heading}'"
        assert mod.RULE.family == "schema" and mod.RULE.name in rule_doc(mod)
        assert code in CASES or code in {"SD019", "SD026", "SD027"}, f"{code} has no case"
    assert len({m.RULE.name for m in MODULES.values()}) == 27


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_the_flawed_case(code):
    fired = _fired(code, CASES[code][0])
    assert fired and all(f.code == code and f.fix and f.evidence for f in fired)


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_stays_quiet_on_the_sound_case(code):
    assert _fired(code, CASES[code][1]) == []


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
    assert {s.code for s in report.skipped} == {"SD019", "SD026", "SD027"}
    assert all(s.reason for s in report.skipped)
    assert len(report.rules_run) == 24
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
