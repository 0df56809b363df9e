"""
## What it does
Reports `ALTER COLUMN ... TYPE` changes that PostgreSQL performs without touching the data:
varchar(n) widened or turned into text, numeric precision raised at the same scale, time
precision raised, timestamp -> timestamptz when the session TimeZone is UTC (PostgreSQL 12+).

## Why is this bad?
It is not: no rewrite, no index rebuild (linters that flag these as rewrites are wrong). The
statement still takes a brief ACCESS EXCLUSIVE lock, which queues behind any long transaction on the
table and makes every later query wait behind it, so it should run with a `lock_timeout`.

## Example
```sql
ALTER TABLE users ALTER COLUMN email TYPE varchar(320);  -- was varchar(255)
```

## Use instead
```sql
SET lock_timeout = '3s';
ALTER TABLE users ALTER COLUMN email TYPE varchar(320);
```
"""

from dbarchitect.core.migration.kit import LOCK_TIMEOUT_SQL, describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="alter-column-type-metadata-only",
    code="MG007",
    family="migration",
    severity=Severity.info,
    summary="A binary-coercible ALTER COLUMN TYPE is metadata-only: brief ACCESS EXCLUSIVE, no rewrite.",
)
OPS = {OpKind.ALTER_TYPE}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ALTER_TYPE):
        if op.rewrite or op.detail.views or not mig.preexisting(op.table, stmt):
            continue
        t = sql_rel(op.table, mig.ctx)
        yield finding(
            RULE, stmt, mig, obj=op.table, why=op.detail.reason,
            message=f"ALTER COLUMN {op.column} TYPE {op.detail.new.display} does not rewrite "
            f"{describe(mig, op.table)}: {op.detail.reason}. It holds ACCESS EXCLUSIVE "
            + ("while those indexes are rebuilt (reads and writes wait)" if op.index_rewrite else "only briefly")
            + (f" (on {', '.join(op.detail.fk_tables)} too: its foreign key's triggers are re-created)"
               if op.detail.fk_tables else "")
            + ("." if stmt.lock_timeout else "; without lock_timeout it can still queue every query behind it."),
            fix=None if stmt.lock_timeout else
            f"{LOCK_TIMEOUT_SQL}\nALTER TABLE {t} ALTER COLUMN {ident(op.column)} TYPE {op.detail.new.display};",
        )
