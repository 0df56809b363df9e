"""
## What it does
Flags `integer` and `smallint` columns fed by a sequence (serial, identity or a nextval()
default): how much of the column type's range the sequence has used, from `pg_sequences`.
Error from 75 % used, warning from 50 %, advice below that (the 2.1 billion ceiling of an int4
key is still a design choice worth revisiting while the table is small).

## Why is this bad?
When the sequence passes 2,147,483,647 (int4) or 32,767 (int2) every INSERT fails with
"integer out of range" (or "reached maximum value of sequence"): an outage with no quick fix,
because widening the key to bigint rewrites the table and every referencing table under an
ACCESS EXCLUSIVE lock. Rows deleted do not give numbers back; a busy queue table can burn through
int4 in months.

## Example
```sql
CREATE TABLE events (id serial PRIMARY KEY, payload jsonb);
SELECT setval('events_id_seq', 1900000000);   -- 88 % of the integer range used
```

## Use instead
```sql
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb);
```
For a table already near the ceiling: add a bigint column, backfill it in batches, and swap it
in during a short lock, or widen the key in a maintenance window.

## References
pghero and pg-mcp sequence checks (> 90 %); postgres-checkup L003 (> 10 %); squawk
prefer-bigint-over-int.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import (
    INT_MAX,
    SMALL_REWRITE_BYTES,
    ReviewContext,
    col_obj,
    default_sequence,
    nextval_default,
    qi,
    qname,
    qt,
    rewrite_bytes,
    rewrite_cost,
    rewrite_note,
)

RULE = RuleMeta(
    name="int4-key-sequence-exhaustion",
    code="SD009",
    family="schema",
    severity=Severity.warning,
    summary="An int4/int2 column fed by a sequence will run out of numbers: percent used, from pg_sequences.",
)

ERROR_PERCENT = 75.0  # pghero/pg-mcp alert at 90 %; widening takes days of planning, so earlier
WARNING_PERCENT = 50.0


def _cost_note(snapshot: SchemaSnapshot, ctx: ReviewContext, t, c) -> str:
    """What the widening costs: the key's table and every table referencing it are rewritten."""
    if ctx.source != "live":
        return rewrite_note(t)
    tables = [t, *(child for child, fk in snapshot.referencing(t) if fk.references and c.name in fk.references.columns)]
    size = sum(rewrite_bytes(snapshot, x) for x in {x.qualified: x for x in tables}.values())
    if size < SMALL_REWRITE_BYTES:
        return f"-- {rewrite_cost(size)}: small enough to run directly"
    return (f"-- {rewrite_cost(size)}; a key column has no expand/contract here (its primary key index and foreign "
            "keys move with it): run it in a maintenance window")


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if t.partition_of:
            continue
        for c in t.columns:
            if c.type not in ("integer", "smallint") or not (c.identity or nextval_default(c)):
                continue
            seq = default_sequence(snapshot, t, c)
            limit = INT_MAX[c.type]
            if seq is not None:
                limit = min(limit, seq.max_value) if seq.increment > 0 else limit
            last = seq.last_value if seq is not None else None
            percent = 100.0 * last / limit if last is not None and limit > 0 else None
            if percent is not None and percent >= ERROR_PERCENT:
                severity = Severity.error
            elif percent is not None and percent >= WARNING_PERCENT:
                severity = Severity.warning
            else:
                severity = Severity.advice
            used = (
                f"{percent:.1f} % used ({last:,} of {limit:,})"
                if percent is not None
                else f"ceiling {limit:,}; the sequence has not been used yet"
                if seq is not None
                else f"ceiling {limit:,}"
            )
            lines = [_cost_note(snapshot, ctx, t, c), f"ALTER TABLE {qt(t)} ALTER COLUMN {qi(c.name)} TYPE bigint;"]
            if seq is not None:
                lines.append(f"ALTER SEQUENCE {qname(seq.schema_name, seq.name)} AS bigint;")
            for child, fk in snapshot.referencing(t):
                if fk.references and c.name in fk.references.columns:
                    child_col = fk.columns[fk.references.columns.index(c.name)]
                    lines.append(f"ALTER TABLE {qt(child)} ALTER COLUMN {qi(child_col)} TYPE bigint;")
            out.append(
                RULE.finding(
                    message=(
                        f"{t.qualified}.{c.name} is {c.type} fed by a sequence: {used}. Past the ceiling every INSERT "
                        "fails, and widening the key then rewrites this table and every table referencing it."
                    ),
                    obj=col_obj(t, c.name),
                    fix="\n".join(lines),
                    evidence=[
                        ctx.evidence(
                            f"sequence {seq.qualified if seq else '(unknown)'} last_value {last} against the "
                            f"{c.type} limit {limit}",
                            sequence=seq.qualified if seq else None,
                            last_value=last,
                            limit=limit,
                            percent_used=round(percent, 2) if percent is not None else None,
                        )
                    ],
                    severity=severity,
                )
            )
    return out
