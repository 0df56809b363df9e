"""Every role may create objects in schema `public`.

## What it does
Flags a `public` schema whose ACL grants CREATE to PUBLIC — the default before PostgreSQL 15, and
kept by databases upgraded from older versions.

## Why is this bad?
Any role can create functions, operators or tables in `public`, which is on everyone's
search_path: it can shadow names other roles (and SECURITY DEFINER functions) resolve (CVE-2018-1058).

## Example
```
nspacl of public: {=UC/postgres}
```

## Use instead
```sql
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog
from dbarchitect.core.security.facts import SecurityFacts

RULE = RuleMeta(
    name="public-schema-create",
    code="SC009",
    family="security",
    severity=Severity.warning,
    summary="PUBLIC may CREATE in schema public (the pre-15 default).",
)


def check(facts: SecurityFacts):
    if not facts.public_schema_create:
        return
    yield RULE.finding(
        obj="public",
        message=("Every role may create objects in schema public, which is on every search_path: any role can shadow "
                 "the functions and tables others resolve by name (CVE-2018-1058)."),
        fix="REVOKE CREATE ON SCHEMA public FROM PUBLIC;  -- catalog only; grant CREATE to the migration role if it needs it",
        evidence=[catalog("pg_namespace.nspacl of public grants CREATE to PUBLIC", version_num=facts.version_num)],
    )
