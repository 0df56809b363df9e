"""A multi-tenant table has no row-level security while its sibling tables do.

## What it does
When some tables with a tenant column (`tenant_id`, `org_id`, `account_id`, …) have RLS enabled,
flags the tables with the same kind of column that do not. The fix is a complete tenant-isolation
policy on the `current_setting('app.tenant_id')` pattern; review_security verifies it on a scratch
copy of the table (schema only): a role sees its tenant's rows and no other tenant's.

## Why is this bad?
Tenant isolation is only as strong as its weakest table: one query without the tenant filter on an
unprotected table leaks every tenant's data.

## Example
```sql
-- invoices has RLS on tenant_id; invoice_lines (also tenant_id) has none
```

## Use instead
```sql
ALTER TABLE invoice_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY invoice_lines_tenant_isolation ON invoice_lines
    USING (tenant_id = current_setting('app.tenant_id', true)::bigint)
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true)::bigint);
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog
from dbarchitect.core.security.facts import SecurityFacts
from dbarchitect.core.security.rls import tenant_policy_sql

RULE = RuleMeta(
    name="tenant-table-without-rls",
    code="SC004",
    family="security",
    severity=Severity.warning,
    summary="A table with a tenant column lacks the RLS its sibling tenant tables have.",
)


def check(facts: SecurityFacts):
    tenant_tables = [t for t in facts.tables if t.tenant_column() is not None]
    protected = [t.qualified for t in tenant_tables if t.rls and t.policies]
    if not protected:
        return
    for t in tenant_tables:
        if t.rls:
            continue
        col = t.tenant_column()
        yield RULE.finding(
            obj=t.qualified,
            message=(f"{t.qualified} holds per-tenant rows ({col.name} {col.type}) without row-level security, while "
                     f"{', '.join(protected[:3])} {'is' if len(protected) == 1 else 'are'} protected: a query that forgets the "
                     "tenant filter here reads every tenant's rows."),
            fix=tenant_policy_sql(t.schema_name, t.name, col.name, col.type),
            evidence=[catalog(f"{t.qualified}.{col.name} and relrowsecurity = false", tenant_column=col.name,
                              column_type=col.type, protected_siblings=protected)],
        )
