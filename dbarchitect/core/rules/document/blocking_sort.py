"""
## What it does
Flags a `SORT` stage in explain output — a sort done in memory because no index provides the order —
when it sorted at least 1000 documents, used 10% or more of its `memLimit` (100 MB from 4.4, 32 MB
before), or spilled to disk; as an error when it reached `memLimit` and the query failed
(`executionSuccess: false`); with queryPlanner output only (no statistics) any blocking sort is
reported as advice.

## Why is this bad?
The whole input is read and held before the first document is returned (no early exit with a limit
beyond a top-k heap). Past 100 MB the sort spills to disk (MongoDB 6.0+ or with `allowDiskUse`) or
fails with "Sort exceeded memory limit".

## Example
```json
{"executionStats": {"nReturned": 5, "totalDocsExamined": 2548, "executionStages": {
  "stage": "SORT", "sortPattern": {"rating": 1}, "memLimit": 104857600, "limitAmount": 5,
  "totalDataSizeSorted": 2329, "usedDisk": false,
  "inputStage": {"stage": "COLLSCAN", "nReturned": 2228, "docsExamined": 2548}}}}
```

## Use instead
An index whose keys give the order after the equality fields (ESR):
```javascript
db.restaurants.createIndex({rating: 1})
```
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.mongo import thresholds as T
from dbarchitect.core.mongo.review import create_index
from dbarchitect.core.mongo.workload import predicates
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.units import human_bytes

RULE = RuleMeta(
    name="blocking-sort", code="DM031", family="document", severity=Severity.warning,
    summary="A SORT stage sorts in memory (100 MB limit) because no index gives the order.",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "plan"


def check(ctx):
    ex = ctx.explain
    if ex is None:
        return []
    out = []
    for node in ex.stages("SORT"):
        child = next((n for n in ex.nodes if n.id > node.id and n.depth == node.depth + 1), None)
        sorted_docs = child.num("nReturned") if child is not None else None
        size = node.num("totalDataSizeSorted") or node.num("memUsage")
        limit = node.num("memLimit") or T.STAGE_MEMORY_LIMIT
        spilled = bool(node.info.get("usedDisk"))
        failed = ex.error is not None and size is not None and size >= limit
        if failed:
            severity = Severity.error
        elif ex.executed:
            big = (sorted_docs or 0) >= T.SORT_MIN_DOCS or (size or 0) >= limit * T.SORT_MEMORY_SHARE or spilled
            if not big:
                continue
            severity = Severity.warning
        else:
            severity = Severity.advice
        pattern = node.info.get("sortPattern") or {}
        flt = ex.parsed_query or {}
        eq = [(p.field, 1) for p in predicates(flt) if p.role == "equality" and p.field not in pattern]
        rng = [(p.field, 1) for p in predicates(flt) if p.role == "range" and p.field not in pattern]
        keys = eq + [(f, d) for f, d in pattern.items()] + rng
        facts = f"{int(sorted_docs)} documents" if sorted_docs is not None else "its whole input"
        held = f", {human_bytes(size)} of the {human_bytes(limit)} limit" if size is not None else ""
        if failed:
            message = (f"In-memory SORT on {pattern} hit its {human_bytes(limit)} memLimit ({human_bytes(size)} held after "
                       f"{facts}) and the query failed: {ex.error} Without an index giving the order it fails again, or "
                       "spills to disk where allowDiskUse is allowed (4.4+).")
        else:
            message = (f"In-memory SORT on {pattern} of {facts}{held}{' — spilled to disk' if spilled else ''}: nothing "
                       "is returned before the whole input is read, and past the memory limit the sort spills or fails.")
        out.append(RULE.finding(
            obj=ex.namespace, severity=severity,
            message=message,
            fix=create_index(ex.collection or "collection", keys) if keys else "An index that provides the sort order.",
            evidence=[Evidence(kind="execution" if ex.executed else "static",
                               detail=f"explain: stage {node.id} SORT {pattern} memLimit={int(limit)}",
                               data={"sortPattern": pattern, "sorted": sorted_docs, "bytes": size, "usedDisk": spilled,
                                     "failed": failed})],
        ))  # fmt: skip
    return out
