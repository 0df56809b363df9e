"""
## What it does
Flags indexes marked invalid (`pg_index.indisvalid = false`), usually left by a `CREATE INDEX
CONCURRENTLY` or `REINDEX CONCURRENTLY` that failed or was cancelled.

## Why is this bad?
An invalid index serves no query, yet it is still maintained on every write (when it is ready)
and takes space. A failed unique build also means the uniqueness is not enforced.

## Example
```sql
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);  -- failed on a duplicate
```

## Use instead
```sql
DROP INDEX CONCURRENTLY users_email_key;
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);  -- after fixing the cause
```

## References
pghero invalid indexes; postgres-checkup H001; PostgreSQL docs, CREATE INDEX "Building Indexes Concurrently".
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.index._common import IndexContext, drop_sql, recreate_sql
from dbarchitect.core.units import human_bytes
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="invalid-index",
    code="IX004",
    family="index",
    severity=Severity.warning,
    summary="An index left invalid by a failed concurrent build: no query uses it, writes may still pay for it.",
)


def check(snapshot: SchemaSnapshot, ctx: IndexContext) -> list[Finding]:
    out = []
    for t in ctx.tables:
        for i in t.indexes:
            if i.valid:
                continue
            upkeep = "still maintained on every write" if i.ready else "not even maintained"
            out.append(
                RULE.finding(
                    message=(f"Index {i.name} on {t.qualified} is INVALID: no query can use it, it is {upkeep}, "
                             f"and it takes {human_bytes(i.size_bytes)}"
                             + (", and the uniqueness it should enforce is not enforced." if i.unique else ".")),  # fmt: skip
                    obj=f"{t.schema_name}.{i.name}",
                    fix=f"{drop_sql(t, i)}\n{recreate_sql(t, i)}  -- rebuild after fixing what made the build fail",
                    evidence=[ctx.evidence(f"pg_index.indisvalid = false for {i.name}", index=i.name, ready=i.ready,
                                           definition=i.definition)],  # fmt: skip
                )
            )
    return out
