"""
## What it does
Flags ordinary and partitioned tables that have no PRIMARY KEY. A partition is judged through its
parent, so a partitioned table without a key is reported once.

## Why is this bad?
Without a key nothing stops two identical rows, and nothing lets you address one of them: an
UPDATE or DELETE by an ORM touches every copy. Logical replication cannot replicate UPDATE and
DELETE on the table (there is no replica identity), and most tools that sync or diff data need a
key to match rows.

## Example
```sql
CREATE TABLE audit_log (happened_at timestamptz, actor text, action text);
```

## Use instead
```sql
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    happened_at timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL
);
```
When a natural key exists and is never updated, make it the primary key instead.

## References
PostgreSQL docs, "Primary Keys"; splinter 0004; schemalint require-primary-key.
"""

from __future__ import annotations

import re

from dbarchitect.core.models import Finding, Index, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, qi, qt

RULE = RuleMeta(
    name="table-without-primary-key",
    code="SD001",
    family="schema",
    severity=Severity.warning,
    summary="A table has no primary key: duplicate rows, no replica identity, no way to address one row.",
)


def _partition_columns(t) -> list[str] | None:
    """The plain columns of a partition key ("RANGE (created_at)"), or None when it has an expression."""
    m = re.match(r"\s*\w+\s*\((.*)\)\s*$", t.partition_key or "")
    if not m:
        return None
    cols = [c.strip().strip('"') for c in m.group(1).split(",")]
    return cols if all(t.column(c) for c in cols) else None


def _promotable(t) -> Index | None:
    """A valid, non-partial btree UNIQUE index over NOT NULL plain columns: it can become the key."""
    for i in sorted(t.indexes, key=lambda i: (i.constraint is not None, len(i.columns), i.name)):
        if (i.unique and i.valid and i.method == "btree" and not i.predicate and not i.include and i.columns
                and all(c is not None and (col := t.column(c)) and col.not_null for c in i.columns)):  # fmt: skip
            return i
    return None


def _inheritance_fix(t, children: list) -> tuple[str, str]:
    """An inheritance parent: identity columns cannot recurse into children and a key never spans them, so
    one sequence feeds a plain column on every table, and each table gets its own key."""
    seq = qi(f"{t.name}_id_seq")
    schema = qi(t.schema_name)
    lines = [
        f"-- {t.qualified} has {len(children)} inheritance child(ren): an identity column cannot recurse into them and",
        "-- a key does not span them; one sequence feeds id everywhere and each table gets its own key.",
        "-- The volatile default rewrites the parent and every child under ACCESS EXCLUSIVE: a maintenance window.",
        f"CREATE SEQUENCE {schema}.{seq} AS bigint;",
        f"ALTER TABLE {qt(t)} ADD COLUMN id bigint NOT NULL DEFAULT nextval('{t.schema_name}.{t.name}_id_seq');",
        f"ALTER TABLE ONLY {qt(t)} ADD PRIMARY KEY (id);",
        *[f"ALTER TABLE ONLY {qt(c)} ADD PRIMARY KEY (id);" for c in children],
    ]
    return "\n".join(lines), f" It has {len(children)} inheritance child table(s), which a key on it does not cover."


def _fix(t, children: list | None = None) -> tuple[str, str]:
    rows = t.estimated_rows
    size = f"{rows:,} rows" if rows > 0 else "the whole table"
    if t.kind == "partitioned_table":
        part = _partition_columns(t)
        if part is None:
            return ("-- the partition key has an expression: a primary key must contain the key's plain columns,\n"
                    "-- so this table cannot have one; give each partition its own key instead", "")  # fmt: skip
        base = [c for c in ("id",) if t.column("id") and c not in part]
        cols = base + part
        if not base:
            return ("-- a primary key of a partitioned table must include its partition key "
                    f"({', '.join(part)}); add a key column first, then:\n"
                    f"ALTER TABLE {qt(t)} ADD PRIMARY KEY ({', '.join(qi(c) for c in cols)}, <key column>);", "")  # fmt: skip
        return (
            f"-- the key must include the partition key ({', '.join(part)}); builds a unique index on every partition\n"
            "-- under ACCESS EXCLUSIVE: for large partitions create it CONCURRENTLY on each partition first\n"
            f"ALTER TABLE {qt(t)} ADD PRIMARY KEY ({', '.join(qi(c) for c in cols)});",
            f" Its key must include the partition key: ({', '.join(cols)}).",
        )
    idx = _promotable(t)
    if idx is None and children and not t.column("id"):
        return _inheritance_fix(t, children)
    if idx is not None:
        cols = ", ".join(qi(c) for c in idx.columns)
        if idx.constraint is None:
            return (
                f"-- {idx.name} is already UNIQUE over NOT NULL columns: promote it (metadata only, brief lock)\n"
                f"ALTER TABLE {qt(t)} ADD CONSTRAINT {qi(t.name + '_pkey')} PRIMARY KEY USING INDEX {qi(idx.name)};",
                f" The unique index {idx.name} on NOT NULL columns ({', '.join(idx.columns)}) can be promoted to it.",
            )
        new = t.name + "_pkey"
        return (
            f"-- {idx.constraint} is UNIQUE over NOT NULL columns but backs a constraint: build its twin online and promote it\n"
            f"CREATE UNIQUE INDEX CONCURRENTLY {qi(new)} ON {qt(t)} ({cols});\n"
            f"ALTER TABLE {qt(t)} ADD CONSTRAINT {qi(new)} PRIMARY KEY USING INDEX {qi(new)};\n"
            f"-- then {idx.constraint} is redundant: drop it once no foreign key references it",
            f" UNIQUE {idx.constraint} on NOT NULL columns ({', '.join(idx.columns)}) could serve as the key.",
        )
    return (
        f"-- adds a column: rewrites {size} and builds the key under ACCESS EXCLUSIVE (reads and writes wait);\n"
        "-- on a busy table add a nullable bigint, backfill in batches, CREATE UNIQUE INDEX CONCURRENTLY,\n"
        "-- SET NOT NULL via a validated CHECK, then ADD PRIMARY KEY USING INDEX\n"
        f"ALTER TABLE {qt(t)} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;",
        "",
    )


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    children: dict[str, list] = {}
    for c in snapshot.tables:
        for p in c.inherits:
            children.setdefault(p if "." in p else f"{c.schema_name}.{p}", []).append(c)
    for t in ctx.tables(snapshot):
        if t.partition_of or t.primary_key is not None:
            continue
        fix, note = _fix(t, children.get(t.qualified))
        rows = t.estimated_rows
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified} has no primary key: duplicate rows cannot be prevented or told apart, and "
                    f"logical replication cannot ship its UPDATEs and DELETEs.{note}"
                ),
                obj=t.qualified,
                fix=fix,
                evidence=[ctx.evidence(f"no PRIMARY KEY constraint on {t.qualified}", rows=rows)],
            )
        )
    return out
