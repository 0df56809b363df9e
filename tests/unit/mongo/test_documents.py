"""Documents in: JSON, Extended JSON (canonical and relaxed, mongoexport lines), mongosh notation;
BSON types and sizes; the inferred schema; the $jsonSchema it implies."""

import json

import pytest

from dbarchitect.core.mongo.documents import (
    DocumentParseError, bson_size, bson_type, infer, json_schema, loads, strip_comments,
)
from dbarchitect.core.mongo.workload import is_mongo_text, parse_bundle, predicates


def test_extended_json_types():
    assert bson_type({"$oid": "65a000000000000000000001"}) == "objectId"
    assert bson_type({"$date": {"$numberLong": "1700000000000"}}) == "date"
    assert bson_type({"$numberDecimal": "1.10"}) == "decimal"
    assert bson_type(2**40) == "long" and bson_type(3) == "int" and bson_type(1.5) == "double"
    assert bson_type({"$regularExpression": {"pattern": "^a", "options": "i"}}) == "regex"
    assert bson_type({"a": 1}) == "object"


def test_bson_size_matches_the_encoding():
    # {"a": 1}: 4 (length) + 1 (type) + 2 ("a\0") + 4 (int32) + 1 (terminator) = 12
    assert bson_size({"a": 1}) == 12
    # {"_id": ObjectId}: 4 + 1 + 4 + 12 + 1 = 22
    assert bson_size({"_id": {"$oid": "65a000000000000000000001"}}) == 22
    assert bson_size({"s": "abc"}) == 4 + 1 + 2 + (4 + 3 + 1) + 1


def test_mongoexport_lines_and_mongosh_notation():
    lines = '{"_id":{"$oid":"65a000000000000000000001"},"n":1}\n{"_id":{"$oid":"65a000000000000000000002"},"n":2}\n'
    assert len(loads(lines)) == 2
    shell = "[{_id: ObjectId('65a000000000000000000001'), at: ISODate('2026-01-01T00:00:00Z'), n: NumberLong(5), name: 'x',}]"
    doc = loads(shell)[0]
    assert doc == {"_id": {"$oid": "65a000000000000000000001"}, "at": {"$date": "2026-01-01T00:00:00Z"},
                   "n": {"$numberLong": "5"}, "name": "x"}  # fmt: skip
    with pytest.raises(DocumentParseError):
        loads("CREATE TABLE t (id int)")


def test_replica_set_cluster_time_in_shell_notation():
    # what the legacy shell (4.4) and mongosh print after any command on a replica set
    legacy = '{"operationTime" : Timestamp(1639472235, 1), "hash" : BinData(0,"AAAAAAAAAAAAAAAAAAAAAAAAAAA="), "n" : NumberLong(0)}'
    assert loads(legacy) == {"operationTime": {"$timestamp": {"t": 1639472235, "i": 1}},
                             "hash": {"$binary": {"base64": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "subType": "00"}},
                             "n": {"$numberLong": "0"}}  # fmt: skip
    mongosh = "{operationTime: Timestamp({ t: 1639472235, i: 1 }), hash: Binary.createFromBase64('AAAA', 0)}"
    assert loads(mongosh) == {"operationTime": {"$timestamp": {"t": 1639472235, "i": 1}},
                              "hash": {"$binary": {"base64": "AAAA", "subType": "00"}}}  # fmt: skip
    assert bson_type(loads(legacy)["operationTime"]) == "timestamp" and bson_type(loads(legacy)["hash"]) == "binData"


def test_shell_scripts_keep_strings_and_regexes_but_lose_their_comments():
    script = """[
        // the customer's orders (an apostrophe in a comment)
        {url: "http://example.com/a//b", re: /a\\/\\//i, n: undefined}, /* block
        comment */ {x: 1}
    ]"""
    assert strip_comments("a // b\nc /* d */ e") == "a \nc   e"
    assert loads(script) == [{"url": "http://example.com/a//b",
                              "re": {"$regularExpression": {"pattern": "a\\/\\/", "options": "i"}},
                              "n": {"$undefined": True}}, {"x": 1}]  # fmt: skip


def test_inferred_schema_presence_arrays_depth():
    docs = [{"_id": i, "tags": list(range(i)), "addr": {"city": "A", "geo": {"lat": 1}}} for i in range(20)]
    docs[0]["note"] = None
    s = infer("c", docs)
    assert s.sampled == 20 and s.fields["tags"].array_max == 19 and s.fields["tags"].array_p95 == 18
    assert s.fields["note"].presence == 0.05 and s.fields["addr.city"].presence == 1.0
    assert s.fields["tags.[]"].types == {"int": sum(range(20))}
    assert s.max_depth == 3 and s.deepest_path == "addr.geo.lat"
    schema = json_schema(s)
    assert schema["required"] == ["_id", "addr", "tags"]
    assert schema["properties"]["tags"] == {"bsonType": "array", "items": {"bsonType": "number"}}
    assert schema["properties"]["addr"]["properties"]["geo"]["required"] == ["lat"]


def test_bundles_commands_and_shell_queries():
    b = parse_bundle([
        'db.orders.find({status: "A", qty: {$lt: 30}}, {_id: 0, qty: 1}).sort({created: -1}).limit(10)',
        json.dumps({"aggregate": "orders", "pipeline": [{"$match": {"x": 1}}], "allowDiskUse": True}),
        json.dumps({"collections": {"orders": {"documents": [{"_id": 1}], "indexes": [{"v": 2, "key": {"_id": 1}, "name": "_id_"}], "count": 5}}}),
    ], weights=[3, 1, 1])  # fmt: skip
    q1, q2 = b.queries
    assert (q1.collection, q1.filter, q1.sort, q1.projection, q1.limit, q1.weight) == (
        "orders", {"status": "A", "qty": {"$lt": 30}}, [("created", -1)], {"_id": 0, "qty": 1}, 10, 3.0)
    assert q2.kind == "aggregate" and q2.allow_disk_use is True and q2.id == "q2"
    assert b.collections["orders"].count == 5 and b.collections["orders"].indexes[0].name == "_id_"
    roles = {p.field: p.role for p in predicates(q1.filter)}
    assert roles == {"status": "equality", "qty": "range"}
    assert is_mongo_text('db.users.find({})') and is_mongo_text("[{}]") and not is_mongo_text("SELECT 1")
