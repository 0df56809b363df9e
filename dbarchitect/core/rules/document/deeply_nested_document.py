"""
## What it does
Flags collections whose documents nest objects and arrays five or more levels deep.

## Why is this bad?
Deep paths are hard to query (`a.b.c.d.e`), to index (a multikey index may cover only one array on
the path), and to update (positional operators `$[]`/`$[<id>]` at every array level); arrays of
arrays cannot be indexed usefully at all. Depth usually means one document models several entities.

## Example
```json
{"_id": 1, "a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}
```

## Use instead
Flatten what is read together into one level, and move the independent sub-entities into their own
collection (or an array of small, flat subdocuments).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.mongo import thresholds as T
from dbarchitect.core.mongo.review import sample_evidence
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="deeply-nested-document", code="DM004", family="document", severity=Severity.advice,
    summary="Documents nest five or more levels deep.", engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "schema"


def check(ctx):
    out = []
    for schema in ctx.schemas.values():
        if schema.max_depth < T.DEPTH_ADVICE:
            continue
        out.append(RULE.finding(
            obj=f"{schema.name}.{schema.deepest_path}",
            message=(
                f"{schema.name} nests {schema.max_depth} levels deep ({schema.deepest_path}): such paths are hard "
                "to index (one array per multikey index), to update (positional operators per array level) and "
                "to query. Flatten what is read together; move independent sub-entities to their own collection."
            ),
            fix="Restructure: keep at most 3-4 levels, e.g. an array of flat subdocuments instead of nested maps.",
            evidence=[sample_evidence(schema, f"deepest path {schema.deepest_path} at depth {schema.max_depth}",
                                      depth=schema.max_depth, path=schema.deepest_path)],
        ))  # fmt: skip
    return out
