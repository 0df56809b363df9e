"""Every migration rule documents itself, has a fixture, and a case that fires and one that does not."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from dbarchitect.core.rulebook import REQUIRED_HEADINGS, family_modules, rule_doc

FIXTURES = Path(__file__).parents[2] / "fixtures" / "rules" / "migration"


def test_every_catalogue_row_has_a_rule():
    codes = {m.RULE.code for m in family_modules("migration")}
    assert {f"MG{n:03d}" for n in range(1, 41)} <= codes


def test_rules_are_documented_and_have_fixtures():
    names = set()
    for mod in family_modules("migration"):
        meta = mod.RULE
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta.name), meta.name
        assert meta.family == "migration" and meta.code.startswith("MG")
        assert meta.name not in names
        names.add(meta.name)
        doc = rule_doc(mod)
        for heading in REQUIRED_HEADINGS:
            assert f"## {heading}" in doc, f"{meta.name} lacks '{heading}'"
        assert callable(getattr(mod, "check", None))
        path = FIXTURES / f"{meta.name}.yaml"
        assert path.exists(), f"no fixture for {meta.name}"
        cases = yaml.safe_load(path.read_text())["cases"].values()
        fires = [c for c in cases if any(e["rule"] == meta.name for e in c["expect"] or [])]
        silent = [c for c in cases if not any(e["rule"] == meta.name for e in c["expect"] or [])]
        assert fires, f"{meta.name} has no case that must fire"
        assert silent, f"{meta.name} has no case that must not fire"
    stray = {p.stem for p in FIXTURES.glob("*.yaml")} - names
    assert not stray, f"fixtures without a rule: {stray}"
