"""
## What it does
Flags an index whose keys are a leading prefix of another index's keys (same directions, or all
reversed), when it is neither unique, sparse, partial nor TTL and the longer index is not partial,
sparse or hidden: `{customerId: 1}` next to `{customerId: 1, createdAt: -1}`.

## Why is this bad?
Every query the short index serves, the long one serves too (MongoDB uses index prefixes); the short
one only costs writes, cache and disk.

## Example
```json
{"collection": "orders", "indexes": [{"v": 2, "key": {"customerId": 1}, "name": "customerId_1"},
                                      {"v": 2, "key": {"customerId": 1, "createdAt": -1}, "name": "customerId_1_createdAt_-1"}]}
```

## Use instead
Drop the prefix index (hide it first with `hideIndex`, watch, then drop).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.mongo.review import drop_index, index_evidence
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.document.equivalent_index import same_direction

RULE = RuleMeta(
    name="prefix-redundant-index", code="DM011", family="document", severity=Severity.advice,
    summary="An index is a prefix of another index and serves nothing the longer one cannot.",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "index"


def check(ctx):
    out = []
    for name, coll in sorted(ctx.bundle.collections.items()):
        indexes = coll.indexes or []
        for short in indexes:
            if short.name == "_id_" or short.unique or short.sparse or short.partial or short.ttl_seconds is not None:
                continue
            longer = next(
                (i for i in indexes if len(i.keys) > len(short.keys) and not (i.partial or i.sparse or i.hidden)
                 and same_direction(i.keys[: len(short.keys)], short.keys)),
                None,
            )  # fmt: skip
            if longer is None:
                continue
            out.append(RULE.finding(
                obj=f"{name}.{short.name}",
                message=(
                    f"{name}: index {short.name} {short.pattern()} is a prefix of {longer.name} {longer.pattern()}, "
                    "which serves every query it serves; it only costs writes, cache and disk."
                ),
                fix=f'db.getCollection("{name}").hideIndex("{short.name}")  // watch, then: ' + drop_index(name, short.name),
                evidence=[index_evidence(name, indexes)],
            ))  # fmt: skip
    return out
