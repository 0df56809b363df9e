"""
## What it does
Flags a non-unique btree index whose keys (with their operator class, collation and direction) are
the leading keys of another valid btree index on the same table, with the same predicate, when the
longer index also holds its INCLUDE columns (as keys or INCLUDE columns). A unique index or one
backing a constraint is never flagged; invalid indexes count neither as the short nor as the long one.

## Why is this bad?
A btree on `(a, b)` serves every lookup and range scan on `a` alone nearly as well as a btree on
`(a)`, so the shorter index adds write cost, WAL and cache pressure for little gain. A UNIQUE
shorter index is never flagged: it enforces something the longer one does not.

## Example
```sql
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at DESC);
```

## Use instead
```sql
DROP INDEX CONCURRENTLY orders_customer_idx;   -- orders_customer_created_idx covers it
```
The fix comes with its undo (the index's own definition, built CONCURRENTLY). Keep the short index
only when measurements show it matters (a very wide second key makes the long index much larger
to scan). review_schema and review_indexes both run this rule.

## References
pghero and pg-mcp redundant indexes; postgres-checkup H004.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, index_keys
from dbarchitect.core.rules.schema._indexes import drop_with_undo, redundant_prefix_indexes

RULE = RuleMeta(
    name="redundant-prefix-index",
    code="SD018",
    family="schema",
    severity=Severity.warning,
    summary="An index is a leading prefix of another one: the longer index already serves its queries.",
)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        for short, long in redundant_prefix_indexes(t):
            sk, lk = index_keys(short), index_keys(long)
            out.append(
                RULE.finding(
                    message=(
                        f"Index {short.name} ({', '.join(sk.keys)}) on {t.qualified} is the leading part of "
                        f"{long.name} ({', '.join(lk.keys)}): the longer index serves the same lookups, so this one "
                        "mostly costs writes and space"
                        + (f" ({short.size_bytes:,} bytes)." if short.size_bytes else ".")
                    ),
                    obj=f"{t.schema_name}.{short.name}",
                    fix=drop_with_undo(t, short),
                    evidence=[
                        ctx.evidence(
                            f"keys of {short.name} are a prefix of the keys of {long.name}",
                            redundant=short.definition or short.name,
                            covering=long.definition or long.name,
                            scans=short.scans,
                        )
                    ],
                )
            )
    return out
