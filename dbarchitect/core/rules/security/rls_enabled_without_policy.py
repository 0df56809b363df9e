"""Row-level security is enabled on a table that has no policy.

## What it does
Flags tables with `relrowsecurity` and no row in `pg_policy`.

## Why is this bad?
With RLS on and no policy, the default is deny: every role except the owner (and BYPASSRLS roles)
sees no rows and cannot write any — usually a half-finished migration that breaks the application,
or that the owner role "works" only because it bypasses RLS.

## Example
```sql
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;  -- and no CREATE POLICY
```

## Use instead
```sql
CREATE POLICY invoices_tenant_isolation ON invoices
    USING (tenant_id = current_setting('app.tenant_id', true)::bigint);
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qname
from dbarchitect.core.security.facts import SecurityFacts
from dbarchitect.core.security.rls import tenant_policy_sql

RULE = RuleMeta(
    name="rls-enabled-without-policy",
    code="SC001",
    family="security",
    severity=Severity.warning,
    summary="RLS is enabled on a table without any policy: everyone but the owner sees nothing.",
)


def check(facts: SecurityFacts):
    for t in facts.tables:
        if not t.rls or t.policies:
            continue
        tenant = t.tenant_column()
        fix = (tenant_policy_sql(t.schema_name, t.name, tenant.name, tenant.type).split("\n", 2)[2] if tenant else
               f"CREATE POLICY {t.name}_read ON {qname(t.schema_name, t.name)} FOR SELECT USING (<condition>);"
               f"\n-- or, if RLS was not meant: ALTER TABLE {qname(t.schema_name, t.name)} DISABLE ROW LEVEL SECURITY;")
        yield RULE.finding(
            obj=t.qualified,
            message=(f"{t.qualified} has row-level security enabled and no policy: every role but its owner {t.owner} "
                     "(and BYPASSRLS roles) sees no rows and can write none."),
            fix=fix + "\n-- CREATE POLICY takes an ACCESS EXCLUSIVE lock briefly; catalog only",
            evidence=[catalog(f"pg_class.relrowsecurity of {t.qualified} with no pg_policy rows", rls=True, policies=0,
                              owner=t.owner)],
        )
