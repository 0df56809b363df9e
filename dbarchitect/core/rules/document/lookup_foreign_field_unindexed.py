"""
## What it does
Flags a `$lookup` whose `foreignField` is not the leading key of any index of the `from` collection,
when that collection's indexes were given (or read from the server) — or whose explain statistics
(executionStats, MongoDB 5.0+) show `collectionScans` above zero.

## Why is this bad?
`$lookup` runs one query on the foreign collection per input document. Without an index on the
foreign field each of them is a collection scan: N input documents × M foreign documents examined
(explain shows `collectionScans` and an empty `indexesUsed` on the stage).

## Example
```json
[{"aggregate": "orders", "pipeline": [{"$lookup": {"from": "customers", "localField": "customerEmail",
   "foreignField": "email", "as": "customer"}}]},
 {"collection": "customers", "indexes": [{"v": 2, "key": {"_id": 1}, "name": "_id_"}]}]
```

## Use instead
```javascript
db.customers.createIndex({email: 1})
```
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.mongo.review import create_index, index_evidence
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="lookup-foreign-field-unindexed", code="DM021", family="document", severity=Severity.warning,
    summary="$lookup on a foreignField no index of the foreign collection leads with.",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "query"


def lookups(ctx):
    for q in ctx.queries:
        for stage in q.pipeline:
            if "$lookup" in stage and isinstance(stage["$lookup"], dict):
                yield q, stage["$lookup"], None
    if ctx.explain is not None:
        for st in ctx.explain.pipeline:
            if st.name == "$lookup" and isinstance(st.spec, dict):
                yield None, st.spec, st


def check(ctx):
    out, seen = [], set()
    for q, spec, stats in lookups(ctx):
        foreign, ffield = spec.get("from"), spec.get("foreignField")
        if not isinstance(foreign, str) or not isinstance(ffield, str) or ffield == "_id" or (foreign, ffield) in seen:
            continue
        scans = stats.num("collectionScans") if stats is not None else None
        if scans:
            seen.add((foreign, ffield))
            out.append(RULE.finding(
                obj=f"{foreign}.{ffield}",
                message=(
                    f"$lookup from {foreign} on {ffield} ran {int(scans)} collection scan(s) of {foreign} "
                    f"(indexesUsed: {stats.stats.get('indexesUsed')}): one scan per input document."
                ),
                fix=create_index(foreign, [(ffield, 1)]),
                evidence=[Evidence(kind="execution", detail=f"explain: $lookup collectionScans={int(scans)}",
                                   data={k: stats.stats[k] for k in ("collectionScans", "indexesUsed", "totalDocsExamined")
                                         if k in stats.stats})],
            ))  # fmt: skip
            continue
        indexes = ctx.indexes(foreign)
        if indexes is None or any(i.fields and i.fields[0] == ffield and not i.partial for i in indexes):
            continue
        seen.add((foreign, ffield))
        where = f"{q.id} on {q.collection}" if q else "the explained pipeline"
        out.append(RULE.finding(
            obj=f"{foreign}.{ffield}",
            message=(
                f"{where}: $lookup from {foreign} on {ffield}, which no index of {foreign} leads with — one collection "
                f"scan of {foreign} per input document."
            ),
            fix=create_index(foreign, [(ffield, 1)]),
            evidence=[index_evidence(foreign, indexes)],
        ))  # fmt: skip
    return out
