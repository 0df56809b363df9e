"""
## What it does
Flags an index-using plan (explain executionStats) that examined at least ten documents for each one
it returned, and at least 1000 in all: the index finds candidates, a FETCH filter discards most.

## Why is this bad?
The index is the wrong one for the query: it narrows on a field that does not select (or only
provides the sort), and every candidate document is loaded to be thrown away. Ideally keys examined
= documents examined = documents returned.

## Example
```json
{"queryPlanner": {"namespace": "twitter.tweets", "parsedQuery": {"user.followers_count": {"$gt": 1000}},
  "winningPlan": {"stage": "FETCH", "filter": {"user.followers_count": {"$gt": 1000}},
                  "inputStage": {"stage": "IXSCAN", "keyPattern": {"created_at": -1}, "indexName": "created_at_-1"}}},
 "executionStats": {"nReturned": 10, "totalKeysExamined": 251120, "totalDocsExamined": 251120}}
```

## Use instead
An index that holds the filtered fields too, in ESR order (equality, sort, range):
`db.tweets.createIndex({created_at: -1, "user.followers_count": 1})`.
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.mongo import thresholds as T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="docs-examined-exceed-returned", code="DM032", family="document", severity=Severity.warning,
    summary="An index-using plan examines far more documents than it returns.", engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "plan"


def check(ctx):
    ex = ctx.explain
    if ex is None or not ex.executed or ex.docs_examined is None or ex.n_returned is None:
        return []
    if not ex.uses("IXSCAN") or ex.uses("COLLSCAN"):
        return []  # a collection scan is collection-scan's finding
    ratio = ex.docs_examined / max(ex.n_returned, 1)
    if ex.docs_examined < T.EXAMINED_MIN_DOCS or ratio < T.EXAMINED_PER_RETURNED:
        return []
    ixscans = {n.info.get("indexName"): n.info.get("keyPattern") for n in (*ex.nodes, *ex.winning) if n.stage == "IXSCAN"}
    scans = ", ".join(f"{name} {pattern}" for name, pattern in ixscans.items())
    filters = [n.info["filter"] for n in (*ex.nodes, *ex.winning) if n.stage == "FETCH" and "filter" in n.info]
    return [RULE.finding(
        obj=ex.namespace,
        message=(
            f"The plan used {scans} but examined {ex.docs_examined} documents to return {ex.n_returned} "
            f"({ratio:.0f} per result){' — the FETCH filter ' + str(filters[0]) + ' discards the rest' if filters else ''}: "
            "the index does not hold the selective fields."
        ),
        fix="Build an index holding the filtered fields in ESR order (equality, sort, range); recommend_indexes "
            "with this query gives the createIndex command.",
        evidence=[Evidence(kind="execution", detail=f"explain: totalDocsExamined={ex.docs_examined}, nReturned={ex.n_returned}, "
                           f"totalKeysExamined={ex.keys_examined}",
                           data={"totalDocsExamined": ex.docs_examined, "nReturned": ex.n_returned,
                                 "totalKeysExamined": ex.keys_examined})],
    )]  # fmt: skip
