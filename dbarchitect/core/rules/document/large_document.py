"""
## What it does
Flags collections whose sampled documents are large: any document past half of MongoDB's 16 MB BSON
limit (an error past 14 MB), or a 95th percentile above 1 MB.

## Why is this bad?
At 16 MB an insert or update fails outright. Well before that, large documents are read and written
whole: every small update rewrites megabytes in the journal and the oplog, and a handful of them fill
the WiredTiger cache, pushing the working set to disk.

## Example
```json
{"_id": 1, "attachment": "… 9 MB of base64 …"}
```

## Use instead
Move the large or growing part out: GridFS or object storage for blobs, a child collection for long
lists; keep a reference (and a small summary) in the document.
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.mongo import thresholds as T
from dbarchitect.core.mongo.review import sample_evidence
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.units import human_bytes

RULE = RuleMeta(
    name="large-document", code="DM005", family="document", severity=Severity.warning,
    summary="Documents approach the 16 MB BSON limit or are large enough to crowd the cache.",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "schema"


def check(ctx):
    out = []
    for schema in ctx.schemas.values():
        if schema.size_max >= T.DOC_BYTES_ERROR:
            severity = Severity.error
        elif schema.size_max >= T.DOC_BYTES_WARN:
            severity = Severity.warning
        elif schema.size_p95 >= T.DOC_P95_ADVICE:
            severity = Severity.advice
        else:
            continue
        biggest = max(
            (fs for fs in schema.fields.values() if "." not in fs.path), key=lambda f: (f.array_max or 0, f.path), default=None
        )
        out.append(RULE.finding(
            severity=severity, obj=schema.name,
            message=(
                f"{schema.name}: the largest sampled document (_id {schema.largest_id}) takes "
                f"{human_bytes(schema.size_max)} of the 16 MB limit (p95 {human_bytes(schema.size_p95)}). Writes past "
                "16 MB fail, and every update rewrites the whole document in the journal and the oplog."
            ),
            fix="Move the large or growing part out (GridFS or object storage for blobs, a child collection for "
                "long lists) and keep a reference with a small summary in the document.",
            evidence=[sample_evidence(schema, f"max {schema.size_max} bytes, p95 {schema.size_p95}, avg {schema.size_avg}",
                                      size_max=schema.size_max, size_p95=schema.size_p95, largest_id=schema.largest_id,
                                      largest_array=biggest.path if biggest and biggest.array_max else None)],
        ))  # fmt: skip
    return out
