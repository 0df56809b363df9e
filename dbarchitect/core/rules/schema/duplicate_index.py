"""
## What it does
Flags indexes that repeat another index of the same table: same access method, same keys in
the same order (with the same opclass, collation and direction) and the same predicate. Among
the copies it keeps the one that enforces something (primary key, constraint, uniqueness) and
flags the others.

## Why is this bad?
Every copy is written on every INSERT and on every UPDATE that is not HOT, takes disk, WAL,
backup and cache space, and is vacuumed, for no read that the other copy could not serve. It
usually comes from an ORM adding an index that a UNIQUE constraint already created.

## Example
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE);
CREATE INDEX users_email_idx ON users (email);      -- same keys as users_email_key
```

## Use instead
```sql
DROP INDEX CONCURRENTLY users_email_idx;
```

## References
splinter 0009 (duplicate index); pghero and pg-mcp duplicate indexes; postgres-checkup H004.
"""

from __future__ import annotations

from collections import defaultdict

from dbarchitect.core.models import Finding, Index, SchemaSnapshot, Severity, Table
from dbarchitect.core.rules.registry import RuleMeta
from dbarchitect.core.rules.schema._common import (
    ReviewContext,
    concurrently,
    finding,
    index_keys,
    qi,
    qname,
    qt,
    usable_indexes,
)

RULE = RuleMeta(
    name="duplicate-index",
    code="SD017",
    family="schema",
    severity=Severity.warning,
    summary="Two indexes have the same keys and predicate: one of them only costs writes and space.",
)


def _rank(i: Index) -> tuple:
    return (not i.primary, i.constraint is None, not i.unique, -len(i.include), i.name)


def drop_index_sql(table: Table, index: Index) -> str:
    if index.constraint:
        return f"ALTER TABLE {qt(table)} DROP CONSTRAINT IF EXISTS {qi(index.constraint)};"
    return f"DROP INDEX {concurrently(table)}IF EXISTS {qname(table.schema_name, index.name)};"


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if t.partition_of:
            continue
        groups: dict[tuple, list[Index]] = defaultdict(list)
        for i in usable_indexes(t):
            k = index_keys(i)
            groups[(k.method, k.keys, k.predicate)].append(i)
        for (_method, keys, pred), members in groups.items():
            if len(members) < 2:
                continue
            keep, *extra = sorted(members, key=_rank)
            for i in extra:
                if i.primary:
                    continue
                where = f" WHERE {pred}" if pred else ""
                out.append(
                    finding(
                        RULE,
                        ctx,
                        message=(
                            f"Index {i.name} on {t.qualified} ({', '.join(keys)}){where} repeats {keep.name}: every write "
                            f"maintains both, and no query needs the second"
                            + (f" ({i.size_bytes:,} bytes)." if i.size_bytes else ".")
                        ),
                        obj=f"{t.schema_name}.{i.name}",
                        fix=drop_index_sql(t, i),
                        evidence=[
                            ctx.evidence(
                                f"{i.name} and {keep.name} have the same method, keys and predicate",
                                duplicate=i.definition or i.name,
                                kept=keep.definition or keep.name,
                                scans=i.scans,
                            )
                        ],
                    )
                )
    return out
