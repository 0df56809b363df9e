"""
## What it does
Flags `SELECT DISTINCT` whose select list already contains a unique, NOT NULL key of every table
in the FROM clause.

## Why is this bad?
Such rows are distinct by construction, so DISTINCT only adds a sort or hash over the whole result
(and often hides the real intent of the query).

## Example
```sql
SELECT DISTINCT id, email FROM users;   -- id is the primary key
```

## Use instead
```sql
SELECT id, email FROM users;
```
A UNIQUE constraint alone is not enough: it allows several NULLs, which DISTINCT would fold.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Evidence, Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext
from dbarchitect.core.rules.query._facts import QueryFacts, ident_name
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="redundant-distinct",
    code="QR008",
    family="query",
    severity=Severity.advice,
    summary="DISTINCT over a select list that already holds a unique NOT NULL key of every table.",
)

SET_RETURNING = {"unnest", "generate_series", "jsonb_array_elements", "json_array_elements", "regexp_matches",
                 "jsonb_each", "json_each", "jsonb_object_keys", "json_object_keys", "string_to_table"}


def distinct_proof(facts: QueryFacts, select: exp.Select) -> list[Evidence] | None:
    """Catalog evidence that every row of `select` is already distinct, or None."""
    distinct = select.args.get("distinct")
    if distinct is None or distinct.args.get("on") or select.args.get("group"):
        return None
    for item in select.expressions:
        if item.find(exp.Unnest, exp.Explode, exp.GenerateSeries, exp.AggFunc, exp.Window):
            return None
        if any(isinstance(f, exp.Anonymous) and f.name.lower() in SET_RETURNING for f in item.find_all(exp.Anonymous)):
            return None
    scope = facts.scope_of(select)
    if scope is None or scope.expression is not select:
        return None
    selected: dict[str, set[str]] = {}
    for item in select.expressions:
        col = item.this if isinstance(item, exp.Alias) else item
        if isinstance(col, exp.Column) and not isinstance(col.this, exp.Star):
            ref = facts.resolve(col)
            if ref is not None and ref.scope is scope:
                selected.setdefault(ref.alias, set()).add(ref.name)
    proofs = []
    for alias, source in scope.sources.items():
        if not isinstance(source, exp.Table):
            return None
        table = facts.table(source)
        if table is None:
            return None
        proof = facts.unique_key(table, selected.get(ident_name(alias), set()))
        if proof is None:
            return None
        proofs.append(proof)
    return proofs or None


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for select in ctx.selects():
        proofs = distinct_proof(ctx.facts, select)
        if proofs:
            out.append(
                ctx.finding(
                    RULE,
                    "DISTINCT cannot remove anything here: the select list holds a unique NOT NULL key of "
                    "every table, so it only adds a sort or hash.",
                    fix="Drop DISTINCT.",
                    evidence=proofs,
                )
            )
    return out
