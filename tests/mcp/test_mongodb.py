"""MongoDB over MCP with no server: review_schema on sample documents, recommend_indexes from
find/aggregate commands, review_query(dialect="mongodb"), explain_plan on real explain() output —
whatever the default connection is. A mongodb:// connection that cannot be reached answers with a
sentence about MongoDB, never a traceback."""

from pathlib import Path

import pytest
import yaml
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server

pytestmark = pytest.mark.anyio
EXPLAINS = Path(__file__).resolve().parents[1] / "fixtures" / "mongo"

ORDERS = """
{"collection": "orders", "validator": null,
 "indexes": [{"v": 2, "key": {"_id": 1}, "name": "_id_"},
             {"v": 2, "key": {"customerId": 1}, "name": "customerId_1"},
             {"v": 2, "key": {"customerId": 1, "createdAt": -1}, "name": "customerId_1_createdAt_-1"}],
 "documents": [
  {"_id": {"$oid": "65a000000000000000000001"}, "customerId": 1, "status": "open", "total": 10.5,
   "createdAt": {"$date": "2026-01-01T10:00:00Z"}, "lines": [{"sku": "a", "qty": 1}]},
  {"_id": {"$oid": "65a000000000000000000002"}, "customerId": 2, "status": "paid", "total": "12.00",
   "createdAt": {"$date": "2026-01-02T10:00:00Z"}, "lines": [{"sku": "b", "qty": 2}, {"sku": "c", "qty": 1}]}
 ]}
"""


@pytest.fixture
def offline_server():
    return build_server(load_settings({}, use_embedded_scratch=False))


async def test_review_schema_on_documents_needs_no_server(offline_server):
    async with Client(offline_server) as client:
        res = await client.call_tool("review_schema", {"ddl": ORDERS})
    assert not res.is_error, res.content[0].text
    out = res.structured_content
    rules = {f["rule"]: f for f in out["findings"]}
    assert {"mixed-type-field", "collection-without-validator", "prefix-redundant-index"} <= set(rules)
    assert out["source"] == "parsed" and out["tables"] == 1
    assert "collMod" in rules["collection-without-validator"]["fix"] and "$jsonSchema" in rules["mixed-type-field"]["fix"]
    assert rules["prefix-redundant-index"]["fix"].endswith('dropIndex("customerId_1")')
    assert all(f["code"].startswith("DM") for f in out["findings"])


async def test_review_schema_reads_mongoexport_lines_whatever_the_default_connection(blog_dsn):
    server = build_server(load_settings({"DATABASE_URL": blog_dsn}))
    lines = '{"_id": {"$oid": "65a000000000000000000001"}, "a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}\n{"_id": {"$oid": "65a000000000000000000002"}, "a": 1}'
    async with Client(server) as client:
        res = await client.call_tool("review_schema", {"ddl": lines, "min_severity": "advice"})
        assert not res.is_error, res.content[0].text
        assert {f["rule"] for f in res.structured_content["findings"]} == {"deeply-nested-document", "mixed-type-field"}
        # PostgreSQL DDL still goes to PostgreSQL
        res = await client.call_tool("review_schema", {"ddl": "CREATE TABLE t (id int);"})
        assert not res.is_error and any(f["code"].startswith("SD") for f in res.structured_content["findings"])


async def test_recommend_indexes_by_esr_with_create_index_commands(offline_server):
    queries = [
        'db.orders.find({status: "open", total: {$gte: 100}}).sort({createdAt: -1})',
        '{"find": "orders", "filter": {"customerId": 7}, "projection": {"_id": 0, "customerId": 1, "total": 1}}',
        '{"aggregate": "articles", "pipeline": [{"$match": {"$text": {"$search": "mongodb"}}}]}',
        ORDERS,
    ]
    async with Client(offline_server) as client:
        res = await client.call_tool("recommend_indexes", {"queries": queries, "weights": [100, 10, 1, 1]})
    assert not res.is_error, res.content[0].text
    out = res.structured_content
    assert out["mode"] == "heuristic"
    ddl = [r["ddl"] for r in out["recommendations"]]
    # ESR: equality status (partial: half the samples are open), then the sort, then the range
    assert ddl[0] == (
        'db.getCollection("orders").createIndex({"createdAt": -1, "total": 1}, '
        '{"name": "createdAt_-1_total_1", "partialFilterExpression": {"status": "open"}})'
    )
    assert any('"$**": "text"' in d for d in ddl)
    covered = [r for r in out["recommendations"] if r["kind"] == "covering"]
    assert covered and covered[0]["keys"] == ["customerId 1", "total 1"] and covered[0]["supersedes"] == ["customerId_1"]
    assert any("prefix-redundant-index" in n for n in out["notes"])


