"""
## What it does
Flags date fields named as expiry times (`expiresAt`, `expireAt`, `expiry`, `validUntil`, `ttl`)
on collections whose indexes are known and include no TTL index on that field.

## Why is this bad?
The application wrote down when each document stops being valid, but nothing deletes it: expired
sessions, tokens and caches accumulate, every query must filter them out, and a periodic cleanup job
deletes in bursts. A TTL index lets the server delete them in the background.

## Example
```json
{"collection": "sessions", "indexes": [{"v": 2, "key": {"_id": 1}, "name": "_id_"}],
 "documents": [{"_id": 1, "expiresAt": {"$date": "2026-01-01T00:00:00Z"}}]}
```

## Use instead
```javascript
db.sessions.createIndex({expiresAt: 1}, {expireAfterSeconds: 0})
```
(`expireAfterSeconds: 0` deletes each document at its own `expiresAt`.)
"""

import re

from dbarchitect.core.models import Severity
from dbarchitect.core.mongo.review import create_index, index_evidence, sample_evidence
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="expiry-field-without-ttl-index", code="DM007", family="document", severity=Severity.advice,
    summary="An expiry date field has no TTL index to delete expired documents.", engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "schema"
_EXPIRY = re.compile(r"(^|[._])(expires?_?at|expire_?at|expiry(_?date)?|expiration(_?date)?|valid_?until|ttl)$", re.I)


def check(ctx):
    out = []
    for schema in ctx.schemas.values():
        indexes = ctx.indexes(schema.name)
        if indexes is None:
            continue
        for path, fs in schema.fields.items():
            if "[]" in path or not _EXPIRY.search(path) or fs.types.get("date", 0) == 0:
                continue
            if any(i.ttl_seconds is not None and i.fields == [path] for i in indexes):
                continue
            out.append(RULE.finding(
                obj=f"{schema.name}.{path}",
                message=(
                    f"{schema.name}.{path} says when each document expires, but no TTL index deletes them: expired "
                    "documents pile up and every read must filter them out."
                ),
                fix=create_index(schema.name, [(path, 1)], {"expireAfterSeconds": 0}),
                evidence=[sample_evidence(schema, f"{path} is a date in {fs.types['date']} document(s)", path=path),
                          index_evidence(schema.name, indexes)],
            ))  # fmt: skip
    return out
