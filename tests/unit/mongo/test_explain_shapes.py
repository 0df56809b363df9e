"""explain() shapes beyond the classic single-server one, each from a captured output with its address:
the slot-based engine (explainVersion "2": winningPlan.queryPlan + slotBasedPlan, lower-case execution
stages) and sharded clusters (executionStages.shards[], SHARD_MERGE_SORT / SINGLE_SHARD), and aggregations
explained through mongos (shards{name: {stages | queryPlanner}}, splitPipeline, mergeType)."""

import pytest

from pathlib import Path

import yaml

from dbarchitect.core.mongo.api import diagnose
from dbarchitect.core.mongo.documents import DocumentParseError
from dbarchitect.core.mongo.explain import is_explain_text, parse_explain, render_tree
from dbarchitect.core.mongo.workload import parse_bundle

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


def test_a_split_aggregate_through_mongos_keeps_each_shard_and_where_the_merge_runs():
    ex = captured("mongos_agg_split_group_sbe")
    assert ex.merge_type == "anyShard" and ex.shards_part == ["$group"]
    assert ex.merger_part == ["$mergeCursors", "$group", "$unwind"]
    assert [(s.name, s.host) for s in ex.shards] == [("shard2", "localhost:8002"), ("shard1", "localhost:8001")]
    shard1 = ex.shards[1].explain
    assert shard1.executed and shard1.docs_examined == 5555 and shard1.n_returned == 1
    assert shard1.stages("COLLSCAN")[0].num("docsExamined") == 5555, "SBE scan read as COLLSCAN with its numReads"
    assert shard1.stages("GROUP")[0].info["usedDisk"] is False
    assert ex.docs_examined == 5555 and ex.n_returned is None, "the merged count is not in mongos' output"
    assert not ex.nodes and not ex.pipeline
    tree = render_tree(ex)
    assert tree.index("shard shard2") < tree.index("shard shard1") < tree.index("merge on anyShard: $mergeCursors > $group > $unwind")


def test_geonear_cursor_is_the_shards_query_stage():
    ex = captured("mongos_agg_geonear_split")
    assert ex.shards_part == ["$geoNear"] and [s.name for s in ex.shards] == ["shard2", "shard1"]
    shard1 = ex.shards[1].explain
    assert [p.name for p in shard1.pipeline] == ["$geoNearCursor"] and shard1.n_returned == 485
    assert shard1.nodes[1].stage == "GEO_NEAR_2DSPHERE" and shard1.uses("IXSCAN")


def test_a_single_shard_aggregate_has_no_split_and_keeps_the_shards_stage_statistics():
    ex = captured("mongos_agg_single_shard_group_sort")
    assert ex.merge_type is None and ex.merger_part == [] and len(ex.shards) == 1
    group = ex.shards[0].explain.pipeline[1]
    assert group.name == "$group" and group.num("totalOutputDataSizeBytes") == 96638 and group.stats["usedDisk"] is False
    assert ex.n_returned == 485, "one shard, no split: its counts are the query's"


def test_findings_name_the_shard_and_static_findings_are_not_repeated_per_shard():
    raw = yaml.safe_load((EXPLAINS / "mongos_agg_unsharded_collscan.yaml").read_text())["output"]
    bundle = parse_bundle('[{"collection": "coll", "count": 1200000}, {"aggregate": "coll", "allowDiskUse": false, '
                          '"pipeline": [{"$group": {"_id": "$tags", "docs": {"$push": "$$ROOT"}}}]}]')
    report = diagnose(raw, bundle)
    rules = sorted(f.rule for f in report.insights)
    assert rules == ["collection-scan", "group-memory-limit"], rules
    scan = next(f for f in report.insights if f.rule == "collection-scan")
    assert scan.message.startswith("On shard replSet-a3becde9-cc49-4b7d-94c8-266bc36068ef: COLLSCAN of coll")
    assert scan.evidence[0].data["shard"] == "replSet-a3becde9-cc49-4b7d-94c8-266bc36068ef"
    assert any("ran the whole pipeline (no split)" in n for n in report.notes)
    assert report.summary.headline.startswith("test.coll through mongos")


def test_a_mongos_explain_with_an_unreadable_shard_is_a_clear_error():
    assert is_explain_text('{"splitPipeline": null, "shards": {"s1": {"host": "h:1"}}}')
    with pytest.raises(DocumentParseError, match="shard s1: no stages nor queryPlanner"):
        parse_explain('{"splitPipeline": null, "shards": {"s1": {"host": "h:1"}}}')


def test_a_3x_split_aggregate_says_needs_primary_shard_merger_instead_of_merge_type():
    ex = captured("mongos_agg_split_3x")
    assert ex.merge_type == "anyShard", "needsPrimaryShardMerger: false — merged on a shard chosen at random (3.2-3.4)"
    assert ex.shards_part == ["$match", "$project", "$unwind", "$match", "$project", "$match", "$group"]
    assert ex.merger_part == ["$group"] and [s.name for s in ex.shards] == ["SS185", "SS187"]
    shard = ex.shards[0].explain
    assert not shard.executed and shard.namespace == "bpc_data_app1_1m_201709.stat_cap1_1h_x"
    assert [p.name for p in shard.pipeline][:3] == ["$cursor", "$project", "$unwind"] and shard.uses("IXSCAN")
    single = captured("mongos_agg_single_shard_3x")
    assert single.merge_type is None and single.merger_part == [] and single.shards[0].explain.nodes[-1].info["indexName"] == "_id_"


def test_a_4_4_replica_set_aggregate_printed_by_the_legacy_shell_keeps_every_stage_statistic():
    # the shell prints $clusterTime with Timestamp(…) and BinData(…): the output parses as it was pasted
    ex = captured("tpch_q3_unwind_explosion_44")
    assert ex.version == "4.4.10" and ex.namespace == "tpch_mongo_1c.scale1" and ex.executed
    assert (ex.n_returned, ex.docs_examined) == (19876, 150000)
    assert [s.name for s in ex.pipeline] == ["$cursor", "$unwind", "$match", "$project", "$unwind", "$match", "$group", "$sort"]
    assert [int(s.num("nReturned")) for s in ex.pipeline] == [19876, 297452, 113, 113, 440, 439, 113, 10]
    assert "$unwind nReturned=297452" in render_tree(ex)