async def test_review_query_mongodb_dialect(offline_server):
    pipeline = (
        '[{"aggregate": "orders", "pipeline": [{"$lookup": {"from": "customers", "localField": "email", '
        '"foreignField": "email", "as": "c"}}, {"$unwind": "$c"}, {"$match": {"status": "open"}}]}, '
        '{"collection": "customers", "indexes": [{"v": 2, "key": {"_id": 1}, "name": "_id_"}]}]'
    )
    async with Client(offline_server) as client:
        res = await client.call_tool("review_query", {"sql": pipeline, "dialect": "mongodb"})
    assert not res.is_error, res.content[0].text
    out = res.structured_content
    assert out["dialect"] == "mongodb" and out["catalog"] is True
    assert {f["rule"] for f in out["findings"]} == {
        "match-after-lookup-or-unwind", "lookup-foreign-field-unindexed", "lookup-of-single-document"}


@pytest.mark.parametrize(("fixture", "rule"), [
    ("data_age_collscan", "collection-scan"), ("restaurants_sort", "blocking-sort"),
    ("tweets_fetch_filter", "docs-examined-exceed-returned"), ("data_age_ixscan", None),
])
async def test_explain_plan_reads_mongodb_explain_output(offline_server, fixture, rule):
    plan = yaml.safe_load((EXPLAINS / f"{fixture}.yaml").read_text())["output"]
    async with Client(offline_server) as client:
        res = await client.call_tool("explain_plan", {"plan": plan})
    assert not res.is_error, res.content[0].text
    out = res.structured_content
    assert [f["rule"] for f in out["insights"]] == ([rule] if rule else [])
    assert out["summary"]["analyzed"] is True and out["tree"]


@pytest.mark.parametrize(("fixture", "rules", "stage"), [
    ("agg_lookup_collscan", {"collection-scan", "lookup-foreign-field-unindexed"}, "COLLSCAN"),
    ("agg_lookup_indexed", set(), "IXSCAN"),
    ("sbe_fetch_ixscan_queryplanner", set(), "IXSCAN"),
    ("sharded_merge_sort_limit", set(), "SHARD_MERGE_SORT"),
    ("sharded_sbe_single_shard", set(), "SINGLE_SHARD"),
    ("mongos_agg_split_group_sbe", set(), "merge on anyShard: $mergeCursors > $group > $unwind"),
    ("mongos_agg_lookup_single_shard", set(), "shard shard2 (localhost:8002)"),
    # the 4.4 legacy shell's printout as pasted ($clusterTime with Timestamp(…) and BinData(…))
    ("tpch_q3_unwind_explosion_44", {"collection-scan", "unwind-explosion"}, "$unwind nReturned=297452"),
    ("tpch_q4_unwind_44", {"collection-scan"}, "$unwind nReturned=226736"),
])
async def test_explain_plan_reads_aggregate_slot_based_and_sharded_outputs(offline_server, fixture, rules, stage):
    plan = yaml.safe_load((EXPLAINS / f"{fixture}.yaml").read_text())["output"]
    async with Client(offline_server) as client:
        res = await client.call_tool("explain_plan", {"plan": plan})
    assert not res.is_error, res.content[0].text
    out = res.structured_content
    assert {f["rule"] for f in out["insights"]} == rules
    assert stage in out["tree"]


async def test_a_mongos_explain_with_an_unreadable_shard_is_an_error_and_the_next_call_works(offline_server):
    async with Client(offline_server) as client:
        res = await client.call_tool("explain_plan", {"plan": '{"splitPipeline": null, "shards": {"s1": {"host": "h:1"}}}'})
        assert res.is_error and "shard s1: no stages nor queryPlanner" in res.content[0].text, res.content[0].text
        plan = yaml.safe_load((EXPLAINS / "mongos_agg_split_3x.yaml").read_text())["output"]
        res = await client.call_tool("explain_plan", {"plan": plan})
        assert not res.is_error and "merge on anyShard: $group" in res.structured_content["tree"]
        assert any("split" in n for n in res.structured_content["notes"])

