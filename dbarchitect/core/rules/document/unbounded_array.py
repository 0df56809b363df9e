"""
## What it does
Flags array fields whose sampled lengths are large: some document holds at least 1000 elements, or
5% of the documents hold 200 or more.

## Why is this bad?
An array that grows with the data (comments on a post, events of a device, followers) makes every
write rewrite a bigger document, every read load all of it into the cache, multikey indexes on it
hold one key per element, and the document creeps towards the 16 MB limit, at which point inserts
into the array fail.

## Example
```json
{"collection": "posts", "documents": [{"_id": 1, "comments": ["… 5000 elements …"]}]}
```

## Use instead
Bound the array (the subset pattern: the latest N embedded, the rest in their own collection with a
reference back; or the bucket pattern: one document per device per hour) and enforce the bound with
`maxItems` in a `$jsonSchema` validator.
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.mongo import thresholds as T
from dbarchitect.core.mongo.documents import coll_mod, json_schema
from dbarchitect.core.mongo.review import sample_evidence
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="unbounded-array", code="DM001", family="document", severity=Severity.warning,
    summary="An array field grows without a bound (bucket or subset pattern, maxItems).",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "schema"


def check(ctx):
    out = []
    for schema in ctx.schemas.values():
        for path, fs in schema.fields.items():
            if fs.array_max is None:
                continue
            if fs.array_max >= T.ARRAY_MAX_WARN:
                severity = Severity.warning
            elif (fs.array_p95 or 0) >= T.ARRAY_P95_ADVICE:
                severity = Severity.advice
            else:
                continue
            bound = max(T.ARRAY_P95_ADVICE, fs.array_p95 or 0)
            validator = json_schema(schema, max_items={path: bound})
            out.append(RULE.finding(
                severity=severity, obj=f"{schema.name}.{path}",
                message=(
                    f"{schema.name}.{path} holds up to {fs.array_max} elements (p95 {fs.array_p95}): every update "
                    "rewrites the growing document, multikey indexes on it hold one key per element, and the "
                    "document heads for the 16 MB limit. Keep a bounded subset embedded (the latest N) and move "
                    "the rest to its own collection with a reference back, or bucket the elements."
                ),
                fix=coll_mod(schema.name, validator),
                evidence=[sample_evidence(schema, f"{path} has max {fs.array_max}, p95 {fs.array_p95} elements",
                                          path=path, array_max=fs.array_max, array_p95=fs.array_p95)],
            ))  # fmt: skip
    return out
