"""
## What it does
Advises on tables with an `updated_at`-style column (`updated_at`, `modified_at`, `updated_on`,
`last_modified`, ...) and no enabled row-level BEFORE UPDATE trigger that sets it. When the
trigger function's body is known it must name the column (a full-text-search trigger does not
count); otherwise the function's name must say so.

## Why is this bad?
The column then says when the row changed only if every writer remembers to set it: an ad-hoc
UPDATE from psql, a bulk backfill, a second service written in another language all leave it
stale, and whatever relies on it (incremental exports, cache invalidation, "recently changed"
screens) silently misses rows. A trigger makes the database keep the promise the column name
makes. An ORM that always sets it is a weaker guarantee; this rule is advice for that reason.

## Example
```sql
CREATE TABLE posts (id bigint PRIMARY KEY, title text NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now());
```

## Use instead
```sql
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

CREATE TRIGGER posts_set_updated_at BEFORE UPDATE ON posts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
```

## References
PostgreSQL docs, "Trigger Functions" (PL/pgSQL); the seed schema's `update_updated_at_column`.
"""

from __future__ import annotations

import re

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import (
    TIMESTAMP_TYPES,
    ReviewContext,
    base_type,
    col_obj,
    qi,
    qname,
    qt,
)

RULE = RuleMeta(
    name="updated-at-without-trigger",
    code="SD014",
    family="schema",
    severity=Severity.advice,
    summary="An updated_at column has no BEFORE UPDATE trigger: it is only as fresh as every writer's memory.",
)

UPDATED_NAMES = ("updated_at", "modified_at", "updated_on", "modified_on", "last_modified", "last_updated",
                 "last_modified_at", "last_updated_at", "changed_at")  # fmt: skip


NAME_HINTS = ("updated", "modified", "timestamp", "touch", "moddatetime", "changed")


def sets_column(trigger, column: str, sources: dict[str, str]) -> bool:
    """Whether a trigger maintains the column: its function's body names it when the body is known,
    else the function's or the trigger's name says so."""
    body = sources.get(trigger.function)
    if body is not None:
        return re.search(rf"(?<![\w$]){re.escape(column)}(?![\w$])", body, re.IGNORECASE) is not None
    names = f"{trigger.function} {trigger.name}".lower()
    return column.lower() in names or any(h in names for h in NAME_HINTS)


def has_update_trigger(table, column: str, sources: dict[str, str]) -> bool:
    return any(
        tr.enabled and tr.level == "row" and tr.timing == "BEFORE" and "UPDATE" in tr.events
        and sets_column(tr, column, sources)
        for tr in table.triggers
    )  # fmt: skip


def trigger_sql(table, column: str, schema_functions: set[str]) -> str:
    fn_name = "set_updated_at" if column == "updated_at" else f"set_{column}"
    fn = qname(table.schema_name, fn_name)
    lines = []
    if f"{table.schema_name}.{fn_name}" not in schema_functions:
        lines += [
            f"CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql",
            "SET search_path = pg_catalog AS $$",
            "BEGIN",
            f"    NEW.{qi(column)} := now();",
            "    RETURN NEW;",
            "END $$;",
        ]
    lines += [
        f"CREATE TRIGGER {qi(f'{table.name}_set_{column}')} BEFORE UPDATE ON {qt(table)}",
        f"    FOR EACH ROW EXECUTE FUNCTION {fn}();",
    ]
    return "\n".join(lines)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    functions = {f"{f.schema_name}.{f.name}" for f in snapshot.functions}
    for t in ctx.tables(snapshot):
        if t.partition_of:
            continue
        col = next(
            (c for c in t.columns if c.name.lower() in UPDATED_NAMES and base_type(c.type) in TIMESTAMP_TYPES), None
        )
        if col is None or col.generated or has_update_trigger(t, col.name, ctx.function_sources):
            continue
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified}.{col.name} has no BEFORE UPDATE trigger: it changes only when the writer sets it, so "
                    "ad-hoc UPDATEs, backfills and other services leave it stale for whatever relies on it."
                ),
                obj=col_obj(t, col.name),
                fix=trigger_sql(t, col.name, functions),
                evidence=[
                    ctx.evidence(
                        f"no enabled row-level BEFORE UPDATE trigger on {t.qualified} sets {col.name}",
                        triggers=[tr.name for tr in t.triggers],
                    )
                ],
            )
        )
    return out
