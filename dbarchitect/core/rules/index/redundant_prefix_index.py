"""
## What it does
Flags a non-unique btree index whose keys are the leading keys of another valid btree index of the
same table with the same predicate, when the longer index also holds its INCLUDE columns.

## Why is this bad?
A btree on `(a, b)` serves every lookup, range and order on `a` alone; the shorter index costs
writes, WAL and cache for a small gain in scan width.

## Example
```sql
CREATE INDEX posts_user_id_idx ON posts (user_id);
CREATE INDEX posts_user_id_created_idx ON posts (user_id, created_at);
```

## Use instead
```sql
DROP INDEX CONCURRENTLY posts_user_id_idx;   -- posts_user_id_created_idx serves the same lookups
```
Keep the short one only when measurements show the longer index is much wider to scan.

## References
pghero and pg-mcp redundant indexes; postgres-checkup H004.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.index._common import IndexContext, drop_with_undo, finding, size_text
from dbarchitect.core.rules.registry import RuleMeta
from dbarchitect.core.rules.schema._common import index_keys

RULE = RuleMeta(
    name="redundant-prefix-index",
    code="IX003",
    family="index",
    severity=Severity.advice,
    summary="An index's keys are the leading keys of another index that serves the same lookups.",
)


def check(snapshot: SchemaSnapshot, ctx: IndexContext) -> list[Finding]:
    out = []
    for t in ctx.tables:
        idx = [(i, index_keys(i)) for i in t.indexes if i.valid and i.ready and i.method == "btree"]
        for short, sk in idx:
            if short.unique or short.constraint:
                continue
            for long, lk in idx:
                if long is short or len(lk.keys) <= len(sk.keys) or lk.keys[: len(sk.keys)] != sk.keys:
                    continue
                if lk.predicate != sk.predicate or not set(sk.include) <= set(lk.include) | {k.strip('"') for k in lk.keys}:
                    continue
                out.append(
                    finding(
                        RULE,
                        message=(f"Index {short.name} ({', '.join(sk.keys)}) on {t.qualified} is the leading part of "
                                 f"{long.name} ({', '.join(lk.keys)}): the longer one serves its lookups, so "
                                 f"{short.name} mostly costs writes ({size_text(short.size_bytes)})."),  # fmt: skip
                        obj=f"{t.schema_name}.{short.name}",
                        fix=drop_with_undo(t, short),
                        evidence=[ctx.evidence(f"keys of {short.name} are a prefix of {long.name}'s",
                                               redundant=short.definition, covering=long.definition, scans=short.scans)],  # fmt: skip
                    )
                )
                break
    return out
