"""
## What it does
Flags an index that `$indexStats` shows no operation has used (`accesses.ops` 0) since its
`accesses.since`, when it is not `_id_`, unique, TTL or hidden (those work without being read). Runs
only when `$indexStats` output is given (or read from the server); otherwise review_indexes says that
index usage is unknown.

## Why is this bad?
Every insert, every delete and every update of an indexed field writes each index; an index no query
uses costs that write work, cache (the working set) and disk for nothing.

## Example
```json
{"collection": "orders", "indexStats": [
  {"name": "status_1", "key": {"status": 1}, "accesses": {"ops": 0, "since": {"$date": "2026-01-01T00:00:00Z"}}}]}
```

## Use instead
Hide it (`hideIndex`, MongoDB 4.4+: the planner ignores it, writes still maintain it), watch the
workload on every replica set member and shard (`$indexStats` counts per mongod since its restart),
then drop it.
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.mongo.review import drop_index, index_evidence
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="unused-collection-index", code="DM012", family="document", severity=Severity.warning,
    summary="$indexStats shows an index no operation has used: it only costs writes, cache and disk.",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "index"


def check(ctx):
    out = []
    for name, coll in sorted(ctx.bundle.collections.items()):
        if coll.index_stats is None:
            continue
        specs = {i.name: i for i in coll.indexes or []}
        for use in coll.index_stats:
            spec = specs.get(use.name)
            if use.ops or use.name == "_id_" or (spec and (spec.unique or spec.ttl_seconds is not None or spec.hidden)):
                continue
            since = f" since {use.since}" if use.since else ""
            where = f" on {use.host}" if use.host else ""
            out.append(RULE.finding(
                obj=f"{name}.{use.name}",
                message=(
                    f"{name}: index {use.name}{' ' + spec.pattern() if spec else ''} served 0 operations{since}{where} "
                    "($indexStats); every write still maintains it. The counters are per mongod and restart with it: "
                    "check every replica set member and shard before dropping."
                ),
                fix=f'db.getCollection("{name}").hideIndex("{use.name}")  // watch, then: ' + drop_index(name, use.name),
                evidence=[Evidence(kind="catalog", detail=f"$indexStats of {name}: {use.name} accesses.ops = 0{since}{where}",
                                   data={"index": use.name, "ops": use.ops, "since": use.since})]
                         + ([index_evidence(name, coll.indexes)] if coll.indexes else []),
            ))  # fmt: skip
    return out
