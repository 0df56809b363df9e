"""
## What it does
Reports statements that change who may see or change data, or what logical replication sends:
`REPLICA IDENTITY`, `ENABLE/DISABLE/FORCE ROW LEVEL SECURITY`, `CREATE/ALTER POLICY`, `GRANT`,
`REVOKE`.

## Why is this bad?
None of them locks for long, but each changes behaviour that tests rarely cover: a different
replica identity changes what subscribers and CDC pipelines receive for UPDATE/DELETE (or makes
them fail); enabling RLS without a matching policy hides every row from non-owners; grants and
revokes open or close access for whole roles.

## Example
```sql
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
```

## Use instead
Review these changes with the owners of the replication and the roles concerned; create policies
in the same migration that enables RLS, and test as a non-owner role. Then record the review:
```sql
-- reviewed with the access owners; tested as a non-owner role
-- dbarchitect:ignore replica-identity-rls-or-grant-change
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
-- dbarchitect:ignore replica-identity-rls-or-grant-change
CREATE POLICY accounts_owner ON accounts USING (owner = current_user);
```
"""

from dbarchitect.core.migration.kit import finding, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="replica-identity-rls-or-grant-change",
    code="MG037",
    family="migration",
    severity=Severity.advice,
    summary="Replica identity, row-level security, policy and grant changes alter replication or access.",
)
OPS = {OpKind.REPLICA_IDENTITY, OpKind.ROW_SECURITY, OpKind.POLICY, OpKind.GRANT}
_WHAT = {
    OpKind.REPLICA_IDENTITY: "changes what logical replication and CDC receive for UPDATE and DELETE",
    OpKind.ROW_SECURITY: "changes which rows non-owner roles see; without a policy they see none",
    OpKind.POLICY: "changes which rows each role may read or write",
    OpKind.GRANT: "changes which roles may access the objects",
}


def check(stmt, mig):
    for op in stmt.ops_of(*OPS):
        if op.table and not mig.preexisting(op.table, stmt):
            continue
        subject = short(op.table, mig.ctx) if op.table else "the objects"
        yield finding(
            RULE, stmt, mig, obj=op.table, why=_WHAT[op.kind],
            message=f"This statement {_WHAT[op.kind]} on {subject}: review it with the replication and access owners.",
            fix="-- review; test as the affected roles / against the subscribers before deploying",
        )
