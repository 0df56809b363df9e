"""
## What it does
Flags tables that have rewrite rules (`CREATE RULE`), other than the internal `_RETURN` rule of
views.

## Why is this bad?
A rule rewrites the query before it runs rather than acting on each row, and the consequences
surprise even experts: an `ON INSERT DO ALSO` rule evaluates volatile expressions (such as
`nextval()` or `now()`) twice, `ON UPDATE` rules fire once per query and see the rows through the
query's own conditions, `RETURNING` and `COPY` behave differently, and a rule that refers to the
table it rewrites can loop. Triggers do what rules are used for, row by row, predictably.

## Example
```sql
CREATE RULE log_price_change AS ON UPDATE TO products
    DO ALSO INSERT INTO price_history VALUES (OLD.id, OLD.price, now());
```

## Use instead
```sql
CREATE FUNCTION log_price_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO price_history VALUES (OLD.id, OLD.price, now());
    RETURN NEW;
END $$;
CREATE TRIGGER log_price_change AFTER UPDATE OF price ON products
    FOR EACH ROW EXECUTE FUNCTION log_price_change();
DROP RULE log_price_change ON products;
```

## References
PostgreSQL wiki, "Don't Do This: rules"; PostgreSQL docs, "Rules Versus Triggers".
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, qi, qt

RULE = RuleMeta(
    name="rewrite-rule-on-table",
    code="SD024",
    family="schema",
    severity=Severity.warning,
    summary="A table has a rewrite rule (CREATE RULE): query rewriting that triggers do predictably.",
)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        for rule in t.rules:
            out.append(
                RULE.finding(
                    message=(
                        f"Rule {rule} rewrites queries on {t.qualified}: it fires per query, not per row, evaluates "
                        "volatile expressions again and changes how RETURNING and COPY behave; a trigger does the same "
                        "job predictably."
                    ),
                    obj=f"{t.qualified}.{rule}",
                    fix=(
                        f"-- re-implement it as a row-level trigger (see the rule's definition in pg_rules), then:\n"
                        f"DROP RULE {qi(rule)} ON {qt(t)};"
                    ),
                    evidence=[ctx.evidence(f"pg_rewrite has rule {rule} on {t.qualified}", rule=rule)],
                )
            )
    return out
