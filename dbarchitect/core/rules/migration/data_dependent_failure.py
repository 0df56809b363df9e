"""
## What it does
With a live connection, counts the existing rows that make a statement fail: duplicates under a new
unique index, UNIQUE or PRIMARY KEY (also CONCURRENTLY), orphan rows under a foreign key being added
or validated, rows that violate a CHECK being added or validated, NULLs under SET NOT NULL. Each count
is a read-only query bounded by statement_timeout; the finding gives the count and a sample key.
`ALTER DOMAIN ... VALIDATE CONSTRAINT` is checked against every column of the domain's type. Also:
an inline CHECK on a column added with a DEFAULT (every row gets that value), `INSERT ... VALUES` of a key
that is already there, `ATTACH PARTITION` of a table with rows outside the bounds, and a new partition
whose bounds overlap an existing one (compared by the server in the key's type).

## Why is this bad?
PostgreSQL rejects these statements only because of the data: the migration passes review and CI on
an empty database, then fails in production, after holding its lock for the whole scan. A failed
`CREATE UNIQUE INDEX CONCURRENTLY` also leaves an INVALID index behind that every write maintains.

## Example
```sql
CREATE UNIQUE INDEX orders_code_key ON orders (code);  -- orders holds two rows with code 'A-1'
```

## Use instead
```sql
DELETE FROM orders o USING orders d WHERE o.code = d.code AND o.id > d.id;  -- fix the data first
CREATE UNIQUE INDEX orders_code_key ON orders (code);
```
Without a connection the rows cannot be checked: the statement's prediction says so.
"""

from dbarchitect.core.migration.kit import describe, finding
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="data-dependent-failure",
    code="MG050",
    family="migration",
    severity=Severity.error,
    summary="Existing rows make the statement fail (duplicates, orphans, CHECK or NOT NULL violations).",
)
OPS = {OpKind.CREATE_INDEX, OpKind.ADD_CONSTRAINT, OpKind.VALIDATE_CONSTRAINT, OpKind.SET_NOT_NULL,
       OpKind.ALTER_DOMAIN_VALIDATE, OpKind.ALTER_DOMAIN_ADD_CONSTRAINT, OpKind.ALTER_TYPE, OpKind.INSERT,
       OpKind.ATTACH_PARTITION, OpKind.CREATE_PARTITION}

_FIX = {
    "duplicates": "-- remove or merge the duplicates first, e.g.\n"
                  "SELECT {cols}, count(*) FROM {table} GROUP BY {cols} HAVING count(*) > 1;",
    "orphans": "-- delete, repoint or NULL the orphan rows first (or keep the key NOT VALID until they are fixed)",
    "check": "-- fix the violating rows first (or keep the constraint NOT VALID until they are fixed)",
    "not_null": "UPDATE {table} SET {col} = <value> WHERE {col} IS NULL;  -- in batches, before SET NOT NULL",
    "domain": "-- fix the values that violate the domain's constraint first (every column of that type)",
    "conversion": "-- fix (or NULL) the values that do not convert first, or give USING an expression that "
                  "converts every one of them",
    "bounds": "-- move the rows outside the bounds elsewhere first (or attach with bounds that hold them)",
    "overlap": "-- pick bounds no existing partition covers (\\d+ {table} lists them)",
    "existing_keys": "-- skip the rows whose key is there already:\nINSERT INTO {table} ... ON CONFLICT DO NOTHING;",
}


def check(stmt, mig):
    for probe in mig.ctx.probes:
        if probe.statement != stmt.index or probe.status != "violations":
            continue
        concurrent = any(o.concurrent for o in stmt.ops_of(OpKind.CREATE_INDEX))
        left = " and leaves an INVALID index behind that every write still maintains (DROP INDEX CONCURRENTLY it)" \
            if concurrent else ""
        what = {"duplicates": "duplicate keys", "orphans": "orphan rows", "check": "violating rows",
                "not_null": "NULL rows", "domain": "violating values",
                "conversion": "or more values that do not convert", "existing_keys": "existing rows",
                "overlap": "overlapping partitions", "bounds": "rows outside the bounds"}[probe.kind]
        cols = probe.what.split("(", 1)[1].split(")", 1)[0] if "(" in probe.what else "..."
        if probe.kind == "duplicates" and ") in " in probe.what:  # "duplicate (lower(code)) in t ...": expressions
            cols = probe.what.split("(", 1)[1].split(") in ", 1)[0]
        op = next((o for o in stmt.ops if o.table == probe.table), None)
        yield finding(
            RULE, stmt, mig, obj=probe.table, why="existing rows decide whether PostgreSQL accepts the statement",
            message=f"Fails on the existing data of {describe(mig, probe.table)}: {probe.violations} {what} "
            f"({probe.what}), e.g. {probe.sample}. PostgreSQL rejects the statement{left}.",
            fix=_FIX[probe.kind].format(cols=cols, table=probe.table, col=(op.column if op else None) or "<column>"),
            evidence=[Evidence(kind="execution", detail=f"read-only probe: {probe.violations} {what}, e.g. "
                               f"{probe.sample} ({probe.elapsed_ms:.0f} ms)",
                               data={"query": probe.detail, "violations": probe.violations, "sample": probe.sample})],
        )
