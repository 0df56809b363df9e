"""A SECURITY DEFINER function without a pinned `search_path`.

## What it does
Flags functions with `prosecdef` whose `proconfig` does not set `search_path`.

## Why is this bad?
The function runs with its owner's privileges but resolves unqualified names through the caller's
`search_path`: a caller who can create objects in any schema on that path (or a temporary schema)
can plant a function or operator the definer then runs — privilege escalation.

## Example
```sql
CREATE FUNCTION reset_password(uid int) RETURNS void SECURITY DEFINER LANGUAGE sql
AS $$ UPDATE users SET password_hash = NULL WHERE id = uid $$;
```

## Use instead
```sql
ALTER FUNCTION reset_password(int) SET search_path = pg_catalog, public;  -- and pg_temp last
```

## References
PostgreSQL docs, CREATE FUNCTION "Writing SECURITY DEFINER Functions Safely"; Supabase splinter 0011.
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qi
from dbarchitect.core.security.facts import SecurityFacts

RULE = RuleMeta(
    name="security-definer-mutable-search-path",
    code="SC006",
    family="security",
    severity=Severity.warning,
    summary="A SECURITY DEFINER function does not pin its search_path.",
)


def check(facts: SecurityFacts):
    for f in facts.functions:
        if not f.security_definer or any(c.startswith("search_path=") for c in f.config):
            continue
        yield RULE.finding(
            severity=Severity.error if f.owner_superuser else Severity.warning, obj=f.signature,
            message=(f"SECURITY DEFINER function {f.signature} runs as {f.owner}"
                     f"{' (a superuser)' if f.owner_superuser else ''} but resolves names through the caller's search_path: "
                     "a caller who can create objects on that path can make it run their code."),
            fix=(f"ALTER FUNCTION {f.signature} SET search_path = pg_catalog, {qi(f.schema_name)}, pg_temp;  -- catalog only; "
                 "qualify the names it uses if they live elsewhere"),
            evidence=[catalog(f"pg_proc.prosecdef of {f.signature}, proconfig without search_path", owner=f.owner,
                              config=f.config, owner_superuser=f.owner_superuser)],
        )
