"""
## What it does
Flags a non-unique btree index whose keys are the leading keys of another valid btree index on
the same table, with the same predicate (and whose INCLUDE columns the longer index also holds).

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
Keep the short index only when measurements show it matters (a very wide second key makes the
long index much larger to scan).

## References
pghero and pg-mcp redundant indexes; postgres-checkup H004.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.registry import RuleMeta
from dbarchitect.core.rules.schema._common import (
    ReviewContext,
    concurrently,
    finding,
    index_keys,
    qname,
    usable_indexes,
)

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
        if t.partition_of:
            continue
        idx = [(i, index_keys(i)) for i in usable_indexes(t) if i.method == "btree"]
        for short, sk in idx:
            if short.unique or short.constraint:
                continue
            for long, lk in idx:
                if long is short or len(lk.keys) <= len(sk.keys) or lk.keys[: len(sk.keys)] != sk.keys:
                    continue
                if lk.predicate != sk.predicate or not sk.include <= (set(lk.include) | set(long.columns)):
                    continue
                out.append(
                    finding(
                        RULE,
                        ctx,
                        message=(
                            f"Index {short.name} ({', '.join(sk.keys)}) on {t.qualified} is the leading part of "
                            f"{long.name} ({', '.join(lk.keys)}): the longer index serves the same lookups, so this one "
                            "mostly costs writes and space."
                        ),
                        obj=f"{t.schema_name}.{short.name}",
                        fix=f"DROP INDEX {concurrently(t)}IF EXISTS {qname(t.schema_name, short.name)};",
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
                break
    return out
