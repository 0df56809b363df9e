"""
## What it does
Flags a `COLLSCAN` stage in explain output that read at least 10 000 documents (executionStats), or
that scans a collection known to hold that many (queryPlanner output with the collection's count).

## Why is this bad?
A collection scan reads every document — from disk when they are not in the cache — to return the
few that match; its cost grows with the collection, and it evicts the working set of every other query.

## Example
```json
{"queryPlanner": {"namespace": "test.data", "winningPlan": {"stage": "COLLSCAN", "filter": {"age": {"$eq": 500}}}},
 "executionStats": {"nReturned": 1, "totalDocsExamined": 100000,
                    "executionStages": {"stage": "COLLSCAN", "nReturned": 1, "docsExamined": 100000}}}
```

## Use instead
An index on the filtered fields (equality first, then sort, then range):
```javascript
db.data.createIndex({age: 1})
```
A regex not anchored with `^` cannot bound an index scan: the index is read key by key (still cheaper
than every document); anchor the pattern when a prefix is meant, or use a text index for whole words.
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.mongo import thresholds as T
from dbarchitect.core.mongo.review import create_index
from dbarchitect.core.mongo.workload import predicates
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="collection-scan", code="DM030", family="document", severity=Severity.warning,
    summary="A COLLSCAN reads a large collection to return a few documents.", engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "plan"


def check(ctx):
    ex = ctx.explain
    if ex is None:
        return []
    out = []
    for node in ex.stages("COLLSCAN"):
        docs = node.num("docsExamined") or (float(ex.docs_examined) if ex.docs_examined is not None and len(ex.stages("COLLSCAN")) == 1 else None)
        known = ctx.count(ex.collection)
        scanned = docs if docs is not None else (float(known) if known is not None else None)
        if scanned is None or scanned < T.COLLSCAN_DOCS:
            continue
        flt = node.info.get("filter") or ex.parsed_query or {}
        keys = [(p.field, 1) for p in predicates(flt) if p.role == "equality"] + [
            (p.field, 1) for p in predicates(flt) if p.role == "range"]
        coll = ex.collection or "collection"
        returned = f", returned {ex.n_returned}" if ex.n_returned is not None else ""
        loose = [p.field for p in predicates(flt) if p.role == "range" and _unanchored_regex(p.value)]
        regex_note = (
            f" The filter on {', '.join(loose)} is a regex not anchored with ^: an index serves it only by reading "
            "every key (fewer bytes than every document, but not selective); anchor it (^prefix) when a prefix is "
            "meant, or search whole words with a text index."
            if loose else ""
        )
        out.append(RULE.finding(
            obj=ex.namespace, severity=Severity.warning,
            message=(
                f"COLLSCAN of {coll} {'read' if docs is not None else 'will read'} {int(scanned)} documents{returned}: "
                "every document is loaded to test the filter, and the cost grows with the collection." + regex_note
            ),
            fix=create_index(coll, keys) if keys else "Add a selective filter, or an index on the fields you filter by.",
            evidence=[Evidence(kind="execution" if docs is not None else "catalog",
                               detail=f"explain: stage {node.id} COLLSCAN docsExamined={int(scanned)}",
                               data={"docsExamined": scanned, "nReturned": ex.n_returned, "filter": flt})],
        ))  # fmt: skip
    return out


def _unanchored_regex(value) -> bool:
    """A $regex / regex literal whose pattern does not start with ^ (no index bounds: every key is read)."""
    if isinstance(value, dict):
        pattern = value.get("$regex", value.get("$regularExpression"))
        if isinstance(pattern, dict):  # Extended JSON {"$regularExpression": {"pattern": …}}
            pattern = pattern.get("pattern")
        return isinstance(pattern, str) and not pattern.startswith("^")
    return False
