"""A sequence (serial or identity column) has used most of the values its type can hold.

## What it does
For each sequence: `last_value` against the smaller of the sequence's own maximum and the maximum of
the column it feeds (int2: 32,767; int4: 2,147,483,647). Flags 50 % used (advice), 75 % (warning),
90 % (error), with the column's `ALTER … TYPE bigint` path and what it costs on that table.

## Why is this bad?
When the sequence reaches its end every INSERT fails (`nextval: reached maximum value` or
`integer out of range`), and widening a big int4 key then means rewriting the table under an
ACCESS EXCLUSIVE lock at the worst possible time.

## Example
```sql
CREATE TABLE orders (id serial PRIMARY KEY);  -- int4: 2,147,483,647 values
-- last_value = 2,000,000,000 → 93 % used
```

## Use instead
```sql
ALTER SEQUENCE orders_id_seq AS bigint;        -- instant
ALTER TABLE orders ALTER COLUMN id TYPE bigint; -- rewrites the table and its indexes, ACCESS EXCLUSIVE
```
On a big table: add a bigint column, backfill in batches, swap in one short transaction.

## References
postgres-mcp sequence check; pganalyze "Sequence running out of IDs".
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qi, size

RULE = RuleMeta(
    name="sequence-near-exhaustion",
    code="HL002",
    family="health",
    severity=Severity.warning,
    summary="A sequence or its int2/int4 column is close to its largest value.",
)
CHECK = "sequences"
TYPE_MAX = {"smallint": 32_767, "int2": 32_767, "integer": 2_147_483_647, "int4": 2_147_483_647,
            "bigint": 9_223_372_036_854_775_807, "int8": 9_223_372_036_854_775_807}
BIG_TABLE_BYTES = 1 << 30


def check(facts: HealthFacts):
    for s in facts.sequences:
        if s.last_value is None or s.increment <= 0:
            continue
        limit = s.max_value
        column_max = TYPE_MAX.get((s.column_type or "").lower())
        bound_by = f"the sequence's maximum ({s.data_type})"
        if column_max is not None and column_max < limit:
            limit, bound_by = column_max, f"column {s.column}'s type {s.column_type}"
        used = s.last_value / limit if limit > 0 else 0
        if used < 0.5:
            continue
        sev = Severity.error if used >= 0.9 else Severity.warning if used >= 0.75 else Severity.advice
        left = limit - s.last_value
        fixes = []
        if s.data_type in ("smallint", "integer"):
            fixes.append(f"ALTER SEQUENCE {s.qualified} AS bigint;  -- instant, catalog only")
        if s.column and s.column_type in ("smallint", "integer"):
            schema, table, column = s.column.split(".", 2)
            big = (s.table_bytes or 0) >= BIG_TABLE_BYTES
            fixes.append(
                f"ALTER TABLE {qi(schema)}.{qi(table)} ALTER COLUMN {qi(column)} TYPE bigint;  -- rewrites the table "
                f"({size(s.table_bytes)}) and its indexes under ACCESS EXCLUSIVE, plus every referencing FK column"
                + ("; on this size: add a bigint column, backfill in batches, swap in one short transaction" if big else "")
            )
        elif s.data_type != "bigint":
            fixes.append(f"ALTER SEQUENCE {s.qualified} MAXVALUE 9223372036854775807;")
        yield RULE.finding(
            severity=sev, obj=s.column or s.qualified,
            message=(f"Sequence {s.qualified} is at {s.last_value:,} of {limit:,} ({used:.1%} used, {left:,} values left), "
                     f"bounded by {bound_by}; inserts fail when it runs out."),
            fix="\n".join(fixes) or None,
            evidence=[catalog(f"pg_sequences.last_value of {s.qualified}", last_value=s.last_value, limit=limit,
                              sequence_type=s.data_type, column=s.column, column_type=s.column_type,
                              percent_used=round(used * 100, 2), table_bytes=s.table_bytes)],
        )
