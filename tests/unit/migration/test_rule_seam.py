"""The typed seam between the migration analyzer and its rules: op kinds, their details, OPS checked at discovery."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys

import pytest

import dbarchitect.core.rules.migration as migration_rules
from dbarchitect.core.migration.engine import analyze, lint
from dbarchitect.core.migration.ops import (
    DETAIL_OF,
    AddColumnDetail,
    Detail,
    DropDetail,
    Op,
    OpKind,
    check_kinds,
)
from dbarchitect.core.migration.types import from_catalog
from dbarchitect.core.rulebook import family_modules

BAD_RULE = '''
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(name="zz-bad-rule", code="MG999", family="migration", severity=Severity.advice, summary="bad")
OPS = {OPS}


def check(stmt, mig):
    return []
'''


@pytest.fixture
def extra_rule(tmp_path, monkeypatch):
    """Put a rule module `zz_bad_rule` with the given OPS next to the migration rules, for one discovery."""

    def make(ops: str) -> None:
        (tmp_path / "zz_bad_rule.py").write_text(BAD_RULE.replace("{OPS}", ops))
        monkeypatch.setattr(migration_rules, "__path__", [*migration_rules.__path__, str(tmp_path)])

    yield make
    sys.modules.pop(f"{migration_rules.__name__}.zz_bad_rule", None)


def test_discovery_refuses_an_unknown_kind(extra_rule):
    extra_rule('{"add_colum"}')
    with pytest.raises(ValueError, match=r"zz_bad_rule.*'add_colum'"):
        family_modules("migration")


def test_discovery_refuses_a_string_or_empty_ops(extra_rule):
    extra_rule('"add_column"')
    with pytest.raises(ValueError, match="zz_bad_rule"):
        family_modules("migration")
    sys.modules.pop(f"{migration_rules.__name__}.zz_bad_rule", None)
    extra_rule("set()")
    with pytest.raises(ValueError, match="zz_bad_rule.*empty"):
        family_modules("migration")


def test_discovery_accepts_known_kinds_as_op_kinds(extra_rule):
    extra_rule('{"add_column", "drop_column"}')
    mod = next(m for m in family_modules("migration") if m.RULE.name == "zz-bad-rule")
    assert mod.OPS == frozenset({OpKind.ADD_COLUMN, OpKind.DROP_COLUMN})
    assert all(type(k) is OpKind for k in mod.OPS)


def test_every_rule_declares_op_kinds():
    for mod in family_modules("migration"):
        ops = getattr(mod, "OPS", None)
        if ops is not None:
            assert ops and all(type(k) is OpKind for k in ops), mod.__name__


def test_check_kinds_names_the_module():
    with pytest.raises(ValueError, match="my.module"):
        check_kinds({"vacuum", "nope"}, "my.module")
    assert check_kinds([OpKind.VACUUM], "m") == frozenset({OpKind.VACUUM})


def test_op_kind_compares_as_its_string():
    assert OpKind.ADD_COLUMN == "add_column" and {"add_column": 1}[OpKind.ADD_COLUMN] == 1
    assert f"{OpKind.ADD_COLUMN}" == "add_column"


def test_an_op_carries_the_detail_of_its_kind():
    spec = from_catalog("integer", "int4", -1)
    with pytest.raises(TypeError, match="AddColumnDetail"):
        Op(kind=OpKind.ADD_COLUMN, detail=DropDetail())
    with pytest.raises(TypeError, match="DropDetail"):
        Op(kind=OpKind.DROP_COLUMN)
    with pytest.raises(ValueError):
        Op(kind="add_colum", detail=AddColumnDetail(type=spec))
    op = Op(kind="add_column", detail=AddColumnDetail(type=spec))
    assert op.kind is OpKind.ADD_COLUMN
    with pytest.raises(AttributeError):
        _ = op.detail.seriall
    with pytest.raises(AttributeError):
        op.detail.seriall = True
    with pytest.raises(AttributeError):
        _ = Op(kind=OpKind.LOCK).detail.serial


def test_the_analyzer_emits_op_kinds_with_typed_details():
    mig = analyze("ALTER TABLE t ADD COLUMN c bigserial NOT NULL; DROP TABLE IF EXISTS u CASCADE; LOCK TABLE t;")
    add, drop, lock = (s.ops[0] for s in mig.statements)
    assert add.kind is OpKind.ADD_COLUMN and add.detail.serial and add.detail.not_null
    assert drop.kind is OpKind.DROP_TABLE and drop.detail == DropDetail(if_exists=True, cascade=True, objtype="table")
    assert lock.kind is OpKind.LOCK and type(lock.detail) is Detail


def _detail_reads(source: str) -> set[str]:
    """Attributes the code reads off `<x>.detail` (directly or through a local alias `d = op.detail`)."""
    tree = ast.parse(source)
    aliases = {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) and isinstance(n.value, ast.Attribute)
               and n.value.attr == "detail" for t in n.targets if isinstance(t, ast.Name)}
    reads = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute):
            v = n.value
            if (isinstance(v, ast.Attribute) and v.attr == "detail") or (isinstance(v, ast.Name) and v.id in aliases):
                reads.add(n.attr)
    return reads


def test_rules_read_only_attributes_their_kinds_have():
    """A static check of every `op.detail.<attr>` in the rules against the detail classes of their OPS."""
    assert _detail_reads("d = op.detail\nx = d.seriall + o.detail.type\ny = op.table") == {"seriall", "type"}
    checked = 0
    for mod in family_modules("migration"):
        reads = _detail_reads(inspect.getsource(mod))
        if not reads:
            continue
        assert getattr(mod, "OPS", None), f"{mod.__name__} reads op details without declaring OPS"
        known = {"assumptions"}
        for kind in mod.OPS:
            known |= {f.name for f in dataclasses.fields(DETAIL_OF[kind])} if kind in DETAIL_OF else set()
        assert reads <= known, f"{mod.__name__} reads {sorted(reads - known)}, which no detail of its OPS has"
        checked += 1
    assert checked  # a broken scan would check nothing


# One statement per op kind: the enum lists exactly what the analyzer emits (no phantom kinds).
EMITS = {
    OpKind.CREATE_TABLE: "CREATE TABLE t (a int)",
    OpKind.TABLE_COLUMN: "CREATE TABLE t (a int)",
    OpKind.CREATE_PARTITION: "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (1) TO (2)",
    OpKind.FK_ON_NEW_TABLE: "CREATE TABLE t (a int REFERENCES u (id))",
    OpKind.CREATE_TABLE_AS: "CREATE TABLE t AS SELECT 1",
    OpKind.CREATE_MATVIEW: "CREATE MATERIALIZED VIEW mv AS SELECT 1",
    OpKind.CREATE_VIEW: "CREATE VIEW v AS SELECT 1",
    OpKind.ADD_COLUMN: "ALTER TABLE t ADD COLUMN c int",
    OpKind.ALTER_TYPE: "ALTER TABLE t ALTER COLUMN c TYPE bigint",
    OpKind.SET_NOT_NULL: "ALTER TABLE t ALTER COLUMN c SET NOT NULL",
    OpKind.DROP_NOT_NULL: "ALTER TABLE t ALTER COLUMN c DROP NOT NULL",
    OpKind.SET_DEFAULT: "ALTER TABLE t ALTER COLUMN c SET DEFAULT 1",
    OpKind.DROP_DEFAULT: "ALTER TABLE t ALTER COLUMN c DROP DEFAULT",
    OpKind.ADD_CONSTRAINT: "ALTER TABLE t ADD CONSTRAINT k CHECK (c > 0)",
    OpKind.VALIDATE_CONSTRAINT: "ALTER TABLE t VALIDATE CONSTRAINT k",
    OpKind.DROP_CONSTRAINT: "ALTER TABLE t DROP CONSTRAINT k",
    OpKind.DROP_COLUMN: "ALTER TABLE t DROP COLUMN c",
    OpKind.SET_LOGGED: "ALTER TABLE t SET LOGGED",
    OpKind.SET_UNLOGGED: "ALTER TABLE t SET UNLOGGED",
    OpKind.SET_ACCESS_METHOD: "ALTER TABLE t SET ACCESS METHOD heap",
    OpKind.SET_TABLESPACE: "ALTER TABLE t SET TABLESPACE ts",
    OpKind.ATTACH_PARTITION: "ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (1) TO (2)",
    OpKind.DETACH_PARTITION: "ALTER TABLE p DETACH PARTITION p1",
    OpKind.DETACH_PARTITION_FINALIZE: "ALTER TABLE p DETACH PARTITION p1 FINALIZE",
    OpKind.REPLICA_IDENTITY: "ALTER TABLE t REPLICA IDENTITY FULL",
    OpKind.ROW_SECURITY: "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
    OpKind.SET_STATISTICS: "ALTER TABLE t ALTER COLUMN c SET STATISTICS 100",
    OpKind.SET_RELOPTIONS: "ALTER TABLE t SET (fillfactor = 90)",
    OpKind.TOGGLE_TRIGGER: "ALTER TABLE t DISABLE TRIGGER tr",
    OpKind.ADD_IDENTITY: "ALTER TABLE t ALTER COLUMN c ADD GENERATED ALWAYS AS IDENTITY",
    OpKind.SET_EXPRESSION: "ALTER TABLE t ALTER COLUMN c SET EXPRESSION AS (a + 1)",
    OpKind.INHERIT: "ALTER TABLE t INHERIT u",
    OpKind.CHANGE_OWNER: "ALTER TABLE t OWNER TO r",
    OpKind.ALTER_OTHER: "ALTER TABLE t ALTER COLUMN c SET STORAGE EXTERNAL",
    OpKind.ALTER_INDEX: "ALTER INDEX i SET (fillfactor = 90)",
    OpKind.RENAME_COLUMN: "ALTER TABLE t RENAME COLUMN a TO b",
    OpKind.RENAME_TABLE: "ALTER TABLE t RENAME TO u",
    OpKind.RENAME_SCHEMA: "ALTER SCHEMA s RENAME TO s2",
    OpKind.RENAME_CONSTRAINT: "ALTER TABLE t RENAME CONSTRAINT k TO k2",
    OpKind.RENAME_INDEX: "ALTER INDEX i RENAME TO i2",
    OpKind.RENAME_OTHER: "ALTER SEQUENCE s RENAME TO s2",
    OpKind.CREATE_INDEX: "CREATE INDEX i ON t (c)",
    OpKind.REINDEX: "REINDEX INDEX i",
    OpKind.DROP_INDEX: "DROP INDEX i",
    OpKind.DROP_TABLE: "DROP TABLE t",
    OpKind.DROP_SCHEMA: "DROP SCHEMA s",
    OpKind.DROP_EXTENSION: "DROP EXTENSION e",
    OpKind.DROP_TRIGGER: "DROP TRIGGER tr ON t",
    OpKind.DROP_TYPE: "DROP TYPE ty",
    OpKind.DROP_OTHER: "DROP SEQUENCE s",
    OpKind.DROP_DATABASE: "DROP DATABASE d",
    OpKind.TRUNCATE: "TRUNCATE t",
    OpKind.VACUUM: "VACUUM t",
    OpKind.ANALYZE: "ANALYZE t",
    OpKind.CLUSTER: "CLUSTER t USING i",
    OpKind.REFRESH_MATVIEW: "REFRESH MATERIALIZED VIEW mv",
    OpKind.CREATE_TRIGGER: "CREATE TRIGGER tr AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()",
    OpKind.POLICY: "CREATE POLICY po ON t USING (true)",
    OpKind.GRANT: "GRANT SELECT ON t TO r",
    OpKind.COMMENT: "COMMENT ON TABLE t IS 'x'",
    OpKind.ENUM_ADD_VALUE: "ALTER TYPE mood ADD VALUE 'meh'",
    OpKind.ENUM_RENAME_VALUE: "ALTER TYPE mood RENAME VALUE 'meh' TO 'fine'",
    OpKind.CREATE_TYPE: "CREATE TYPE mood AS ENUM ('ok')",
    OpKind.CREATE_DOMAIN: "CREATE DOMAIN pos AS int CHECK (VALUE > 0)",
    OpKind.ALTER_DOMAIN_ADD_CONSTRAINT: "ALTER DOMAIN pos ADD CONSTRAINT k CHECK (VALUE < 10)",
    OpKind.ALTER_DOMAIN_VALIDATE: "ALTER DOMAIN pos VALIDATE CONSTRAINT k",
    OpKind.ALTER_DOMAIN_SET_NOT_NULL: "ALTER DOMAIN pos SET NOT NULL",
    OpKind.ALTER_DOMAIN: "ALTER DOMAIN pos SET DEFAULT 1",
    OpKind.ALTER_EXTENSION: "ALTER EXTENSION e UPDATE",
    OpKind.CREATE_EXTENSION: "CREATE EXTENSION e",
    OpKind.CREATE_SEQUENCE: "CREATE SEQUENCE s",
    OpKind.CREATE_FUNCTION: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    OpKind.CREATE_SCHEMA: "CREATE SCHEMA s",
    OpKind.CREATE_DATABASE: "CREATE DATABASE d",
    OpKind.ALTER_SYSTEM: "ALTER SYSTEM SET work_mem = '64MB'",
    OpKind.SET: "SET lock_timeout = '3s'",
    OpKind.TRANSACTION: "BEGIN",
    OpKind.LOCK: "LOCK TABLE t",
    OpKind.READ: "CREATE VIEW v AS SELECT * FROM t",
    OpKind.SELECT: "SELECT 1",
    OpKind.UPDATE: "UPDATE t SET c = 1",
    OpKind.DELETE: "DELETE FROM t",
    OpKind.INSERT: "INSERT INTO t VALUES (1)",
    OpKind.DO_BLOCK: "DO $$ BEGIN END $$",
    OpKind.OTHER: "CHECKPOINT",
}


@pytest.mark.parametrize("kind", list(OpKind))
def test_every_kind_is_emitted(kind):
    assert kind in EMITS, f"no statement known to emit {kind}: is it still emitted?"
    ops = [op for s in analyze(EMITS[kind]).statements for op in s.ops]
    assert kind in {op.kind for op in ops}, [op.kind for op in ops]
    for op in ops:
        assert type(op.detail) is DETAIL_OF.get(op.kind, Detail)
    # and every rule that reads this kind reads it without error (a detail it lacks is an AttributeError)
    for pg_version in (10, 17):
        for in_tx in (False, True):
            report = lint(EMITS[kind], pg_version=pg_version, assume_in_transaction=in_tx)
            assert report.parse_error is None and report.statements
