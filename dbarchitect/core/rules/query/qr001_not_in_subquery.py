"""
## What it does
Flags `x NOT IN (SELECT y ...)` and `x NOT IN (..., NULL, ...)`.

## Why is this bad?
`NOT IN` follows three-valued logic: as soon as the subquery yields one NULL, the predicate is
never TRUE and the query silently returns no rows; a NULL `x` is never returned either. When both
sides are provably NOT NULL the result is right, but PostgreSQL still cannot plan `NOT IN` as an
anti-join: it runs a (hashed, if it fits in work_mem, otherwise per-row) SubPlan.

## Example
```sql
SELECT * FROM users WHERE id NOT IN (SELECT user_id FROM bans);
```

## Use instead
```sql
SELECT * FROM users u WHERE NOT EXISTS (SELECT 1 FROM bans b WHERE b.user_id = u.id);
```
`NOT EXISTS` is an anti-join and has the semantics people usually mean. The two are equivalent
only when both `x` and `y` are NOT NULL; `rewrite_query` rewrites it as `proven` only then.

## References
PostgreSQL wiki, "Don't Do This: Don't use NOT IN".
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import null_proofs
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="not-in-subquery",
    code="QR001",
    family="query",
    severity=Severity.warning,
    summary="NOT IN returns no rows once the list holds a NULL, and is never planned as an anti-join.",
)


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for node in ctx.statement.find_all(exp.Not):
        in_ = node.this
        if not isinstance(in_, exp.In):
            continue
        if not in_.args.get("query"):
            if any(isinstance(e, exp.Null) for e in in_.expressions):
                out.append(
                    ctx.finding(
                        RULE,
                        f"`{ctx.sql(node)}` is never TRUE because the list contains NULL: "
                        "the condition filters out every row.",
                        fix="Remove NULL from the list; test NULL separately with IS NULL if needed.",
                        evidence=[static("x NOT IN (..., NULL) evaluates to NULL or FALSE for every x.")],
                        severity=Severity.error,
                    )
                )
            continue
        x, y, inner = null_proofs(ctx.facts, node)
        fix = "Write it as NOT EXISTS (SELECT 1 FROM ... WHERE y = x); rewrite_query produces the exact text."
        if x is not None and y is not None:
            out.append(
                ctx.finding(
                    RULE,
                    f"`{ctx.sql(in_.this)} NOT IN (subquery)` is correct here (both sides are NOT NULL) but "
                    "PostgreSQL cannot plan it as an anti-join; on a large subquery it runs a SubPlan "
                    "that may rescan the subquery for every outer row.",
                    fix=fix,
                    evidence=[x, y],
                    severity=Severity.advice,
                )
            )
            continue
        unknown = []
        if x is None:
            unknown.append(ctx.sql(in_.this))
        if y is None:
            unknown.append(ctx.sql(inner) if inner is not None else "the subquery column")
        ev = [e for e in (x, y) if e is not None]
        ev.append(static(f"Not proven NOT NULL: {', '.join(unknown)}.", unproven=unknown))
        out.append(
            ctx.finding(
                RULE,
                f"`NOT IN (subquery)` over {', '.join(unknown)}, which may be NULL: one NULL from the subquery "
                "makes the query return no rows at all, and rows whose left side is NULL are never returned.",
                fix=fix + " Decide whether NULLs should match; NOT EXISTS ignores them.",
                evidence=ev,
            )
        )
    return out
