"""The typed seam between the migration analyzer and the rules: op kinds, their details, and OPS checked at discovery."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys

import pytest

import dbarchitect.core.rules.migration as migration_rules
from dbarchitect.core.migration.engine import analyze
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
