"""
## What it does
Flags `ALTER DOMAIN ... ADD CONSTRAINT` without `NOT VALID`, and `CREATE DOMAIN` with CHECK
constraints.

## Why is this bad?
Adding a constraint to a domain validates every column of every table that uses the domain, each
table scanned while locked against writes, and the statement gives no hint of how many tables that
is. Domain checks are also hard to change later, since every use inherits them.

## Example
```sql
ALTER DOMAIN email ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');
```

## Use instead
```sql
ALTER DOMAIN email ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%') NOT VALID;
-- separate transaction:
ALTER DOMAIN email VALIDATE CONSTRAINT email_has_at;
```
Or put the CHECK on the table columns themselves, where NOT VALID + VALIDATE works per table.
"""

from dbarchitect.core.migration.kit import finding
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="domain-check-constraint",
    code="MG033",
    family="migration",
    severity=Severity.warning,
    summary="Domain constraints validate every column using the domain.",
)
OPS = {OpKind.CREATE_DOMAIN, OpKind.ALTER_DOMAIN_ADD_CONSTRAINT}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ALTER_DOMAIN_ADD_CONSTRAINT):
        if op.not_valid:
            continue
        yield finding(
            RULE, stmt, mig, obj=op.name, why="adding a domain constraint checks every column of that domain",
            message=f"ALTER DOMAIN {op.name} ADD CONSTRAINT scans every table column of type {op.name}, blocking "
            "writes to each of those tables while it checks.",
            fix=f"{stmt.sql} NOT VALID;\n-- separate transaction:\nALTER DOMAIN {op.name} VALIDATE CONSTRAINT <name>;",
        )
    for op in stmt.ops_of(OpKind.CREATE_DOMAIN):
        if not op.detail.checks:
            continue
        yield finding(
            RULE, stmt, mig, obj=op.name, severity=Severity.advice,
            why="domain checks are inherited by every column of the domain",
            message=f"CREATE DOMAIN {op.name} with a CHECK: changing that rule later validates every column that "
            "uses the domain at once.",
            fix="-- prefer a plain base type with a CHECK constraint on each table column",
        )
