"""
## What it does
Flags collections that have no schema validator, when the input says so (a `validator` of null in
the collection's input, or listCollections on a live server), and proposes the `$jsonSchema` the
sampled documents already satisfy.

## Why is this bad?
Without validation every writer decides the shape: a typo in a field name, a number sent as a
string, a missing required field are stored silently and found months later by a query that misses
them. Flexible schemas still have a schema; nothing enforces this one.

## Example
```json
{"collection": "orders", "validator": null, "documents": [{"_id": 1, "total": 10}]}
```

## Use instead
Install the validator in "warn" mode (violations are logged, writes proceed), read the log, then
switch `validationAction` to "error".
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.mongo.documents import coll_mod, json_schema
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="collection-without-validator", code="DM003", family="document", severity=Severity.advice,
    summary="A collection has no $jsonSchema validator.", engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "schema"


def check(ctx):
    out = []
    for name, coll in sorted(ctx.bundle.collections.items()):
        if coll.has_validator is not False:
            continue
        schema = ctx.schemas.get(name)
        validator = json_schema(schema) if schema else {"bsonType": "object"}
        out.append(RULE.finding(
            obj=name,
            message=(
                f"{name} has no validator: any writer can store a misspelt field, a wrong type or a missing "
                "required field, and nothing says so. The validator below is what the sampled documents satisfy."
            ),
            fix=coll_mod(name, validator),
            evidence=[Evidence(kind="catalog", detail=f"{name}: no validator in the collection options", data={"validator": None})],
        ))  # fmt: skip
    return out
