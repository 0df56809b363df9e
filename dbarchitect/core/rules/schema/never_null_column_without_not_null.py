"""
## What it does
Advises on nullable columns that hold no NULL at all in an analyzed table of at least 1,000 rows
(`pg_stats.null_frac = 0`). Statistics come from a sample, so this is advice: confirm before
adding the constraint.

## Why is this bad?
If every row has a value, the column is required in practice but not in the schema: one writer
that forgets it creates the first NULL, and every query (`NOT IN`, `=`, aggregates, joins) must
still allow for NULLs that the data never has. NOT NULL documents the rule, lets the planner
drop NULL handling, and costs nothing.

## Example
```sql
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint);
INSERT INTO orders (customer_id) SELECT 1 + g % 100 FROM generate_series(1, 5000) g;
ANALYZE orders;   -- pg_stats: customer_id is nullable, and 0 % of its values are NULL
```

## Use instead
```sql
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;   -- no write lock while scanning
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;              -- PG 12+: proven by the CHECK, no scan
ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;
```

## References
PostgreSQL docs, `pg_stats.null_frac`; ALTER TABLE notes on SET NOT NULL and validated CHECKs.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, col_obj, qi, qt

RULE = RuleMeta(
    name="never-null-column-without-not-null",
    code="SD027",
    family="schema",
    severity=Severity.advice,
    summary="A nullable column has no NULLs in an analyzed table: it is required in fact, not in the schema.",
)

NEEDS = frozenset({"column_statistics"})
MIN_ROWS = 1_000  # below this the sample is the table, and "no NULL yet" says little about intent


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        rows = t.estimated_rows
        if t.partition_of or rows < MIN_ROWS:
            continue
        for c in t.columns:
            if c.not_null or c.null_frac is None or c.null_frac > 0 or c.generated:
                continue
            check_name = qi(f"{t.name}_{c.name}_not_null")
            out.append(
                RULE.finding(
                    message=(
                        f"{t.qualified}.{c.name} is nullable but no sampled row of {rows:,} is NULL: it is required in "
                        "practice, so NOT NULL would document that and stop the first forgetful writer."
                    ),
                    obj=col_obj(t, c.name),
                    fix="\n".join(
                        [
                            f"ALTER TABLE {qt(t)} ADD CONSTRAINT {check_name} CHECK ({qi(c.name)} IS NOT NULL) NOT VALID;",
                            f"ALTER TABLE {qt(t)} VALIDATE CONSTRAINT {check_name};",
                            f"ALTER TABLE {qt(t)} ALTER COLUMN {qi(c.name)} SET NOT NULL;",
                            f"ALTER TABLE {qt(t)} DROP CONSTRAINT {check_name};",
                        ]
                    ),
                    evidence=[
                        ctx.evidence(
                            f"pg_stats.null_frac = 0 for {t.qualified}.{c.name} over ~{rows:,} rows",
                            null_frac=c.null_frac,
                            rows=rows,
                        )
                    ],
                )
            )
    return out
