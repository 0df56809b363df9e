"""The spill branches of DM023 (group-memory-limit) and DM031 (blocking-sort).

No public explain() output of a stage that spilled, with an address to cite, was found (issue 24: the
MongoDB manual, Jira, the server's golden outputs, the Compass fixtures and course notes were searched; the
outputs there report `usedDisk: false`). So the firing inputs below are constructed from the documented
fields — https://www.mongodb.com/docs/manual/reference/explain-results/ ($sort and $group stages:
usedDisk, spills, spilledDataStorageSize, numBytesSpilledEstimate, spilledRecords, per-accumulator
maxAccumulatorMemoryUsageBytes; the SORT stage: memLimit, totalDataSizeSorted, usedDisk, spills; the
slot-based `group` stage: usedDisk, spills, spilledRecords) — and each silent case is a captured output.
"""

from pathlib import Path

import yaml

from dbarchitect.core.mongo.explain import parse_explain
from dbarchitect.core.mongo.review import DocumentContext, check
from dbarchitect.core.mongo.workload import Bundle
from dbarchitect.core.rulebook import find_rule

EXPLAINS = Path(__file__).parents[2] / "fixtures" / "mongo"
MIB = 1024 * 1024


def findings(rule: str, raw):
    return check(find_rule(rule), DocumentContext.of(Bundle(), parse_explain(raw)))


def captured(name: str):
    return yaml.safe_load((EXPLAINS / f"{name}.yaml").read_text())["output"]


def cursor(n: int) -> dict:
    return {"$cursor": {
        "queryPlanner": {"namespace": "shop.orders", "winningPlan": {"stage": "COLLSCAN", "direction": "forward"}},
        "executionStats": {"executionSuccess": True, "nReturned": n, "totalDocsExamined": n,
                           "executionStages": {"stage": "COLLSCAN", "nReturned": n, "docsExamined": n}},
    }, "nReturned": n}  # fmt: skip


def test_a_pipeline_group_that_spilled_fires_with_its_spill_counters_as_evidence():
    raw = {"stages": [cursor(2_000_000), {
        "$group": {"_id": "$customerId", "total": {"$sum": "$total"}},
        "maxAccumulatorMemoryUsageBytes": {"total": {"$numberLong": "91000000"}},
        "totalOutputDataSizeBytes": {"$numberLong": "98000000"}, "usedDisk": True, "spills": {"$numberLong": "3"},
        "spilledDataStorageSize": {"$numberLong": "41000000"}, "numBytesSpilledEstimate": {"$numberLong": "120000000"},
        "spilledRecords": {"$numberLong": "640000"}, "nReturned": {"$numberLong": "800000"},
    }]}  # fmt: skip
    [f] = findings("group-memory-limit", raw)
    assert f.object == "$group" and f.severity.value == "warning"
    assert "$group spilled to disk (93 MB held)" in f.message, f.message
    assert f.evidence[0].data["spilledRecords"] == {"$numberLong": "640000"}


def test_the_per_accumulator_memory_map_is_summed():
    # two accumulators of 30 MB each: 60 MB held, past half the 100 MB limit, without a spill
    raw = {"stages": [cursor(500_000), {
        "$group": {"_id": "$a", "docs": {"$push": "$b"}, "n": {"$push": "$c"}},
        "maxAccumulatorMemoryUsageBytes": {"docs": 30 * MIB, "n": 30 * MIB}, "usedDisk": False, "spills": 0,
        "nReturned": 10,
    }]}  # fmt: skip
    [f] = findings("group-memory-limit", raw)
    assert "close to the 100 MB limit (60 MB held)" in f.message, f.message


def test_a_real_group_of_4900_bytes_with_an_accumulator_map_stays_silent():
    ex = parse_explain(captured("agg_lookup_collscan"))
    group = next(s for s in ex.pipeline if s.name == "$group")
    assert isinstance(group.stats["maxAccumulatorMemoryUsageBytes"], dict)  # the real shape: a map
    assert findings("group-memory-limit", captured("agg_lookup_collscan")) == []


def test_a_group_run_by_the_slot_based_engine_that_spilled_fires():
    raw = {"explainVersion": "2", "queryPlanner": {"namespace": "shop.orders", "winningPlan": {"queryPlan": {
        "stage": "GROUP", "planNodeId": 2, "inputStage": {"stage": "COLLSCAN", "planNodeId": 1}}}},
        "executionStats": {"executionSuccess": True, "nReturned": 800000, "totalDocsExamined": 2000000,
                           "executionStages": {"stage": "group", "planNodeId": 2, "nReturned": 800000,
                                               "usedDisk": True, "spills": 12, "spilledRecords": 650000,
                                               "inputStage": {"stage": "scan", "planNodeId": 1, "nReturned": 2000000,
                                                              "numReads": 2000000}}}}  # fmt: skip
    [f] = findings("group-memory-limit", raw)
    assert f.message.startswith("$group (slot-based group, stage 0) spilled to disk (its memory use not reported)")
    assert f.evidence[0].data == {"usedDisk": True, "spills": 12, "spilledRecords": 650000}


def test_the_real_slot_based_groups_on_two_shards_are_read_and_did_not_spill():
    ex = parse_explain(captured("mongos_agg_split_group_sbe"))
    groups = [n for s in ex.shards for n in s.explain.stages("GROUP")]
    assert len(groups) == 2 and all(n.info["usedDisk"] is False and n.info["spilledRecords"] == 0 for n in groups)
    assert findings("group-memory-limit", captured("mongos_agg_split_group_sbe")) == []


def test_a_find_sort_that_spilled_past_its_memory_limit_is_a_warning_not_a_failure():
    raw = {"queryPlanner": {"namespace": "app.users", "parsedQuery": {},
                            "winningPlan": {"stage": "SORT", "sortPattern": {"birth": 1, "name": 1},
                                            "inputStage": {"stage": "COLLSCAN"}}},
           "executionStats": {"executionSuccess": True, "nReturned": 1000000, "totalDocsExamined": 1000000,
                              "executionStages": {
                                  "stage": "SORT", "nReturned": 1000000, "sortPattern": {"birth": 1, "name": 1},
                                  "memLimit": 104857600, "type": "simple", "totalDataSizeSorted": 203000000,
                                  "usedDisk": True, "spills": 2,
                                  "inputStage": {"stage": "COLLSCAN", "nReturned": 1000000, "docsExamined": 1000000}}}}  # fmt: skip
    [f] = findings("blocking-sort", raw)
    assert f.severity.value == "warning" and "spilled to disk" in f.message, f.message
    assert "of 1000000 documents, 194 MB of the 100 MB limit — spilled to disk" in f.message, f.message
    assert 'createIndex({"birth": 1, "name": 1})' in f.fix
    assert f.evidence[0].data["usedDisk"] is True
