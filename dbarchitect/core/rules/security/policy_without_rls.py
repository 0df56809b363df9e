"""Policies exist on a table whose row-level security is not enabled.

## What it does
Flags tables with rows in `pg_policy` but `relrowsecurity = false`.

## Why is this bad?
Policies do nothing until RLS is enabled: the table looks protected in a review of its policies
while every role with SELECT reads every tenant's rows.

## Example
```sql
CREATE POLICY tenant_isolation ON invoices USING (tenant_id = current_setting('app.tenant_id')::int);
-- ALTER TABLE invoices ENABLE ROW LEVEL SECURITY was forgotten
```

## Use instead
```sql
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qname
from dbarchitect.core.security.facts import SecurityFacts

RULE = RuleMeta(
    name="policy-without-rls",
    code="SC002",
    family="security",
    severity=Severity.error,
    summary="A table has RLS policies but row-level security is not enabled, so they do nothing.",
)


def check(facts: SecurityFacts):
    for t in facts.tables:
        if t.rls or not t.policies:
            continue
        names = ", ".join(p.name for p in t.policies)
        yield RULE.finding(
            obj=t.qualified,
            message=(f"{t.qualified} has {len(t.policies)} polic{'y' if len(t.policies) == 1 else 'ies'} ({names}) but row-level "
                     "security is disabled: the policies are ignored and every role with SELECT reads all rows."),
            fix=(f"ALTER TABLE {qname(t.schema_name, t.name)} ENABLE ROW LEVEL SECURITY;  -- ACCESS EXCLUSIVE lock, brief, "
                 "catalog only; test the application's role first (rows outside the policies disappear)"),
            evidence=[catalog(f"pg_policy rows on {t.qualified}, relrowsecurity = false", policies=[p.name for p in t.policies],
                              rls=False)],
        )
