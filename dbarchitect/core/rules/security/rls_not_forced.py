"""RLS is enabled but not forced, so the table's owner bypasses the policies.

## What it does
Flags tables with row-level security enabled and policies, but without `FORCE ROW LEVEL SECURITY`.

## Why is this bad?
Policies do not apply to the table's owner unless RLS is forced. Applications often connect as the
role that owns the tables (it ran the migrations): then every policy is silently skipped.

## Example
```sql
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;  -- the app connects as the owner: sees all tenants
```

## Use instead
```sql
ALTER TABLE invoices FORCE ROW LEVEL SECURITY;
```
or connect the application as a role that does not own the tables.
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qname
from dbarchitect.core.security.facts import SecurityFacts

RULE = RuleMeta(
    name="rls-not-forced",
    code="SC003",
    family="security",
    severity=Severity.advice,
    summary="RLS is enabled without FORCE: the table owner bypasses the policies.",
)


def check(facts: SecurityFacts):
    for t in facts.tables:
        if not t.rls or t.force_rls or not t.policies:
            continue
        yield RULE.finding(
            obj=t.qualified,
            message=(f"{t.qualified} enforces its policies on every role except its owner {t.owner}: if the application "
                     "connects as the owner, no policy applies."),
            fix=f"ALTER TABLE {qname(t.schema_name, t.name)} FORCE ROW LEVEL SECURITY;  -- ACCESS EXCLUSIVE lock, brief, catalog only",
            evidence=[catalog(f"pg_class.relforcerowsecurity of {t.qualified} is false", owner=t.owner, rls=True, forced=False)],
        )
