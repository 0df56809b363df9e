"""A superuser role besides the bootstrap superuser.

## What it does
Flags roles with `rolsuper` other than the bootstrap role (OID 10, usually `postgres`).

## Why is this bad?
A superuser bypasses every permission check and RLS, can read and write files on the server and run
programs as the server's OS user. Applications and people rarely need it; each one is a way in.

## Example
```sql
CREATE ROLE app LOGIN SUPERUSER PASSWORD '...';
```

## Use instead
```sql
ALTER ROLE app NOSUPERUSER;  -- then grant only what it uses
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qi
from dbarchitect.core.security.facts import SecurityFacts

RULE = RuleMeta(
    name="extra-superuser",
    code="SC011",
    family="security",
    severity=Severity.warning,
    summary="A role other than the bootstrap superuser is a superuser.",
)


def check(facts: SecurityFacts):
    for r in facts.roles:
        if not r.superuser or r.bootstrap:
            continue
        yield RULE.finding(
            obj=r.name,
            message=(f"Role {r.name} is a superuser{' and can log in' if r.login else ''}: it bypasses every permission, "
                     "RLS policy, and can run programs on the server."),
            fix=f"ALTER ROLE {qi(r.name)} NOSUPERUSER;  -- immediate; grant the specific privileges it uses instead",
            evidence=[catalog(f"pg_roles.rolsuper of {r.name}", superuser=True, login=r.login)],
        )
