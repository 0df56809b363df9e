"""
## What it does
Flags `LEFT JOIN r ON r.key = ...` when nothing else in the query reads `r` and the catalog proves
the join columns are a unique key of `r`.

## Why is this bad?
A LEFT JOIN to at most one row that no expression reads cannot change the result: it neither
filters nor multiplies rows. It costs planning time and a reader's attention. (PostgreSQL removes
it at plan time when it can prove uniqueness, but the SQL still misleads.)

## Example
```sql
SELECT p.id, p.title FROM posts p LEFT JOIN users u ON u.id = p.user_id;
```

## Use instead
```sql
SELECT p.id, p.title FROM posts p;
```
Without the unique key the join can duplicate rows and must stay.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext
from dbarchitect.core.rules.query._facts import conjuncts, ident_name
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="unused-left-join",
    code="QR007",
    family="query",
    severity=Severity.advice,
    summary="A LEFT JOIN to a unique key whose columns nothing reads.",
)


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for select in ctx.selects():
        for join in select.args.get("joins") or []:
            if (join.side or "").upper() != "LEFT" or not isinstance(join.this, exp.Table):
                continue
            alias = ident_name(join.this.alias_or_name)
            on = join.args.get("on")
            keys = []
            for term in conjuncts(on):
                if not isinstance(term, exp.EQ):
                    keys = []
                    break
                mine = [s for s in (term.this, term.expression) if isinstance(s, exp.Column) and ident_name(s.args.get("table")) == alias]
                if len(mine) != 1:
                    keys = []
                    break
                keys.append(ident_name(mine[0].this))
            if not keys:
                continue
            others = [c for c in select.find_all(exp.Column) if c.find_ancestor(exp.Join) is not join]
            if any(_reads(ctx, c, alias) for c in others):
                continue
            if any(isinstance(s, exp.Star) or (isinstance(s, exp.Column) and isinstance(s.this, exp.Star)) for s in select.expressions):
                continue
            table = ctx.facts.table(join.this)
            proof = ctx.facts.unique_key(table, keys, require_not_null=False) if table else None
            if proof is None:
                continue
            out.append(
                ctx.finding(
                    RULE,
                    f"`LEFT JOIN {ctx.sql(join.this)}` matches at most one row and nothing reads it: it cannot change the result.",
                    fix="Delete the join.",
                    evidence=[proof],
                    obj=table.qualified,
                )
            )
    return out


def _reads(ctx: QueryContext, col: exp.Column, alias: str) -> bool:
    if col.args.get("table"):
        return ident_name(col.args["table"]) == alias
    ref = ctx.facts.resolve(col)
    return ref is None or ref.alias == alias
