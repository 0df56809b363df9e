"""
## What it does
Flags `LIMIT n OFFSET m` with a large or caller-supplied offset, and OFFSET without ORDER BY.

## Why is this bad?
OFFSET does not skip rows, it reads and discards them: page 500 reads 10 000 rows to return 20, and
gets slower with every page. Rows inserted or deleted between requests shift the pages, so users
see duplicates or miss rows. Without ORDER BY the pages are not even well defined.

## Example
```sql
SELECT * FROM posts ORDER BY created_at DESC LIMIT 20 OFFSET 10000;
```

## Use instead
Keyset ("seek") pagination on a total order, served by an index on the same columns:
```sql
SELECT * FROM posts
WHERE (created_at, id) < ($1, $2)      -- the last row of the previous page
ORDER BY created_at DESC, id DESC
LIMIT 20;
```
It changes the API: callers pass the last row seen instead of a page number.

## References
Use The Index, Luke: "We need tool support for keyset pagination" (no-offset).
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import is_parameter
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="offset-pagination",
    code="QR018",
    family="query",
    severity=Severity.advice,
    summary="Large OFFSET reads and discards every skipped row.",
)

LARGE_OFFSET = 1000


def offset_value(select: exp.Select) -> exp.Expression | None:
    offset = select.args.get("offset")
    return offset.expression if offset is not None else None


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for select in ctx.selects():
        value = offset_value(select)
        if value is None:
            continue
        big = (isinstance(value, exp.Literal) and not value.is_string and int(float(value.this)) >= LARGE_OFFSET)
        if not select.args.get("order"):
            out.append(ctx.finding(
                RULE,
                "OFFSET without ORDER BY: the rows on each page are whatever order the plan yields, so pages can "
                "overlap or skip rows.",
                fix="Add an ORDER BY on a unique key, then move to keyset pagination.",
                evidence=[static("SQL defines no row order without ORDER BY.")],
                severity=Severity.warning,
            ))
        elif big or is_parameter(value):
            how = f"OFFSET {value.sql()}" + ("" if big else " (caller-supplied, so it grows with the page number)")
            out.append(ctx.finding(
                RULE,
                f"{how} reads and throws away every skipped row; deep pages get slower linearly and shift under "
                "concurrent inserts.",
                fix="Keyset pagination: WHERE (sort key, id) > (last seen values) ORDER BY sort key, id LIMIT n "
                    "(rewrite_query writes it, with the index it needs).",
                evidence=[static(f"OFFSET m reads m rows before returning any; threshold {LARGE_OFFSET}.")],
            ))
    return out
