"""
## What it does
Flags UNIQUE constraints and unique indexes on a soft-deleted table (a `deleted_at`,
`is_deleted`, `archived_at`, ... column) that are not partial on live rows. A UNIQUE that
contains the whole primary key (`(tenant_id, id)`, kept as a target for composite foreign keys)
is unique anyway and is left alone.

## Why is this bad?
With soft delete a "deleted" row stays in the table, so a full UNIQUE keeps its value taken for
ever: the user who closed an account cannot sign up again with the same email, a deleted tag name
cannot be reused. Adding the soft-delete column to the key does not help either: NULLs are
distinct, so two live rows with the same value pass. The uniqueness the domain means holds among
live rows only.

## Example
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, deleted_at timestamptz);
```

## Use instead
```sql
ALTER TABLE users DROP CONSTRAINT users_email_key;
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE deleted_at IS NULL;
```

## References
PostgreSQL docs, "Partial Indexes" (example: a unique index over a subset of rows).
"""

from __future__ import annotations

import re

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import (
    ReviewContext,
    drop_unique_sql,
    soft_delete_column,
    unique_index_sql,
    unique_keys,
)

RULE = RuleMeta(
    name="soft-delete-unique-not-partial",
    code="SD013",
    family="schema",
    severity=Severity.warning,
    summary="A soft-deleted table has a UNIQUE over all rows: deleted rows keep their values taken.",
)


#: keys whose values must never come back, deleted rows included: invoice/order numbers, content hashes
#: (a re-upload block), tokens and external ids
NEVER_REUSED = re.compile(r"(^|_)(number|num|no|seq|sequence|sequential_id|md5|sha1|sha256|sha512|hash|checksum|"
                          r"digest|fingerprint|token|uuid|guid|external_id)$", re.IGNORECASE)  # fmt: skip


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        soft = soft_delete_column(t)
        if soft is None or t.partition_of:
            continue
        pk = set(t.primary_key.columns) if t.primary_key else None
        for name, idx, cols, pred in unique_keys(t):
            if pred and soft.name in pred:
                continue
            if pk and pk <= set(cols):
                continue  # contains the primary key: unique anyway (a target for composite foreign keys)
            if any(c and NEVER_REUSED.search(c) for c in cols):
                continue  # numbering, hashes, tokens: never reusing the value, even a deleted row's, is the point
            if None in cols:
                key_cols = [c for c in (idx.columns if idx else cols) if c is not None]
                note = "-- the key has expressions: keep them in the partial index\n"
            else:
                key_cols, note = list(cols), ""
            keys_txt = ", ".join(c or "<expr>" for c in cols)
            trap = (
                f" Including {soft.name} in the key does not help: NULLs are distinct, so live duplicates pass."
                if soft.name in cols
                else ""
            )
            fix = None
            if key_cols and soft.name not in key_cols:
                fix = note + "\n".join(
                    [
                        unique_index_sql(t, key_cols),
                        drop_unique_sql(t, name, idx),
                    ]
                )
            out.append(
                RULE.finding(
                    message=(
                        f"{name} makes ({keys_txt}) unique across all rows of {t.qualified}, soft-deleted ones too "
                        f"({soft.name}): a deleted row keeps its value taken, so it can never be reused.{trap}"
                    ),
                    obj=f"{t.qualified}.{name}",
                    fix=fix
                    or f"-- rebuild {name} as a unique index WHERE {soft.name} IS NULL on the columns that identify a live row",
                    evidence=[
                        ctx.evidence(
                            f"{t.qualified} has soft-delete column {soft.name}; {name} has no predicate on it",
                            unique=name,
                            predicate=pred,
                        )
                    ],
                )
            )
    return out
