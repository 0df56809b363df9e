"""
## What it does
Flags `real` / `double precision` columns whose names say they hold money: price, amount, cost,
total, balance, fee, tax, salary and the like (`unit_price`, `amount_due`, ...).

## Why is this bad?
Binary floating point cannot represent most decimal fractions: 0.1 + 0.2 is 0.30000000000000004,
sums of many prices drift by cents, and equality tests on amounts fail. Money needs exact
decimal arithmetic, which is what `numeric` does.

## Example
```sql
CREATE TABLE order_lines (unit_price double precision NOT NULL, quantity integer NOT NULL);
```

## Use instead
```sql
CREATE TABLE order_lines (
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    quantity   integer NOT NULL CHECK (quantity > 0)
);
```
Or store integer minor units (`amount_cents bigint`).

## References
SQLCheck 2001 "imprecise data type"; PostgreSQL docs, "Floating-Point Types".
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import (
    ReviewContext,
    base_type,
    col_obj,
    columns_where,
    matches_name,
    qi,
    type_change_fix,
)

RULE = RuleMeta(
    name="float-for-money-column",
    code="SD007",
    family="schema",
    severity=Severity.warning,
    summary="A money-like column (price, amount, total...) is a binary float: sums drift by cents.",
)

MONEY_WORDS = {"price", "amount", "cost", "total", "subtotal", "balance", "fee", "fees", "tax", "salary", "wage",
               "discount", "revenue", "payment", "charge", "refund", "credit", "debit", "budget", "income",
               "expense", "tip", "shipping", "vat"}  # fmt: skip
FLOAT_TYPES = {"real", "double precision", "float4", "float8"}


#: words that make a money-like name a rate, share or ratio (tax_rate, vat_percent, discount_ratio): not an amount
NOT_AMOUNT_WORDS = {"rate", "rates", "percent", "percentage", "pct", "ratio", "factor", "multiplier", "share",
                    "weight", "fraction", "basis", "bps", "coefficient", "markup", "margin"}  # fmt: skip


def is_money_name(name: str) -> bool:
    parts = name.lower().split("_")
    if any(p in NOT_AMOUNT_WORDS for p in parts):
        return False
    return any(p in MONEY_WORDS for p in parts) or matches_name(name, set(), ("price", "amount", "cost", "total"))


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    pairs = columns_where(snapshot, ctx, lambda c: base_type(c.type) in FLOAT_TYPES and is_money_name(c.name))
    for t, c in pairs:
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified}.{c.name} holds money in {c.type}: binary floats cannot represent most cents "
                    "exactly, so totals drift and equality checks on amounts fail."
                ),
                obj=col_obj(t, c.name),
                fix=type_change_fix(snapshot, ctx, t, c, "numeric", f"{qi(c.name)}::numeric", (
                    "exact numeric keeps every stored value as it is (no rounding); add the currency's",
                    "precision and scale (e.g. numeric(12, 2)) once the data is checked to fit it")),
                evidence=[ctx.evidence(f"{t.qualified}.{c.name} has type {c.type} and a money-like name", type=c.type)],
            )
        )
    return out
