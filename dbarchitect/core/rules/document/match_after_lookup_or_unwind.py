"""
## What it does
Flags a `$match` placed after a `$lookup` or `$unwind` when it filters only on fields of the input
documents — fields neither stage produced — so it could run first.

## Why is this bad?
Every document the `$match` will discard is first joined (one foreign query each) or multiplied into
one document per array element. At the head of the pipeline the same `$match` can use an index and
the join and unwind only see the documents that survive.

## Example
```json
{"aggregate": "orders", "pipeline": [
  {"$lookup": {"from": "customers", "localField": "customerId", "foreignField": "_id", "as": "customer"}},
  {"$match": {"status": "shipped"}}]}
```

## Use instead
```json
{"aggregate": "orders", "pipeline": [
  {"$match": {"status": "shipped"}},
  {"$lookup": {"from": "customers", "localField": "customerId", "foreignField": "_id", "as": "customer"}}]}
```
"""

import json

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.document._pipeline import field_refs, produced, stage_name

RULE = RuleMeta(
    name="match-after-lookup-or-unwind", code="DM020", family="document", severity=Severity.warning,
    summary="A $match that only reads input fields runs after $lookup/$unwind instead of first.",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "query"


def check(ctx):
    out = []
    for q in ctx.queries:
        made: set[str] = set()
        expensive = None
        for pos, stage in enumerate(q.pipeline):
            name = stage_name(stage)
            if name == "$match" and expensive is not None:
                refs = field_refs(stage["$match"])
                if refs and not (refs & made):
                    moved = [stage] + [s for i, s in enumerate(q.pipeline) if i != pos]
                    out.append(RULE.finding(
                        obj=q.collection, statement=int(q.id[1:]) if q.id[1:].isdigit() else None,
                        message=(
                            f"{q.id} on {q.collection}: stage {pos + 1} $match on {', '.join(sorted(refs))} runs after "
                            f"{expensive} although it reads none of the fields the pipeline added: every document it "
                            "discards is first joined or unwound. Move it to the front, where it can use an index."
                        ),
                        fix=json.dumps({"aggregate": q.collection, "pipeline": moved}),
                        evidence=[Evidence(kind="static", detail=f"pipeline stages: {[stage_name(s) for s in q.pipeline]}",
                                           data={"match_stage": pos + 1, "fields": sorted(refs)})],
                    ))  # fmt: skip
                continue
            fields = produced(stage)
            if fields is None:
                break  # the document was replaced: later $match stages read new fields
            made |= fields
            if name in ("$lookup", "$unwind") and expensive is None:
                expensive = f"{name} (stage {pos + 1})"
    return out
