"""
## What it does
Flags columns of type `json`.

## Why is this bad?
`json` keeps the input text verbatim and re-parses it on every access; it has no equality
operator (so no DISTINCT, GROUP BY or UNIQUE on it) and no GIN indexing, and the containment
operators (`@>`, `?`) do not exist for it. `jsonb` is parsed once, indexable and compact to query.
Keep `json` only when the exact text (key order, duplicate keys, whitespace) must be preserved.

## Example
```sql
CREATE TABLE events (payload json NOT NULL);
```

## Use instead
```sql
CREATE TABLE events (payload jsonb NOT NULL);
CREATE INDEX events_payload_idx ON events USING gin (payload jsonb_path_ops);
```

## References
PostgreSQL docs, "JSON Types"; schemalint prefer-jsonb-to-json.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import (
    ReviewContext,
    base_type,
    col_obj,
    columns_where,
    qi,
    type_change_fix,
)

RULE = RuleMeta(
    name="json-instead-of-jsonb",
    code="SD010",
    family="schema",
    severity=Severity.advice,
    summary="A column is json: re-parsed on every read, no equality, no GIN index; jsonb is the default.",
)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t, c in columns_where(snapshot, ctx, lambda c: base_type(c.type) in ("json", "json[]")):
        new = "jsonb[]" if c.type.endswith("[]") else "jsonb"
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified}.{c.name} is {c.type}: it is re-parsed on every access, cannot be compared, "
                    "grouped or GIN-indexed; jsonb does all of that unless the exact input text must be kept."
                ),
                obj=col_obj(t, c.name),
                fix=type_change_fix(snapshot, ctx, t, c, new, f"{qi(c.name)}::{new}"),
                evidence=[ctx.evidence(f"{t.qualified}.{c.name} has type {c.type}", type=c.type)],
            )
        )
    return out
