"""
## What it does
Flags a unique index that is neither sparse nor partial on a field some sampled documents lack.

## Why is this bad?
A unique index stores a missing field as `null`: the first document without the field takes the
`null` key, and every later insert without it fails with `E11000 duplicate key` — an optional field
becomes "at most one document may omit it".

## Example
```json
{"collection": "users", "indexes": [{"v": 2, "key": {"email": 1}, "name": "email_1", "unique": true}],
 "documents": [{"_id": 1, "email": "a@example.com"}, {"_id": 2, "name": "no email yet"}]}
```

## Use instead
A partial unique index over the documents that have the field (the manual prefers partial to sparse):
```js
db.users.createIndex({email: 1}, {unique: true, partialFilterExpression: {email: {$exists: true}}, name: "email_1_present"})
```
"""

import json

from dbarchitect.core.models import Severity
from dbarchitect.core.mongo.review import create_index, drop_index, index_evidence, sample_evidence
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="unique-index-on-optional-field", code="DM014", family="document", severity=Severity.warning,
    summary="A unique index without partialFilterExpression on a field some documents lack: a second one fails.",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "index"


def check(ctx):
    out = []
    for name, coll in sorted(ctx.bundle.collections.items()):
        schema = ctx.schemas.get(name)
        if schema is None:
            continue
        for ix in coll.indexes or []:
            if not ix.unique or ix.sparse or ix.partial or ix.name == "_id_":
                continue
            optional = [(f, schema.fields[f].presence if f in schema.fields else 0.0) for f in ix.fields]
            optional = [(f, p) for f, p in optional if p < 1.0]
            if not optional:
                continue
            field, presence = optional[0]
            missing = schema.sampled - (schema.fields[field].present if field in schema.fields else 0)
            partial = {"partialFilterExpression": {f: {"$exists": True} for f, _ in optional}}
            out.append(RULE.finding(
                obj=f"{name}.{ix.name}",
                message=(f"{name}: unique index {ix.name} {ix.pattern()} indexes a missing {field} as null, and {missing} of "
                         f"{schema.sampled} sampled document(s) lack it ({presence:.0%} present): only one document may "
                         "omit it; the next insert without it fails with E11000 duplicate key."),
                fix=(create_index(name, ix.keys, {"unique": True, **partial, "name": f"{ix.name}_present"})
                     + "  // then: " + drop_index(name, ix.name)
                     + f"  (a server that refuses two indexes on {json.dumps(dict(ix.keys))} needs the drop first)"),
                evidence=[sample_evidence(schema, f"{field} present in {presence:.0%}", path=field, presence=presence),
                          index_evidence(name, coll.indexes)],
            ))  # fmt: skip
    return out
