"""
## What it does
Flags embedded objects that are copies of shared data: the same subdocument (at least three fields,
one of them an identifier such as `_id` or `customerId`) repeated across many sampled documents.

## Why is this bad?
Embedding is right for data owned by the document and read with it. A full copy of another entity
(the customer's whole profile in every order, the product in every cart line) must be updated in
every copy when it changes, and the copies drift apart when one update is missed. The repetition
also multiplies storage and cache use.

## Example
```json
[{"_id": 1, "customer": {"_id": 7, "name": "Ann", "email": "ann@x.io", "address": "…"}},
 {"_id": 2, "customer": {"_id": 7, "name": "Ann", "email": "ann@x.io", "address": "…"}}]
```

## Use instead
Keep a reference (`customerId`) plus only the fields the document's reads need and that rarely
change (the extended reference pattern: `{_id, name}`), and read the rest from its own collection.
"""

import re

from dbarchitect.core.models import Severity
from dbarchitect.core.mongo import thresholds as T
from dbarchitect.core.mongo.review import sample_evidence
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="embedded-copy-should-be-reference", code="DM006", family="document", severity=Severity.advice,
    summary="The same embedded subdocument is copied into many documents: reference it.",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "schema"
_ID = re.compile(r"^(_id|id|.*(Id|_id|ID))$")


def check(ctx):
    out = []
    for schema in ctx.schemas.values():
        for path, fs in schema.fields.items():
            objects = fs.types.get("object", 0)
            if objects < T.EMBED_MIN_OCCURRENCES or (fs.object_keys or 0) < T.EMBED_MIN_KEYS or not fs.distinct_objects:
                continue
            if fs.distinct_objects > objects * T.EMBED_MAX_DISTINCT_SHARE:
                continue
            keys = sorted({p.rsplit(".", 1)[1] for p in schema.fields if p.startswith(path + ".") and p.count(".") == path.count(".") + 1})
            ids = [k for k in keys if _ID.match(k)]
            if not ids:
                continue
            out.append(RULE.finding(
                obj=f"{schema.name}.{path}",
                message=(
                    f"{schema.name}.{path} repeats {fs.distinct_objects} distinct subdocuments across {objects} "
                    f"documents ({', '.join(keys)}): a copy of another entity that every change must update "
                    "everywhere. Keep a reference and only the rarely-changing fields your reads need."
                ),
                fix=(
                    f"Store {path}: {{{ids[0]}: <ref>, <the 1-2 fields displayed>}} and read the rest from its own "
                    f"collection ($lookup on {ids[0]}, or a second query by id)."
                ),
                evidence=[sample_evidence(schema, f"{path}: {objects} objects, {fs.distinct_objects} distinct",
                                          path=path, occurrences=objects, distinct=fs.distinct_objects, keys=keys)],
            ))  # fmt: skip
    return out
