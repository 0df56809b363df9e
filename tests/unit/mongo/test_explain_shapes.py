"""explain() shapes beyond the classic single-server one, each from a captured output with its address:
the slot-based engine (explainVersion "2": winningPlan.queryPlan + slotBasedPlan, lower-case execution
stages) and sharded clusters (executionStages.shards[], SHARD_MERGE_SORT / SINGLE_SHARD)."""

from pathlib import Path

import yaml

from dbarchitect.core.mongo.explain import is_explain_text, parse_explain, render_tree

EXPLAINS = Path(__file__).parents[2] / "fixtures" / "mongo"


def captured(name: str):
    return parse_explain(yaml.safe_load((EXPLAINS / f"{name}.yaml").read_text())["output"])


def test_slot_based_query_planner_output_reads_the_query_plan_not_the_slot_text():
    raw = yaml.safe_load((EXPLAINS / "sbe_fetch_ixscan_queryplanner.yaml").read_text())["output"]
    assert is_explain_text(raw)
    ex = captured("sbe_fetch_ixscan_queryplanner")
    assert ex.namespace == "test.test1" and ex.version == "5.1.0" and not ex.executed
    assert [n.stage for n in ex.nodes] == ["FETCH", "IXSCAN"]
    assert ex.nodes[1].info["indexName"] == "a_1" and ex.nodes[1].info["planNodeId"] == 1
    assert ex.parsed_query == {"a": {"$eq": 1}}
    assert ex.uses("IXSCAN") and not ex.uses("COLLSCAN")


def test_sharded_execution_stats_walk_every_shard_and_keep_the_merged_totals():
    ex = captured("sharded_merge_sort_limit")
    assert ex.executed and ex.n_returned == 5 and ex.docs_examined == 10 and ex.keys_examined == 10
    assert ex.nodes[0].stage == "SHARD_MERGE_SORT"
    assert [n.depth for n in ex.stages("LIMIT")] == [1, 1], "one LIMIT per shard, under the merge"
    assert len(ex.stages("IXSCAN")) == 2 and not ex.stages("SORT")
    assert "SHARD_MERGE_SORT" in render_tree(ex)


def test_slot_based_stages_on_a_shard_are_read_under_their_classic_names():
    ex = captured("sharded_sbe_single_shard")
    stages = [(n.stage, n.info.get("sbeStage")) for n in ex.nodes]
    assert stages == [("SINGLE_SHARD", None), ("limit", "limit"), ("FETCH", "fetch"), ("filter", "filter"),
                      ("IXSCAN", "ixseek")]
    assert ex.docs_examined == 5 and ex.n_returned == 5
    assert ex.uses("IXSCAN") and ex.uses("FETCH")
