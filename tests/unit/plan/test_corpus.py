"""The plan corpus (tests/fixtures/plans, produced by generate.py on a real PostgreSQL): the JSON and
text forms of a case give the same analysis. What each plan must fire is checked per rule by
test_rule_fixtures.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dbarchitect.core.plan import explain_plan, parse_plan

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "plans"
SPEC = yaml.safe_load((CORPUS / "cases.yaml").read_text())
CASES = sorted(SPEC["cases"])


def _load(name: str, fmt: str):
    if fmt == "json":
        return json.loads((CORPUS / f"{name}.json").read_text())
    return (CORPUS / f"{name}.txt").read_text()


@pytest.mark.parametrize("name", CASES)
def test_json_and_text_give_the_same_insights(name):
    sql = SPEC["cases"][name]["sql"]
    a = explain_plan(_load(name, "json"), sql=sql)
    b = explain_plan(_load(name, "text"), sql=sql)
    key = sorted
    assert key((f.code, f.node, f.node_label, f.severity) for f in a.insights if f.code not in _TIMED_GRADES) == key(
        (f.code, f.node, f.node_label, f.severity) for f in b.insights if f.code not in _TIMED_GRADES
    )
    assert key((f.code, f.node) for f in a.insights) == key((f.code, f.node) for f in b.insights)


# severities graded on time shares may differ between the two executions of a case
_TIMED_GRADES = {"PL003", "PL005", "PL006", "PL008", "PL013", "PL016", "PL018", "PL019", "PL020", "PL022"}

_STABLE = ("node_type", "label", "relation", "alias", "index_name", "relationship", "subplan_name",
           "plan_rows", "plan_width", "startup_cost", "total_cost", "loops", "depth")


@pytest.mark.parametrize("name", CASES)
def test_json_and_text_parse_to_the_same_tree(name):
    """Fields that do not vary between two executions must be identical in both parses."""
    pj, pt = parse_plan(_load(name, "json")), parse_plan(_load(name, "text"))
    assert len(pj.nodes) == len(pt.nodes)
    for a, b in zip(pj.nodes, pt.nodes):
        for field in _STABLE:
            assert getattr(a, field) == getattr(b, field), (name, a.id, field)
        for key in ("Filter", "Index Cond", "Hash Cond", "Join Filter", "Sort Key", "Group Key", "Workers Planned",
                    "Cache Key", "Recheck Cond", "Output"):
            assert a.get(key) == b.get(key), (name, a.id, key)
    assert (pj.planning_ms is None) == (pt.planning_ms is None)
    assert [t.constraint for t in pj.triggers] == [t.constraint for t in pt.triggers]
    assert bool(pj.jit) == bool(pt.jit)


def test_corpus_was_generated_on_a_real_server():
    meta = json.loads((CORPUS / "_meta.json").read_text())
    assert meta["server_version"].split(".")[0].isdigit()
