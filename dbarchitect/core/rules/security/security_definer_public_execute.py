"""A SECURITY DEFINER function any role may execute.

## What it does
Flags SECURITY DEFINER functions whose EXECUTE privilege is held by PUBLIC (the default for new
functions).

## Why is this bad?
Every role — including ones the application created for untrusted callers — can run code with the
owner's privileges; together with a mutable search_path this is a direct escalation path.

## Example
```sql
CREATE FUNCTION grant_admin(uid int) RETURNS void SECURITY DEFINER ...;  -- EXECUTE to PUBLIC by default
```

## Use instead
```sql
REVOKE EXECUTE ON FUNCTION grant_admin(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION grant_admin(int) TO admin_app;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog
from dbarchitect.core.security.facts import SecurityFacts

RULE = RuleMeta(
    name="security-definer-public-execute",
    code="SC007",
    family="security",
    severity=Severity.warning,
    summary="A SECURITY DEFINER function is executable by PUBLIC.",
)


def check(facts: SecurityFacts):
    for f in facts.functions:
        if not f.security_definer or not f.public_execute:
            continue
        yield RULE.finding(
            obj=f.signature,
            message=(f"Every role may execute SECURITY DEFINER function {f.signature}, which runs with {f.owner}'s "
                     "privileges."),
            fix=(f"REVOKE EXECUTE ON FUNCTION {f.signature} FROM PUBLIC;\n"
                 f"GRANT EXECUTE ON FUNCTION {f.signature} TO <the roles that need it>;  -- catalog only"),
            evidence=[catalog(f"pg_proc.proacl of {f.signature} grants EXECUTE to PUBLIC", owner=f.owner)],
        )
