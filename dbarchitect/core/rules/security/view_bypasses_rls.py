"""A view over an RLS-protected table runs with its owner's rights and bypasses the policies.

## What it does
On PostgreSQL 15+, flags views without `security_invoker = true` that read a table with row-level
security enabled.

## Why is this bad?
A view checks permissions and policies as its owner, not as the querying role. Owned by the table's
owner (or a superuser), the view returns every tenant's rows to anyone allowed to select from it.

## Example
```sql
CREATE VIEW open_invoices AS SELECT * FROM invoices WHERE paid_at IS NULL;  -- invoices has RLS
```

## Use instead
```sql
ALTER VIEW open_invoices SET (security_invoker = true);  -- PG 15+
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qname
from dbarchitect.core.security.facts import SecurityFacts

RULE = RuleMeta(
    name="view-bypasses-rls",
    code="SC005",
    family="security",
    severity=Severity.error,
    summary="A view over an RLS-protected table runs as its owner, bypassing the policies.",
)


def check(facts: SecurityFacts):
    for v in facts.views:
        if v.security_invoker:
            continue
        protected = [q for q in v.tables if (t := facts.table(q)) is not None and t.rls]
        if not protected:
            continue
        fix = (f"ALTER VIEW {qname(v.schema_name, v.name)} SET (security_invoker = true);  -- catalog only, brief lock"
               if facts.version_num >= 150000 else
               f"-- PG < 15 has no security_invoker: REVOKE SELECT ON {qname(v.schema_name, v.name)} FROM PUBLIC, or rewrite "
               "it as a SECURITY INVOKER function")
        yield RULE.finding(
            obj=v.qualified,
            message=(f"View {v.qualified} reads {', '.join(protected)} (row-level security on) as its owner {v.owner}: "
                     "the policies are checked for the owner, so the view can return every tenant's rows."),
            fix=fix,
            evidence=[catalog(f"pg_class.reloptions of {v.qualified} lacks security_invoker", owner=v.owner,
                              rls_tables=protected)],
        )
