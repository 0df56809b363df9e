"""The MongoDB adapter against a real server: runs only when DBARCHITECT_TEST_MONGODB_URL points at
one (mongodb://host:port/<scratch database>); no package of this machine's registries ships a
MongoDB server, so it is skipped otherwise.

The test writes its own collection `dbarchitect_live_test` (created and dropped by the test with its
own client, never by dbarchitect) and checks that the tools read it: $sample, listIndexes,
validator, explain — and that nothing dbarchitect does writes.
"""

import os

import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server

URL = os.environ.get("DBARCHITECT_TEST_MONGODB_URL")
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not URL, reason="set DBARCHITECT_TEST_MONGODB_URL=mongodb://host:port/db to run the MongoDB adapter tests"),
]
COLL = "dbarchitect_live_test"


@pytest.fixture
def seeded():
    import pymongo

    client = pymongo.MongoClient(URL, serverSelectionTimeoutMS=5000)
    db = client.get_default_database()
    db.drop_collection(COLL)
    docs = [{"_id": i, "status": "open" if i % 10 == 0 else "done", "total": i * 1.5, "tags": list(range(i % 5)),
             "customer": {"_id": 7, "name": "Ann", "email": "a@x.io"}} for i in range(2000)]  # fmt: skip
    docs[3]["total"] = "4.50"
    db[COLL].insert_many(docs)
    db[COLL].create_index([("status", 1)], name="status_1")
    db[COLL].create_index([("status", 1), ("total", 1)], name="status_1_total_1")
    yield db
    db.drop_collection(COLL)
    client.close()


async def test_review_schema_samples_the_collection(seeded):
    server = build_server(load_settings({"DATABASE_URL": URL}))
    async with Client(server) as client:
        res = await client.call_tool("review_schema", {"schema": COLL})
    assert not res.is_error, res.content[0].text
    rules = {f["rule"] for f in res.structured_content["findings"]}
    assert {"mixed-type-field", "prefix-redundant-index", "collection-without-validator",
            "embedded-copy-should-be-reference"} <= rules  # fmt: skip
    assert res.structured_content["source"] == "live"


async def test_recommend_indexes_reads_the_existing_indexes(seeded):
    server = build_server(load_settings({"DATABASE_URL": URL}))
    async with Client(server) as client:
        res = await client.call_tool("recommend_indexes", {"queries": [f'{{"find": "{COLL}", "filter": {{"status": "open", "total": {{"$gt": 5}}}}}}']})
    assert not res.is_error, res.content[0].text
    out = res.structured_content
    assert out["recommendations"] == [] and "status_1_total_1" in out["rejected"][0]["reason"]


async def test_explain_query_runs_explain_and_diagnoses(seeded):
    server = build_server(load_settings({"DATABASE_URL": URL}))
    async with Client(server) as client:
        res = await client.call_tool("explain_query", {"sql": f'db.{COLL}.find({{total: {{$gt: 10}}}}).sort({{tags: 1}})', "analyze": True})
        assert not res.is_error, res.content[0].text
        assert res.structured_content["summary"]["analyzed"] is True
        refused = await client.call_tool("explain_query", {"sql": f'{{"aggregate": "{COLL}", "pipeline": [{{"$out": "x"}}]}}'})
        assert refused.is_error and "Refused" in refused.content[0].text
    assert "x" not in seeded.list_collection_names()
    assert seeded[COLL].count_documents({}) == 2000


async def test_review_indexes_reads_index_stats_and_latency(seeded):
    seeded[COLL].create_index([("customer.email", 1)], name="customer_email_1")  # never used by a query
    list(seeded[COLL].find({"status": "open"}).hint("status_1"))  # status_1 used once
    server = build_server(load_settings({"DATABASE_URL": URL}))
    async with Client(server) as client:
        res = await client.call_tool("review_indexes", {"schema": COLL})
    assert not res.is_error, res.content[0].text
    out = res.structured_content
    by_rule = {f["rule"]: f for f in out["findings"]}
    assert "customer_email_1" in by_rule["unused-collection-index"]["fix"]
    assert 'dropIndex("status_1")' not in by_rule["unused-collection-index"]["fix"]
    assert "prefix-redundant-index" in by_rule and out["stats_reset"]
    assert any("$indexStats and latencyStats read from the server" in n for n in out["notes"])
