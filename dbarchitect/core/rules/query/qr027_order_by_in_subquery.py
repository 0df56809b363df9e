"""
## What it does
Flags ORDER BY inside an `IN`/`EXISTS` subquery, a derived table or a CTE when nothing consumes
the order: no LIMIT/OFFSET/FETCH, no DISTINCT ON, no order-sensitive aggregate above it.

## Why is this bad?
SQL does not promise that a subquery's order survives into the outer query; where the outer query
sorts, filters by membership or re-aggregates, the sort is pure cost.

## Example
```sql
SELECT * FROM users WHERE id IN (SELECT user_id FROM posts ORDER BY created_at);
```

## Use instead
```sql
SELECT * FROM users WHERE id IN (SELECT user_id FROM posts);
```
Keep it with LIMIT/OFFSET/DISTINCT ON, and where an outer `array_agg`/`string_agg`/`json_agg`
without its own ORDER BY relies on the input order.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="order-by-in-subquery",
    code="QR027",
    family="query",
    severity=Severity.info,
    summary="ORDER BY in a subquery whose order nothing uses.",
)

ORDER_SENSITIVE = ("array_agg", "string_agg", "json_agg", "jsonb_agg", "xmlagg", "group_concat",
                   "json_object_agg", "jsonb_object_agg")


def _order_sensitive(select: exp.Select) -> bool:
    for node in select.find_all(exp.AggFunc, exp.Anonymous, exp.Window):
        if isinstance(node, exp.Window):
            return True
        name = (node.sql_name() if isinstance(node, exp.AggFunc) else node.name).lower()
        if name in ORDER_SENSITIVE or isinstance(node, (exp.ArrayAgg, exp.GroupConcat)):
            if not node.find(exp.Order):
                return True
    return False


def redundant_orders(statement: exp.Expression) -> list[exp.Select]:
    """Subquery SELECTs whose ORDER BY nothing consumes."""
    out = []
    for select in statement.find_all(exp.Select):
        if select is statement or not select.args.get("order"):
            continue
        if select.args.get("limit") or select.args.get("offset") or select.args.get("fetch"):
            continue
        distinct = select.args.get("distinct")
        if distinct is not None and distinct.args.get("on"):
            continue
        holder = select.parent
        if isinstance(holder, exp.Subquery) and isinstance(holder.parent, (exp.In, exp.Exists)):
            out.append(select)
        elif isinstance(holder, (exp.In, exp.Exists)):
            out.append(select)
        elif isinstance(holder, (exp.Subquery, exp.CTE)) and not isinstance(holder.parent, exp.Union):
            outer = holder.find_ancestor(exp.Select)
            if isinstance(holder, exp.CTE):
                outer = statement if isinstance(statement, exp.Select) else None
            if outer is None or (isinstance(holder, exp.Subquery) and not isinstance(holder.parent, (exp.From, exp.Join))):
                continue
            if outer.args.get("order") and not _order_sensitive(outer) and not outer.args.get("limit"):
                out.append(select)
    return out


def check(ctx: QueryContext) -> list[Finding]:
    return [
        ctx.finding(
            RULE,
            f"`ORDER BY {', '.join(ctx.sql(o) for o in select.args['order'].expressions)}` inside a subquery is "
            "sorted and then ignored: the outer query does not consume that order.",
            fix="Remove the ORDER BY from the subquery.",
            evidence=[static("No LIMIT/OFFSET/DISTINCT ON in the subquery; the outer query sorts, tests membership, "
                             "or aggregates order-insensitively.")],
        )
        for select in redundant_orders(ctx.statement)
    ]
