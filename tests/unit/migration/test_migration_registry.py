"""Every migration rule has a fixture, with a case that fires and one that does not.

(The documentation headings of every family are checked in tests/unit/foundation/test_rule_registry.py;
the documented SQL is run in test_rule_docs.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from dbarchitect.core.rulebook import family_modules

FIXTURES = Path(__file__).parents[2] / "fixtures" / "rules" / "migration"


def test_rules_have_fixtures():
    names = set()
    codes = set()
    for mod in family_modules("migration"):
        meta = mod.RULE
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta.name), meta.name
        assert meta.family == "migration" and re.fullmatch(r"MG\d{3}", meta.code), meta.code
        assert meta.name not in names and meta.code not in codes, meta.name
        names.add(meta.name)
        codes.add(meta.code)
        assert callable(getattr(mod, "check", None))
        path = FIXTURES / f"{meta.name}.yaml"
        assert path.exists(), f"no fixture for {meta.name}"
        doc = yaml.safe_load(path.read_text())
        assert doc["rule"] == meta.name, path
        cases = doc["cases"].values()
        fires = [c for c in cases if any(e["rule"] == meta.name for e in c["expect"] or [])]
        silent = [c for c in cases if not any(e["rule"] == meta.name for e in c["expect"] or [])]
        assert fires, f"{meta.name} has no case that must fire"
        assert silent, f"{meta.name} has no case that must not fire"
    assert names, "no migration rule discovered"
    stray = {p.stem for p in FIXTURES.glob("*.yaml")} - names
    assert not stray, f"fixtures without a rule: {stray}"
