"""
## What it does
Flags columns of type `money`.

## Why is this bad?
`money` stores a fixed number of decimals chosen by the server's `lc_monetary` setting, not by
the column: the same dump restored on a server with another locale reads different amounts, it
holds no currency, its text output is locale-formatted (`$1,000.00`) and it rounds on division.
`numeric` with an explicit scale, next to a currency code when there is more than one, says what
it means everywhere.

## Example
```sql
CREATE TABLE invoices (total money NOT NULL);
```

## Use instead
```sql
CREATE TABLE invoices (
    total    numeric(12, 2) NOT NULL CHECK (total >= 0),
    currency text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$')
);
```

## References
PostgreSQL wiki, "Don't Do This: money".
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
    type_change_fix,
)

RULE = RuleMeta(
    name="money-column",
    code="SD006",
    family="schema",
    severity=Severity.warning,
    summary="A column uses the money type: its scale follows the server locale, not the data.",
)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t, c in columns_where(snapshot, ctx, lambda c: base_type(c.type).removesuffix("[]") == "money"):
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified}.{c.name} is money: its decimals and text format follow the server's lc_monetary, "
                    "so a restore on another server can read different amounts, and it carries no currency."
                ),
                obj=col_obj(t, c.name),
                fix=type_change_fix(snapshot, ctx, t, c, "numeric(12, 2)", f"{qi(c.name)}::numeric"),
                evidence=[ctx.evidence(f"{t.qualified}.{c.name} has type {c.type}", type=c.type)],
            )
        )
    return out