async def test_an_unreachable_mongodb_connection_answers_with_a_sentence():
    env = {"DATABASE_URL": "mongodb://127.0.0.1:1/app?serverSelectionTimeoutMS=200"}
    async with Client(build_server(load_settings(env))) as client:
        res = await client.call_tool("review_schema", {})
        text = res.content[0].text
        assert res.is_error and "The MongoDB server of connection 'default' cannot be reached" in text, text
        assert "Traceback" not in res.content[0].text
        # inline documents need no server, even on that connection
        res = await client.call_tool("review_schema", {"ddl": ORDERS})
        assert not res.is_error
        res = await client.call_tool("describe_schema", {})
        assert res.is_error and "describe_schema does not support MongoDB yet" in res.content[0].text


USERS_INDEXES = """
{"collection": "users",
 "indexes": [{"v": 2, "key": {"_id": 1}, "name": "_id_"},
             {"v": 2, "key": {"email": 1}, "name": "email_1", "unique": true},
             {"v": 2, "key": {"country": 1}, "name": "country_1"},
             {"v": 2, "key": {"country": 1, "city": 1}, "name": "country_1_city_1"},
             {"v": 2, "key": {"lastSeen": 1}, "name": "lastSeen_1", "expireAfterSeconds": 86400}],
 "indexStats": [{"name": "country_1_city_1", "key": {"country": 1, "city": 1}, "host": "db1:27017",
                 "accesses": {"ops": {"$numberLong": "0"}, "since": {"$date": "2026-03-01T00:00:00Z"}}},
                {"name": "country_1", "key": {"country": 1}, "host": "db1:27017",
                 "accesses": {"ops": {"$numberLong": "4411"}, "since": {"$date": "2026-03-01T00:00:00Z"}}}],
 "documents": [{"_id": 1, "email": "a@example.com", "country": "FR", "city": "Lyon", "lastSeen": 1767225600},
               {"_id": 2, "country": "DE", "city": "Bonn", "lastSeen": 1767229200}]}
"""


async def test_review_indexes_on_get_indexes_output_needs_no_server(offline_server, blog_dsn):
    async with Client(offline_server) as client:
        res = await client.call_tool("review_indexes", {"schema": USERS_INDEXES})
        assert not res.is_error, res.content[0].text
        out = res.structured_content
        rules = {f["rule"]: f for f in out["findings"]}
        assert set(rules) == {"prefix-redundant-index", "unused-collection-index", "ttl-index-on-non-date-field",
                              "unique-index-on-optional-field"}, list(rules)
        assert 'dropIndex("country_1")' in rules["prefix-redundant-index"]["fix"]
        assert 'dropIndex("country_1_city_1")' in rules["unused-collection-index"]["fix"]
        assert '"partialFilterExpression": {"email": {"$exists": true}}' in rules["unique-index-on-optional-field"]["fix"]
        assert out["stats_reset"] == "2026-03-01T00:00:00Z" and out["indexes"] == 5
        assert any("write share unknown for users" in n for n in out["notes"])

        # no $indexStats: usage is unknown, said so, and no index is called unused
        bare = USERS_INDEXES.split(' "indexStats"')[0] + ' "documents": []}'
        res = await client.call_tool("review_indexes", {"schema": bare})
        assert not res.is_error, res.content[0].text
        assert "unused-collection-index" not in {f["rule"] for f in res.structured_content["findings"]}
        assert any("index usage unknown for users" in n for n in res.structured_content["notes"])

        res = await client.call_tool("review_indexes", {"schema": '{"collection": "users", "indexes": [{"name": "x"}]}'})
        assert res.is_error and "key pattern" in res.content[0].text

    # a PostgreSQL default connection: the JSON still goes to MongoDB's review
    async with Client(build_server(load_settings({"DATABASE_URL": blog_dsn}))) as client:
        res = await client.call_tool("review_indexes", {"schema": USERS_INDEXES, "rules": "DM012"})
        assert not res.is_error, res.content[0].text
        assert [f["rule"] for f in res.structured_content["findings"]] == ["unused-collection-index"]
