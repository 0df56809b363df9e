"""
## What it does
Flags `SELECT *` and `SELECT t.*` in the outermost query.

## Why is this bad?
The result's columns change whenever the table does: a new column, a dropped one or a reordering
reaches the application unannounced. It reads columns nobody uses (including large TOASTed ones)
and rules out index-only scans.

## Example
```sql
SELECT * FROM users WHERE id = $1;
```

## Use instead
```sql
SELECT id, email, username FROM users WHERE id = $1;
```
`*` inside `EXISTS (SELECT * ...)` and `count(*)` are fine and not flagged.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import ident_name
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="select-star",
    code="QR020",
    family="query",
    severity=Severity.info,
    summary="SELECT * ties the result to the table's current columns.",
)


def check(ctx: QueryContext) -> list[Finding]:
    root = ctx.statement
    if isinstance(root, exp.Select):
        selects = [root]
    elif isinstance(root, exp.SetOperation):
        selects = [s for s in root.find_all(exp.Select) if s.find_ancestor(exp.Subquery, exp.CTE) is None]
    else:
        return []
    out = []
    for select in selects:
        stars = [e for e in select.expressions if isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))]
        if not stars:
            continue
        expanded = []
        scope = ctx.facts.scope_of(select)
        if scope is not None and ctx.snapshot is not None:
            for alias, source in scope.sources.items():
                table = ctx.facts.table(source) if isinstance(source, exp.Table) else None
                if table is None:
                    expanded = []
                    break
                wanted = [s for s in stars if isinstance(s, exp.Star) or ident_name(s.args.get("table")) == ident_name(alias)]
                if wanted:
                    prefix = f"{alias}." if len(scope.sources) > 1 else ""
                    expanded += [f"{prefix}{c.name}" for c in sorted(table.columns, key=lambda c: c.position)]
        fix = "List the columns the caller uses."
        if expanded:
            fix += " Today * means: " + ", ".join(expanded) + "."
        out.append(ctx.finding(
            RULE,
            f"`{', '.join(ctx.sql(s) for s in stars)}` returns whatever columns the table has today; schema changes "
            "reach the application unannounced and index-only scans are ruled out.",
            fix=fix,
            evidence=[static("The select list is a star.")],
        ))
    return out
