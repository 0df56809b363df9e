"""Predicted locks, rewrites and scans for the statements the catalogue observed on PostgreSQL 15."""

from __future__ import annotations

import json

import pytest

from dbarchitect.core.migration.context import ColumnFacts, LintContext, RelationFacts
from dbarchitect.core.migration.engine import analyze, lint
from dbarchitect.core.migration.render import render

AE, SHARE, SUE, SRE = "AccessExclusiveLock", "ShareLock", "ShareUpdateExclusiveLock", "ShareRowExclusiveLock"

# (statement, locks, rewrites, scans, transactional) -- the "Observed on PostgreSQL 15.18" table
OBSERVED = [
    ("ALTER TABLE users ADD COLUMN c int DEFAULT 0", {"public.users": AE}, [], [], True),
    ("ALTER TABLE users ADD COLUMN c timestamptz DEFAULT now()", {"public.users": AE}, [], [], True),
    ("ALTER TABLE users ADD COLUMN c uuid DEFAULT gen_random_uuid()", {"public.users": AE}, ["public.users"], [], True),
    ("ALTER TABLE users ADD COLUMN c bigserial", {"public.users": AE}, ["public.users"], [], True),
    ("ALTER TABLE users ADD COLUMN c int GENERATED ALWAYS AS IDENTITY", {"public.users": AE}, ["public.users"], [],
     True),
    ("ALTER TABLE users ALTER COLUMN email SET NOT NULL", {"public.users": AE}, [], ["public.users"], True),
    ("ALTER TABLE users ADD CONSTRAINT c CHECK (id > 0) NOT VALID", {"public.users": AE}, [], [], True),
    ("ALTER TABLE users VALIDATE CONSTRAINT c", {"public.users": SUE}, [], ["public.users"], True),
    ("ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id)",
     {"public.orders": SRE, "public.users": SRE}, [], ["public.orders", "public.users"], True),
    ("CREATE INDEX i ON users (email)", {"public.users": SHARE}, [], ["public.users"], True),
    ("CREATE INDEX CONCURRENTLY i ON users (email)", {"public.users": SUE}, [], ["public.users"], False),
    ("ALTER TABLE orders SET UNLOGGED", {"public.orders": AE}, ["public.orders"], [], True),
    ("CREATE TRIGGER t AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f()", {"public.users": SRE}, [], [], True),
    ("ALTER TYPE mood ADD VALUE 'meh'", {}, [], [], True),
    ("ALTER TABLE parent ATTACH PARTITION child FOR VALUES FROM (1) TO (2)",
     {"public.parent": SUE, "public.child": AE}, [], ["public.child"], True),
    ("ALTER TABLE parent DETACH PARTITION child", {"public.parent": AE, "public.child": AE}, [], [], True),
    ("ALTER TABLE parent DETACH PARTITION child CONCURRENTLY", {"public.parent": SUE, "public.child": SUE}, [], [],
     False),
    ("REFRESH MATERIALIZED VIEW mv", {"public.mv": AE}, ["public.mv"], [], True),
    ("REFRESH MATERIALIZED VIEW CONCURRENTLY mv", {"public.mv": "ExclusiveLock"}, [], ["public.mv"], True),
    ("TRUNCATE orders", {"public.orders": AE}, ["public.orders"], [], True),
    ("CLUSTER users USING users_pkey", {"public.users": AE}, ["public.users"], [], True),
    ("VACUUM FULL users", {"public.users": AE}, ["public.users"], ["public.users"], False),
    ("REINDEX TABLE users", {"public.users": SHARE}, [], ["public.users"], True),
    ("REINDEX TABLE CONCURRENTLY users", {"public.users": SUE}, [], ["public.users"], False),
    ("ALTER TABLE users ALTER COLUMN email SET STATISTICS 500", {"public.users": SUE}, [], [], True),
]


@pytest.mark.parametrize(("sql", "locks", "rewrites", "scans", "transactional"), OBSERVED, ids=[o[0] for o in OBSERVED])
def test_prediction_matches_observation(sql, locks, rewrites, scans, transactional):
    p = analyze(sql, pg_version=15).statements[0].prediction
    assert p.locks == locks
    assert p.rewrites == rewrites
    assert p.scans == scans
    assert p.transactional is transactional


def _ctx_varchar() -> LintContext:
    users = RelationFacts(name="public.users", size_bytes=12 * 1024**3, total_bytes=13 * 1024**3, rows=40_000_000,
                          writes_per_second=25.0,
                          columns={"email": ColumnFacts(name="email", type="character varying(50)",
                                                        type_name="varchar", typmod=54)})
    return LintContext(server_version_num=150018, relations={"public.users": users}, timezone="UTC")


def test_catalog_turns_a_guess_into_a_fact():
    ctx = _ctx_varchar()
    widen = analyze("ALTER TABLE users ALTER COLUMN email TYPE varchar(100)", context=ctx).statements[0].prediction
    assert widen.rewrites == [] and widen.assumptions == []
    shrink = analyze("ALTER TABLE users ALTER COLUMN email TYPE varchar(40)", context=ctx).statements[0].prediction
    assert shrink.rewrites == ["public.users"]
    offline = analyze("ALTER TABLE users ALTER COLUMN email TYPE varchar(100)").statements[0].prediction
    assert offline.rewrites == ["public.users"] and offline.assumptions


def test_message_names_size_rows_and_lock():
    report = lint("ALTER TABLE users ALTER COLUMN email TYPE int USING email::int", context=_ctx_varchar())
    f = next(f for f in report.findings if f.code == "MG006")
    assert "users (13 GB, ≈40 M rows, ≈25 writes/s)" in f.message
    assert "ACCESS EXCLUSIVE" in f.message
    assert any(e.kind == "catalog" for e in f.evidence)
    assert report.catalog and report.pg_version == 15


def test_lines_and_ignores():
    sql = "SET lock_timeout = '1s';\n\n-- dbarchitect:ignore MG012\nCREATE INDEX a ON t (x);\nCREATE INDEX b ON t (y);\n"
    report = lint(sql)
    assert [s.line for s in report.statements] == [1, 4, 5]
    assert [(f.code, f.statement, f.line) for f in report.findings if f.code == "MG012"] == [("MG012", 3, 5)]
    assert report.statements[1].ignored == ["mg012"]


def test_trailing_ignore_comment_stays_with_its_statement():
    sql = "CREATE INDEX a ON t (x); -- dbarchitect:ignore create-index-non-concurrently\nCREATE INDEX b ON t (y);\n"
    assert [f.statement for f in lint(sql).findings if f.code == "MG012"] == [2]


def test_parse_error_is_reported_with_line():
    report = lint("SELECT 1;\nALTER TABLE WHERE;\n")
    assert report.parse_error and "line 2" in report.parse_error
    assert report.has_errors


def test_renderers():
    report = lint("CREATE INDEX a ON t (x);", source="db/001.sql")
    text = render([report], "text")
    assert "db/001.sql:1: error MG012 create-index-non-concurrently" in text
    gh = render([report], "github")
    assert gh.startswith("::error file=db/001.sql,line=1,title=MG012 create-index-non-concurrently::")
    sarif = json.loads(render([report], "sarif"))
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == "create-index-non-concurrently" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    as_json = json.loads(render([report], "json"))
    assert as_json[0]["statements"][0]["locks"] == {"public.t": "ShareLock"}
    with pytest.raises(ValueError):
        render([report], "xml")
