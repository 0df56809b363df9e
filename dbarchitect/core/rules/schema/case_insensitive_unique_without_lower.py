"""
## What it does
Flags UNIQUE constraints and unique indexes on identifiers people type in any case (`email`,
`username`, `login`, `handle`, `*_email`) that compare the raw text: not `lower(col)`, not
`citext`, not a case-insensitive collation.

## Why is this bad?
`Alice@Example.com` and `alice@example.com` reach the same mailbox and name the same person, yet
the constraint accepts both: duplicate accounts, a password reset sent to the wrong row, a login
lookup by `lower(email)` that cannot use the index. Normalising in the application helps until
one writer forgets.

## Example
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);
```

## Use instead
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
-- lookups: WHERE lower(email) = lower($1)
```
or type the column `citext` (extension) so that every comparison ignores case.

## References
PostgreSQL docs, "Indexes on Expressions" (the `lower(email)` example) and the citext module.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import (
    ReviewContext,
    case_folds,
    drop_unique_sql,
    is_case_insensitive_name,
    is_text,
    unique_index_sql,
    unique_keys,
)

RULE = RuleMeta(
    name="case-insensitive-unique-without-lower",
    code="SD012",
    family="schema",
    severity=Severity.warning,
    summary="An email/username is UNIQUE on its raw text: Alice@x.com and alice@x.com both get in.",
)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if t.partition_of:
            continue
        for name, idx, cols, _pred in unique_keys(t):
            flagged = [
                c
                for c in cols
                if c is not None
                and is_case_insensitive_name(c)
                and (col := t.column(c)) is not None
                and is_text(col)
                and not case_folds(col)
            ]
            if not flagged:
                continue
            fix = "\n".join(
                [
                    "-- first, rows that would collide: "
                    + f"SELECT lower({flagged[0]}), count(*) FROM {t.qualified} GROUP BY 1 HAVING count(*) > 1;",
                    unique_index_sql(t, [c for c in cols if c is not None]),
                    drop_unique_sql(t, name, idx),
                ]
            )
            out.append(
                RULE.finding(
                    message=(
                        f"{name} makes {t.qualified}({', '.join(c or '<expr>' for c in cols)}) unique on the raw text of "
                        f"{', '.join(flagged)}: values differing only in case are both accepted, and lookups by "
                        "lower() cannot use this index."
                    ),
                    obj=f"{t.qualified}.{name}",
                    fix=fix,
                    evidence=[
                        ctx.evidence(
                            f"{name} compares {', '.join(flagged)} case-sensitively (type "
                            f"{', '.join(t.column(c).type for c in flagged)})",
                            unique=name,
                            definition=idx.definition if idx else None,
                        )
                    ],
                )
            )
    return out
