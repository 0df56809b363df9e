"""
## What it does
Flags text-typed columns whose names say they hold one of a fixed set of values (`status`,
`state`, `stage`, `kind`, `type`, `role`, `priority`, `*_status`, `*_type`, ...) but that no CHECK
constraint, enum type, domain or foreign key restricts.

## Why is this bad?
Every writer becomes the keeper of the list: one typo (`'pubished'`), a casing slip (`'Active'`)
or an old client writing a retired value, and rows silently drop out of `WHERE status =
'published'`. The database is the one place that can promise every row uses a known value, and
the list written down there documents it for the next reader.

## Example
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL DEFAULT 'pending');
```

## Use instead
```sql
ALTER TABLE orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled')) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_status_check;
```
A lookup table with a foreign key suits lists that change often or carry attributes; an enum
type suits lists that only grow.

## References
SQLCheck 2002 (values in definition) weighs CHECK lists against lookup tables; PostgreSQL docs,
"Check Constraints".
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import (
    ReviewContext,
    col_obj,
    constrained_by_check,
    domain_of,
    in_foreign_key,
    is_text,
    matches_name,
    qi,
    qt,
)

RULE = RuleMeta(
    name="status-column-without-check",
    code="SD011",
    family="schema",
    severity=Severity.warning,
    summary="A status-like text column accepts any string: no CHECK, enum or lookup table holds the list.",
)

STATUS_NAMES = {"status", "state", "stage", "phase", "kind", "type", "role", "priority", "level", "tier",
                "visibility", "severity", "mode"}  # fmt: skip
STATUS_SUFFIXES = ("_status", "_state", "_type", "_kind", "_stage", "_role", "_level", "_tier")


def is_status_name(name: str) -> bool:
    return matches_name(name, STATUS_NAMES, STATUS_SUFFIXES)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if t.partition_of:
            continue
        for c in t.columns:
            if not is_text(c) or not is_status_name(c.name) or c.generated:
                continue
            domain = domain_of(snapshot, c)
            if constrained_by_check(t, c) or in_foreign_key(t, c) or (domain and domain.checks):
                continue
            cname = qi(f"{t.name}_{c.name}_check")
            fix = "\n".join(
                [
                    f"-- the values in use: SELECT {qi(c.name)}, count(*) FROM {qt(t)} GROUP BY 1 ORDER BY 2 DESC;",
                    "-- then list the allowed ones (NOT VALID keeps the ADD instant; VALIDATE scans without blocking writes):",
                    f"ALTER TABLE {qt(t)} ADD CONSTRAINT {cname} CHECK ({qi(c.name)} IN ('<value>', '<value>')) NOT VALID;",
                    f"ALTER TABLE {qt(t)} VALIDATE CONSTRAINT {cname};",
                ]
            )
            out.append(
                RULE.finding(
                    message=(
                        f"{t.qualified}.{c.name} ({c.type}) looks like a fixed list of values but accepts any string: "
                        "a typo or a stale client writes values that queries filtering on it never match."
                    ),
                    obj=col_obj(t, c.name),
                    fix=fix,
                    evidence=[
                        ctx.evidence(
                            f"no CHECK constraint, enum, checked domain or foreign key restricts {t.qualified}.{c.name}",
                            type=c.type,
                            checks=[x.name for x in t.constraints if x.kind == "check"],
                        )
                    ],
                )
            )
    return out
