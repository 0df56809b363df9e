"""
## What it does
Flags a `$lookup` immediately followed by an `$unwind` of its result (without
`preserveNullAndEmptyArrays`): the pipeline expects exactly one foreign document per input document,
on every read — a reference that is always joined.

## Why is this bad?
It is the reverse of over-embedding: data that is always read with the document pays a join per
document on every read. When the foreign fields read are few and rarely change (a customer's name on
an order, a product's title on a cart line), copying them into the document is cheaper.

## Example
```json
{"aggregate": "orders", "pipeline": [
  {"$lookup": {"from": "customers", "localField": "customerId", "foreignField": "_id", "as": "customer"}},
  {"$unwind": "$customer"}]}
```

## Use instead
Embed the fields the reads need next to the reference (extended reference:
`customer: {_id, name}`), keep the full document in its own collection, and update the copies when
those fields change (rarely, by definition).
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="lookup-of-single-document", code="DM024", family="document", severity=Severity.info,
    summary="$lookup + $unwind joins one foreign document on every read: consider an extended reference.",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "query"


def check(ctx):
    out = []
    for q in ctx.queries:
        for pos, stage in enumerate(q.pipeline[:-1]):
            spec = stage.get("$lookup")
            nxt = q.pipeline[pos + 1].get("$unwind")
            if not isinstance(spec, dict) or nxt is None:
                continue
            path = nxt if isinstance(nxt, str) else nxt.get("path", "")
            keep = isinstance(nxt, dict) and nxt.get("preserveNullAndEmptyArrays")
            if path.lstrip("$") != spec.get("as") or keep:
                continue
            out.append(RULE.finding(
                obj=f"{q.collection}.{spec.get('as')}",
                message=(
                    f"{q.id} joins one {spec.get('from')} document into every {q.collection} document ($lookup + "
                    "$unwind): if the fields read are few and rarely change, embed them (extended reference) and "
                    "skip the join."
                ),
                fix=f"Store {spec.get('as')}: {{_id: <{spec.get('localField', 'ref')}>, <fields the reads use>}} in "
                    f"{q.collection}; update the copies when those fields change in {spec.get('from')}.",
                evidence=[Evidence(kind="static", detail=f"stages {pos + 1}-{pos + 2}: $lookup as {spec.get('as')}, $unwind",
                                   data={"from": spec.get("from"), "as": spec.get("as")})],
            ))  # fmt: skip
    return out
