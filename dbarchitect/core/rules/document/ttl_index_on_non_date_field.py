"""
## What it does
Flags a TTL index (`expireAfterSeconds`) whose field holds no date in the sampled documents (strings,
numbers such as epoch seconds, or nothing at all), and a TTL option on a compound index.

## Why is this bad?
The TTL monitor deletes a document only when the indexed field is a date (or an array of dates); a
document whose field is a string, a number or missing is never deleted, so the collection grows
without bound while the index suggests it expires. Compound indexes ignore `expireAfterSeconds`.

## Example
```json
{"collection": "sessions", "indexes": [{"v": 2, "key": {"createdAt": 1}, "name": "createdAt_1", "expireAfterSeconds": 3600}],
 "documents": [{"_id": 1, "createdAt": 1767225600}]}
```

## Use instead
Store BSON dates (`new Date()`, `{"$date": …}`) in the field, converting existing documents
(`updateMany` with `$toDate`), or index a field that holds dates.
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.mongo.review import index_evidence, sample_evidence
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="ttl-index-on-non-date-field", code="DM013", family="document", severity=Severity.warning,
    summary="A TTL index on a field that holds no dates (or on a compound index) never deletes anything.",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "index"


def check(ctx):
    out = []
    for name, coll in sorted(ctx.bundle.collections.items()):
        for ix in coll.indexes or []:
            if ix.ttl_seconds is None:
                continue
            if len(ix.keys) > 1:
                out.append(RULE.finding(
                    obj=f"{name}.{ix.name}",
                    message=(f"{name}: index {ix.name} {ix.pattern()} has expireAfterSeconds, but TTL works on single-field "
                             "indexes only: compound indexes ignore it, so no document expires."),
                    fix=f'db.getCollection("{name}").createIndex({{"{ix.fields[0]}": 1}}, {{"expireAfterSeconds": {ix.ttl_seconds}}})'
                        f'  // a single-field TTL index on the date field',
                    evidence=[index_evidence(name, coll.indexes)],
                ))  # fmt: skip
                continue
            schema = ctx.schemas.get(name)
            if schema is None:
                continue  # no samples: the field's type is unknown
            field = ix.fields[0]
            fs = schema.fields.get(field)
            dates = (fs.types.get("date", 0) if fs else 0) + (schema.fields[f"{field}.[]"].types.get("date", 0)
                                                               if f"{field}.[]" in schema.fields else 0)
            if dates:
                continue
            seen = ", ".join(f"{t} × {n}" for t, n in sorted(fs.types.items())) if fs else "absent from every document"
            out.append(RULE.finding(
                obj=f"{name}.{ix.name}",
                message=(f"{name}: TTL index {ix.name} expires documents {ix.ttl_seconds} s after {field}, but {field} holds "
                         f"no date in the {schema.sampled} sampled document(s) ({seen}): the TTL monitor deletes only "
                         "documents whose field is a date, so none of these ever expire."),
                fix=(f'db.getCollection("{name}").updateMany({{"{field}": {{"$exists": true, "$not": {{"$type": "date"}}}}}}, '
                     f'[{{"$set": {{"{field}": {{"$toDate": "${field}"}}}}}}])  // epoch numbers in ms or ISO strings become dates; '
                     "the writers must store dates too"),
                evidence=[sample_evidence(schema, f"{field}: {seen}", path=field), index_evidence(name, coll.indexes)],
            ))  # fmt: skip
    return out
