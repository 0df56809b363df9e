"""
## What it does
Flags an index whose method, keys (order, operator class, collation, direction), predicate and
INCLUDE columns repeat another valid index of the same table. The copy that enforces something
(primary key, constraint, uniqueness) is kept; the others are flagged.

## Why is this bad?
Two identical indexes double the write cost, WAL, vacuum work and cache footprint, and no query
can use both. It usually comes from an ORM adding an index that a UNIQUE constraint already made.

## Example
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE);
CREATE INDEX users_email_idx ON users (email);
```

## Use instead
```sql
DROP INDEX CONCURRENTLY users_email_idx;
```

## References
splinter 0009; pghero and pg-mcp duplicate indexes; postgres-checkup H004.
"""

from __future__ import annotations

from collections import defaultdict

from dbarchitect.core.models import Finding, Index, SchemaSnapshot, Severity
from dbarchitect.core.rules.index._common import IndexContext, drop_with_undo, finding, size_text
from dbarchitect.core.rules.registry import RuleMeta
from dbarchitect.core.rules.schema._common import index_keys

RULE = RuleMeta(
    name="duplicate-index",
    code="IX002",
    family="index",
    severity=Severity.warning,
    summary="Two indexes have the same method, keys, predicate and INCLUDE columns.",
)


def _keep_first(i: Index) -> tuple:
    return (not i.primary, i.constraint is None, not i.unique, i.scans == 0, i.name)


def check(snapshot: SchemaSnapshot, ctx: IndexContext) -> list[Finding]:
    out = []
    for t in ctx.tables:
        groups: dict[tuple, list[Index]] = defaultdict(list)
        for i in t.indexes:
            if i.valid and i.ready:
                k = index_keys(i)
                groups[(k.method, k.keys, k.predicate, k.include)].append(i)
        for members in groups.values():
            if len(members) < 2:
                continue
            keep, *extra = sorted(members, key=_keep_first)
            for i in extra:
                if i.primary:
                    continue
                out.append(
                    finding(
                        RULE,
                        message=(f"Index {i.name} on {t.qualified} repeats {keep.name} exactly: every write maintains "
                                 f"both, for no read the other cannot serve ({size_text(i.size_bytes)} to reclaim)."),  # fmt: skip
                        obj=f"{t.schema_name}.{i.name}",
                        fix=drop_with_undo(t, i),
                        evidence=[ctx.evidence(f"{i.name} and {keep.name} have identical definitions but the name",
                                               duplicate=i.definition, kept=keep.definition, scans=i.scans)],  # fmt: skip
                    )
                )
    return out
