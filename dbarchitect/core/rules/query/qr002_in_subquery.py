"""
## What it does
Flags `x IN (SELECT DISTINCT k ...)` and `x IN (SELECT k FROM t ...)` where `k` is a unique key of `t`.

## Why is this bad?
An `IN (subquery)` is a semi-join: duplicates in the subquery never multiply rows, so a DISTINCT
inside it only adds a sort or hash. When `k` is unique the semi-join is a plain join, which some
planners (MySQL before 8.0 above all) handle far better, and which lets you read `t`'s columns.

## Example
```sql
SELECT * FROM posts WHERE user_id IN (SELECT DISTINCT id FROM users WHERE email_verified);
```

## Use instead
```sql
SELECT posts.* FROM posts JOIN users ON users.id = posts.user_id WHERE users.email_verified;
```
The join is only equivalent when `users.id` is unique (the catalog must prove it).
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import unique_in_subquery
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="in-subquery",
    code="QR002",
    family="query",
    severity=Severity.info,
    summary="IN (subquery) with a needless DISTINCT, or over a unique key where a join says more.",
)


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for in_ in ctx.statement.find_all(exp.In):
        query = in_.args.get("query")
        if not query or isinstance(in_.parent, exp.Not):
            continue
        select = query.this if isinstance(query, exp.Subquery) else query
        if isinstance(select, exp.Select) and select.args.get("distinct") and not select.args["distinct"].args.get("on"):
            out.append(
                ctx.finding(
                    RULE,
                    "DISTINCT inside `IN (subquery)` changes nothing (a semi-join ignores duplicates) but "
                    "can force a sort or hash of the whole subquery.",
                    fix="Drop the DISTINCT from the subquery.",
                    evidence=[static("x IN (SELECT DISTINCT k ...) = x IN (SELECT k ...): membership ignores duplicates.")],
                )
            )
            continue
        found = unique_in_subquery(ctx.facts, in_)
        if found is not None:
            _, key, proof = found
            out.append(
                ctx.finding(
                    RULE,
                    f"`IN (SELECT {ctx.sql(key)} ...)` reads a unique key, so it is an ordinary join; "
                    "rewrite_query offers the JOIN form as proven.",
                    fix="Join the table on the key instead of filtering by IN (subquery).",
                    evidence=[proof],
                )
            )
    return out
