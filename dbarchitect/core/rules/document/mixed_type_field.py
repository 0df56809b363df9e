"""
## What it does
Flags fields that hold values of different BSON types across documents (a price that is sometimes a
string and sometimes a number, a date stored as a string in some documents). Integers, longs and
doubles count as one kind; null is not a type mix.

## Why is this bad?
Queries and indexes compare by type first: `{price: {$gt: 10}}` never matches the documents where
price is the string "12.50", sorts put all numbers before all strings, and application code must
handle every variant. The data is silently partitioned.

## Example
```json
[{"_id": 1, "price": 12.5}, {"_id": 2, "price": "12.50"}]
```

## Use instead
Convert the stragglers (`updateMany` with `$convert`/`$toDouble`/`$toDate` in a pipeline update), then
pin the type with a `$jsonSchema` validator (`bsonType`).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.mongo.documents import NUMERIC, coll_mod, json_schema
from dbarchitect.core.mongo.review import sample_evidence
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="mixed-type-field", code="DM002", family="document", severity=Severity.warning,
    summary="A field holds different BSON types across documents.", engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "schema"


def kinds(types) -> set[str]:
    return {"number" if t in NUMERIC and t != "decimal" else t for t in types if t != "null"}


def check(ctx):
    out = []
    for schema in ctx.schemas.values():
        for path, fs in schema.fields.items():
            mix = kinds(fs.types)
            if len(mix) < 2:
                continue
            per_kind: dict[str, int] = {}
            for t, n in fs.types.items():
                if t != "null":
                    k = "number" if t in NUMERIC and t != "decimal" else t
                    per_kind[k] = per_kind.get(k, 0) + n
            main = max(per_kind, key=lambda k: (per_kind[k], k != "string", k))  # a tie: strings are the stragglers
            validator = json_schema(schema)
            _pin(validator, path, main)
            seen = ", ".join(f"{t} ×{n}" for t, n in sorted(fs.types.items()))
            out.append(RULE.finding(
                obj=f"{schema.name}.{path}",
                message=(
                    f"{schema.name}.{path} holds {seen}: queries, sorts and indexes compare by type first, so a "
                    f"filter on the {main} values misses the others. Convert the rest to {main}, then pin the type."
                ),
                fix=coll_mod(schema.name, validator),
                evidence=[sample_evidence(schema, f"{path} types {seen}", path=path, types=fs.types)],
            ))  # fmt: skip
    return out


def _pin(validator: dict, path: str, bson: str) -> None:
    node = validator
    parts = path.split(".")
    for i, part in enumerate(parts):
        if part == "[]":
            node = node.get("items", {})
            continue
        node = node.setdefault("properties", {}).setdefault(part, {})
        if i == len(parts) - 1:
            node["bsonType"] = [bson, "null"] if isinstance(node.get("bsonType"), list) and "null" in node["bsonType"] else bson
