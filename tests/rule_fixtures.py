"""What the per-family rule fixture runners share: tests/fixtures/rules/<family>/<rule-name>.yaml.

A fixture file is `rule: <name>` and `cases: {case name: case}`; every case has an `expect` list
(the findings of the file's rule; empty = must stay silent) and whatever inputs its family reads.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).parent / "fixtures" / "rules"


def fixture_cases(family: str) -> list:
    """Every case of the family as pytest.param(rule name, case), id `<file>:<case>`."""
    out = []
    for path in sorted((ROOT / family).glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        assert doc["rule"] == path.stem, f"{path} holds the cases of {doc['rule']}"
        out += [pytest.param(doc["rule"], case, id=f"{path.stem}:{name}") for name, case in doc["cases"].items()]
    return out


def assert_fixture_covers(module: ModuleType) -> dict:
    """The rule's fixture file exists, names it, and has a case that fires and one that stays silent."""
    path = ROOT / module.RULE.family / f"{module.RULE.name}.yaml"
    assert path.exists(), path
    doc = yaml.safe_load(path.read_text())
    assert doc["rule"] == module.RULE.name, path
    expects = [bool(case["expect"]) for case in doc["cases"].values()]
    assert any(expects) and not all(expects), f"{path.name} needs a case that fires and one that stays silent"
    return doc
