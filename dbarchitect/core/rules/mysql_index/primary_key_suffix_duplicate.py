"""
## What it does
Flags a non-unique InnoDB secondary index that is a duplicate, or a leading prefix, of another index
once the primary key InnoDB appends to every secondary index is counted: with `PRIMARY KEY (id)`,
`KEY (a)` is stored as `(a, id)`, so `KEY (a)` and `KEY (a, id)` are the same index twice, and
`KEY (email, id)` next to `UNIQUE (email)` adds nothing. Where the written key parts already show it
(`KEY (a)` is a prefix of `KEY (a, id)`) MY007/MY008 report the pair; this rule reports what only the
implicit suffix makes equal.

## Why is this bad?
Every secondary entry in InnoDB ends with the primary key (that is how it finds the row), so the
two indexes have the same entries in the same order. Every write maintains both; reads use one.

## Example
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email varchar(200), UNIQUE KEY email (email), KEY email_id (email, id));
```

## Use instead
```sql
ALTER TABLE users DROP INDEX email_id, ALGORITHM=INPLACE, LOCK=NONE;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_index._common import (
    MySQLIndexContext, drop_with_undo, effective_key, fk_needs, innodb, rule,
)  # fmt: skip
from dbarchitect.core.rules.mysql_schema._common import btree, key_parts

RULE = rule(
    "mysql-primary-key-suffix-duplicate", "MY401", Severity.warning,
    "Counting the primary key InnoDB appends to secondary indexes, two indexes hold the same entries.",
)  # fmt: skip


def _reported_elsewhere(i, j) -> bool:
    """MY007/MY008 already report the pair from the written key parts: i equals or leads j, or a
    non-unique j leads i (then MY008 advises dropping j)."""
    si, sj = key_parts(i), key_parts(j)
    return sj[: len(si)] == si or (si[: len(sj)] == sj and not (j.unique or j.primary))


def check(snapshot: SchemaSnapshot, ctx: MySQLIndexContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if not innodb(t) or t.primary_key is None:
            continue
        trees = sorted((i for i in t.indexes if btree(i)), key=lambda i: i.name)
        for i in trees:
            if i.unique or i.primary:
                continue
            ei = effective_key(t, i)
            j = next((j for j in trees if j is not i and effective_key(t, j)[: len(ei)] == ei
                      and not _reported_elsewhere(i, j)), None)  # fmt: skip
            if j is None or (fk_needs(t, i) and not fk_needs_after(t, i, j)):
                continue
            ej = effective_key(t, j)
            pk = ", ".join(t.primary_key.columns)
            out.append(
                RULE.finding(
                    message=(
                        f"{t.qualified} index {i.name} ({', '.join(i.expressions)}) holds the entries "
                        f"({', '.join(n for n, _ in ei)}) and {j.name} ({', '.join(j.expressions)}) finds the same rows "
                        f"{'with the same key' if len(ej) == len(ei) else 'by its leading part'}, counting the primary key "
                        f"({pk}) InnoDB appends to every secondary index: every write maintains both."
                    ),
                    fix=drop_with_undo(t, i),
                    evidence=[ctx.evidence(
                        f"effective key of {i.name} = ({', '.join(n for n, _ in ei)}); of {j.name} = ({', '.join(n for n, _ in ej)})",
                        index=i.name, covered_by=j.name, primary_key=list(t.primary_key.columns),
                    )],  # fmt: skip
                    obj=f"{t.qualified}.{i.name}",
                )
            )
    return out


def fk_needs_after(t, i, j) -> bool:
    """After dropping i, j still leads with the columns of the foreign key i supports."""
    fk = next(f for f in t.foreign_keys if list(i.columns[: len(f.columns)]) == list(f.columns))
    return list(j.columns[: len(fk.columns)]) == list(fk.columns)
