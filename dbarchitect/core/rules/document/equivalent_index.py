"""
## What it does
Flags two indexes of a collection with the same key fields in the same order and directions that are
equal or all reversed (`{a: 1, b: -1}` and `{a: -1, b: 1}` serve exactly the same queries and
sorts), with the same options (unique, sparse, partial filter, TTL).

## Why is this bad?
Every insert, update and delete maintains both; both take cache and disk; neither serves a query the
other cannot.

## Example
```json
{"collection": "orders", "indexes": [{"v": 2, "key": {"status": 1}, "name": "status_1"},
                                      {"v": 2, "key": {"status": -1}, "name": "status_-1"}]}
```

## Use instead
Drop one (hide it first with `hideIndex` to check nothing regresses).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.mongo.review import drop_index, index_evidence
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="equivalent-index", code="DM010", family="document", severity=Severity.warning,
    summary="Two indexes with the same keys (directions equal or all reversed) and options.",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "index"


def same_direction(a, b) -> bool:
    """Key lists with the same fields whose directions are all equal or all reversed."""
    if [f for f, _ in a] != [f for f, _ in b]:
        return False
    if any(isinstance(v, str) for _, v in (*a, *b)):
        return [v for _, v in a] == [v for _, v in b]
    signs = {(va > 0) == (vb > 0) for (_, va), (_, vb) in zip(a, b, strict=True)}
    return len(signs) == 1


def options(i) -> tuple:
    return (i.unique, i.sparse, repr(i.partial), i.ttl_seconds)


def check(ctx):
    out = []
    for name, coll in sorted(ctx.bundle.collections.items()):
        seen = []
        for idx in coll.indexes or []:
            twin = next((s for s in seen if same_direction(s.keys, idx.keys) and options(s) == options(idx)), None)
            if twin is None:
                seen.append(idx)
                continue
            keep, drop = (twin, idx) if idx.name != "_id_" else (idx, twin)
            out.append(RULE.finding(
                obj=f"{name}.{drop.name}",
                message=(
                    f"{name}: index {drop.name} {drop.pattern()} duplicates {keep.name} {keep.pattern()} — both are "
                    "maintained on every write and neither serves a query the other cannot."
                ),
                fix=f'db.getCollection("{name}").hideIndex("{drop.name}")  // watch, then: ' + drop_index(name, drop.name),
                evidence=[index_evidence(name, coll.indexes)],
            ))  # fmt: skip
    return out
