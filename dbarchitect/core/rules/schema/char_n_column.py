"""
## What it does
Flags columns of type `char(n)` / `character(n)` (`bpchar`).

## Why is this bad?
`char(n)` pads values with spaces to n characters, and the padding is sometimes significant and
sometimes not: trailing spaces are ignored when comparing two `char` values but kept when the
value is cast to text, concatenated or matched with LIKE or a regular expression. It saves no
space (values are stored padded) and is not faster than `text`. A length that must be exact is a
CHECK constraint.

## Example
```sql
CREATE TABLE countries (code char(2) PRIMARY KEY);
```

## Use instead
```sql
CREATE TABLE countries (code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'));
```

## References
PostgreSQL wiki, "Don't Do This: char(n)"; squawk ban-char-field.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import (
    ReviewContext,
    base_type,
    col_obj,
    columns_where,
    qi,
    qt,
    type_change_fix,
    typmod,
)

RULE = RuleMeta(
    name="char-n-column",
    code="SD004",
    family="schema",
    severity=Severity.warning,
    summary="A column is char(n): space padding that is significant only some of the time.",
)


def _is_char(col) -> bool:
    return base_type(col.type) in ("character", "bpchar")


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t, c in columns_where(snapshot, ctx, _is_char):
        n = typmod(c.type) or "1"
        cname = qi(f"{t.name}_{c.name}_length")
        fix = (
            type_change_fix(snapshot, ctx, t, c, "text", f"rtrim({qi(c.name)})")
            + f"\nALTER TABLE {qt(t)} ADD CONSTRAINT {cname} CHECK (char_length({qi(c.name)}) <= {n}) NOT VALID;"
            + f"\nALTER TABLE {qt(t)} VALIDATE CONSTRAINT {cname};"
        )
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified}.{c.name} is {c.type}: values are padded with spaces, which count when cast to "
                    "text, concatenated or matched with LIKE but not in = comparisons; it saves nothing over text."
                ),
                obj=col_obj(t, c.name),
                fix=fix,
                evidence=[ctx.evidence(f"{t.qualified}.{c.name} has type {c.type}", type=c.type)],
            )
        )
    return out
