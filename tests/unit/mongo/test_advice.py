"""Index advice by ESR: key order, sort directions, covered queries, partial filters, text indexes,
existing indexes that already serve a candidate; explain parsing of every shape."""

import json
from pathlib import Path

import yaml

from dbarchitect.core.mongo.advise import recommend
from dbarchitect.core.mongo.explain import is_explain_text, parse_explain
from dbarchitect.core.mongo.workload import parse_bundle

FIX = Path(__file__).parents[2] / "fixtures" / "mongo"


def advice(*texts, weights=None):
    return recommend(parse_bundle(list(texts), weights))


def test_esr_puts_equality_then_sort_then_range():
    a = advice('{"find": "e", "filter": {"gpa": {"$gt": 3}, "name": "x"}, "sort": {"year": -1}}')
    assert a.recommendations[0].keys == ["name 1", "year -1", "gpa 1"]
    assert "equality name; sort year -1; range gpa" in a.recommendations[0].reason


def test_prefix_candidates_merge_and_existing_indexes_serve():
    a = advice('{"find": "e", "filter": {"a": 1}}', '{"find": "e", "filter": {"a": 1}, "sort": {"b": 1}}')
    assert [r.keys for r in a.recommendations] == [["a 1", "b 1"]]
    a = advice('{"find": "e", "filter": {"a": 1}, "sort": {"b": -1}}',
               '{"collection": "e", "indexes": [{"v": 2, "key": {"a": -1, "b": 1, "c": 1}, "name": "abc"}]}')
    assert a.recommendations == [] and "already served by abc" in a.rejected[0].reason


def test_partial_needs_a_status_like_field_and_samples():
    docs = [{"_id": i, "status": "open" if i < 2 else "done", "t": i} for i in range(10)]
    coll = json.dumps({"collection": "e", "documents": docs})
    a = advice('{"find": "e", "filter": {"status": "open"}, "sort": {"t": 1}}', coll)
    assert a.recommendations[0].kind == "partial" and a.recommendations[0].predicate == '{"status": "open"}'
    a = advice('{"find": "e", "filter": {"status": "open"}, "sort": {"t": 1}}')  # no samples: a key
    assert a.recommendations[0].keys == ["status 1", "t 1"]


def test_text_and_unservable_queries():
    a = advice('{"find": "e", "filter": {"$text": {"$search": "x"}}}', '{"find": "e", "filter": {"$or": [{"a": 1}, {"b": 2}]}}')
    assert a.recommendations[0].method == "text" and a.skipped_queries == {"q2": a.skipped_queries["q2"]}


def test_every_explain_fixture_parses_with_its_tree():
    for path in sorted(FIX.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text())["output"]
        assert is_explain_text(raw), path.name
        ex = parse_explain(raw)
        assert ex.nodes or (ex.shards and all(s.explain.nodes for s in ex.shards)), path.name
    ex = parse_explain(yaml.safe_load((FIX / "tweets_fetch_filter.yaml").read_text())["output"])
    assert ex.namespace == "twitter.tweets" and ex.docs_examined == 251120 and ex.uses("IXSCAN")
    assert not is_explain_text("Seq Scan on users  (cost=0.00..35.50 rows=2550 width=4)")


def test_aggregate_explain_with_stages():
    raw = {"stages": [{"$cursor": {"queryPlanner": {"namespace": "db.c", "winningPlan": {"stage": "COLLSCAN"}}}},
                      {"$group": {"_id": "$a"}, "nReturned": 5, "usedDisk": True, "totalOutputDataSizeBytes": 10}]}  # fmt: skip
    ex = parse_explain(raw)
    assert [s.name for s in ex.pipeline] == ["$cursor", "$group"] and ex.collection == "c"


def test_lookup_collection_scans_in_explain_fire_without_indexes():
    from dbarchitect.core.mongo.api import diagnose

    raw = {"stages": [
        {"$cursor": {"queryPlanner": {"namespace": "test.orders", "winningPlan": {"stage": "COLLSCAN"}},
                     "executionStats": {"nReturned": 3, "totalDocsExamined": 3, "executionStages": {"stage": "COLLSCAN", "nReturned": 3, "docsExamined": 3}}}},
        {"$lookup": {"from": "inventory", "as": "inventory_docs", "localField": "item", "foreignField": "sku"},
         "totalDocsExamined": 9, "totalKeysExamined": 0, "collectionScans": 3, "indexesUsed": [], "nReturned": 3},
    ]}  # fmt: skip
    report = diagnose(raw)
    assert [f.rule for f in report.insights] == ["lookup-foreign-field-unindexed"]
    assert 'createIndex({"sku": 1})' in report.insights[0].fix
