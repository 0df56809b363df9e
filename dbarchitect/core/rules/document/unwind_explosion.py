"""
## What it does
Flags an `$unwind` that multiplies the pipeline's documents: in explain output, a stage returning at
least ten times the documents it received (and 100 000 or more); from samples, an unwound array whose
95th-percentile length is 100 or more.

## Why is this bad?
Every later stage processes each element as a whole document copy: a `$group` after it holds them
all in memory, a `$sort` sorts all of them, and the work grows with the array length.

## Example
```json
[{"aggregate": "posts", "pipeline": [{"$unwind": "$views"}, {"$group": {"_id": "$_id", "n": {"$sum": 1}}}]},
 {"collection": "posts", "documents": [{"_id": 1, "views": ["… 300 elements …"]}]}]
```

## Use instead
Compute on the array in place (`$size`, `$filter`, `$reduce`, `$sum: "$views.n"`), or `$match` and
`$project` down to the needed elements before unwinding.
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.mongo import thresholds as T
from dbarchitect.core.mongo.review import sample_evidence
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="unwind-explosion", code="DM022", family="document", severity=Severity.warning,
    summary="$unwind multiplies the pipeline's documents by a large array.", engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "query"


def check(ctx):
    out = []
    ex = ctx.explain
    if ex is not None:
        prev = float(ex.n_returned) if ex.n_returned is not None else None
        for st in ex.pipeline[1:]:
            n = st.num("nReturned")
            if st.name == "$unwind" and n is not None and prev and n >= prev * T.UNWIND_FACTOR and n >= T.UNWIND_MIN_OUT:
                out.append(RULE.finding(
                    obj=str(st.spec),
                    message=(
                        f"$unwind {st.spec} turned {int(prev)} documents into {int(n)} ({n / prev:.0f}×): every later "
                        "stage handles each element as a whole document."
                    ),
                    fix="Compute on the array in place ($size, $filter, $reduce), or $match/$project before $unwind.",
                    evidence=[Evidence(kind="execution", detail=f"explain: $unwind nReturned {int(n)} after {int(prev)}",
                                       data={"in": prev, "out": n})],
                ))  # fmt: skip
            if n is not None:
                prev = n
    for q in ctx.queries:
        schema = ctx.schemas.get(q.collection)
        if schema is None:
            continue
        for stage in q.pipeline:
            body = stage.get("$unwind")
            if body is None:
                continue
            path = (body if isinstance(body, str) else body.get("path", "")).lstrip("$")
            fs = schema.fields.get(path)
            if fs is None or (fs.array_p95 or 0) < T.UNWIND_ARRAY_P95:
                continue
            out.append(RULE.finding(
                obj=f"{q.collection}.{path}",
                message=(
                    f"{q.id} unwinds {q.collection}.{path}, whose arrays hold p95 {fs.array_p95} (max {fs.array_max}) "
                    "elements: each document becomes that many before the next stage."
                ),
                fix="Compute on the array in place ($size, $filter, $reduce), or $match/$project before $unwind.",
                evidence=[sample_evidence(schema, f"{path}: p95 {fs.array_p95}, max {fs.array_max} elements",
                                          path=path, array_p95=fs.array_p95, array_max=fs.array_max)],
            ))  # fmt: skip
    return out
