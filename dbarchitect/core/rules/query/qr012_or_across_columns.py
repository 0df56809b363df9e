"""
## What it does
Flags a WHERE condition `a = 1 OR b = 2` that tests different columns of a large table when not
every one of them has an index.

## Why is this bad?
An OR across columns can only use indexes if every branch has one (PostgreSQL then combines
bitmap scans with BitmapOr); if any branch lacks one, the whole table is scanned.

## Example
```sql
SELECT * FROM users WHERE email = $1 OR phone = $2;   -- phone not indexed
```

## Use instead
Index the missing column, or split the query:
```sql
SELECT * FROM users WHERE email = $1
UNION ALL
SELECT * FROM users WHERE phone = $2 AND (email = $1) IS NOT TRUE;
```
Plain UNION is wrong when the table can hold duplicate rows; the `IS NOT TRUE` guard keeps rows
matching both branches from appearing twice.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Evidence, Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import conjuncts, disjuncts, oriented, where_of
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="or-across-columns",
    code="QR012",
    family="query",
    severity=Severity.advice,
    summary="OR across different columns forces a full scan unless every branch is indexed.",
)


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for select in ctx.selects():
        for term in conjuncts(where_of(select)):
            if not isinstance(term, exp.Or):
                continue
            cols = []
            for branch in disjuncts(term):
                o = oriented(branch)
                if o is None or not isinstance(o[1], exp.Column):
                    cols = []
                    break
                cols.append(o[1])
            if len({c.sql() for c in cols}) < 2:
                continue
            refs = [ctx.facts.resolve(c) for c in cols]
            tables = {r.table.qualified: r.table for r in refs if r is not None and r.table is not None}
            evidence: list[Evidence] = []
            severity = None
            if len(tables) == 1 and all(r is not None for r in refs):
                table = next(iter(tables.values()))
                if ctx.negligible(table):
                    continue
                unindexed = sorted({r.name for r in refs if not ctx.facts.indexes_leading(table, r.name)})
                if not unindexed:
                    continue
                evidence = ctx.size_evidence(table) + [
                    Evidence(kind="catalog", detail=f"No index of {table.qualified} leads with {', '.join(unindexed)}.",
                             data={"table": table.qualified, "unindexed": unindexed})
                ]
                severity = Severity.warning
                message = (f"`{ctx.sql(term)}` tests {len(cols)} columns and {', '.join(unindexed)} has no index: "
                           f"the whole of {table.qualified} is scanned.")
            else:
                message = f"`{ctx.sql(term)}` tests different columns with OR; it can only use indexes if every column has one."
                evidence = [static("OR across columns: a BitmapOr needs an index per branch, else a full scan.")]
            out.append(ctx.finding(
                RULE, message, severity=severity, evidence=evidence,
                fix="Index every column of the OR, or split into UNION ALL branches guarded with `(previous) IS NOT TRUE`.",
            ))
    return out
