"""A non-superuser role holds BYPASSRLS or CREATEROLE.

## What it does
Flags roles (not superusers) with `rolbypassrls` or `rolcreaterole`.

## Why is this bad?
BYPASSRLS ignores every row-level policy: an application role with it reads all tenants. CREATEROLE
can create roles and (before PG 16) grant itself membership in almost any role, close to superuser.

## Example
```sql
CREATE ROLE api LOGIN BYPASSRLS;
```

## Use instead
```sql
ALTER ROLE api NOBYPASSRLS NOCREATEROLE;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qi
from dbarchitect.core.security.facts import SecurityFacts

RULE = RuleMeta(
    name="privileged-role",
    code="SC012",
    family="security",
    severity=Severity.advice,
    summary="A role holds BYPASSRLS or CREATEROLE.",
)


def check(facts: SecurityFacts):
    for r in facts.roles:
        if r.superuser or not (r.bypassrls or r.createrole):
            continue
        attrs = [a for a, on in (("BYPASSRLS", r.bypassrls), ("CREATEROLE", r.createrole)) if on]
        yield RULE.finding(
            severity=Severity.warning if r.bypassrls and r.login else Severity.advice, obj=r.name,
            message=(f"Role {r.name} holds {' and '.join(attrs)}"
                     + (": it ignores every row-level security policy" if r.bypassrls else "")
                     + (("; it" if r.bypassrls else ": it") + " can create roles and manage their memberships" if r.createrole else "")
                     + "."),
            fix=f"ALTER ROLE {qi(r.name)} {' '.join('NO' + a for a in attrs)};  -- immediate, for new sessions",
            evidence=[catalog(f"pg_roles of {r.name}", bypassrls=r.bypassrls, createrole=r.createrole, login=r.login)],
        )
