"""
## What it does
Advises on `varchar(n)` columns, one finding per table listing them. Advisory only: a limit that
is a real business rule is fine, but it is better written as a CHECK.

## Why is this bad?
In PostgreSQL `varchar(n)` and `text` are stored and compared the same way; the `n` only adds a
check, and the usual values (50, 255) are habits from other databases rather than decisions.
When a real value outgrows the limit the insert fails in production, and raising the limit is a
schema change (cheap since 9.2, but a deploy). Lowering one rewrites nothing yet rejects nothing
already stored.

## Example
```sql
CREATE TABLE users (email varchar(255) NOT NULL, bio varchar(500));
```

## Use instead
```sql
CREATE TABLE users (
    email text NOT NULL,
    bio   text CHECK (char_length(bio) <= 2000)   -- only where the limit is a rule of the domain
);
-- converting is catalog-only (varchar -> text is binary coercible, no rewrite):
ALTER TABLE users ALTER COLUMN email TYPE text;
```

## References
PostgreSQL wiki, "Don't Do This: varchar(n) by default"; squawk prefer-text-field.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, base_type, qi, qt, typmod

RULE = RuleMeta(
    name="varchar-length-by-default",
    code="SD005",
    family="schema",
    severity=Severity.advice,
    summary="Columns are varchar(n): an arbitrary limit where text (plus a CHECK for real limits) says more.",
)


def _is_varchar_n(col) -> bool:
    return base_type(col.type) == "character varying" and typmod(col.type) is not None and not col.type.endswith("]")


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if t.partition_of:
            continue
        cols = [c for c in t.columns if _is_varchar_n(c)]
        if not cols:
            continue
        listed = ", ".join(f"{c.name} {c.type.replace('character varying', 'varchar')}" for c in cols)
        fix = "\n".join(
            f"ALTER TABLE {qt(t)} ALTER COLUMN {qi(c.name)} TYPE text;  -- no rewrite: varchar -> text is binary coercible"
            for c in cols
        )
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified} caps {len(cols)} column(s) with varchar(n): {listed}. In PostgreSQL the limit "
                    "buys no storage or speed; unless it is a rule of the domain, text is clearer, and a real limit "
                    "reads better as CHECK (char_length(col) <= n)."
                ),
                obj=t.qualified,
                fix=fix,
                evidence=[
                    ctx.evidence(
                        f"{len(cols)} varchar(n) column(s) on {t.qualified}",
                        columns={c.name: c.type for c in cols},
                    )
                ],
            )
        )
    return out
