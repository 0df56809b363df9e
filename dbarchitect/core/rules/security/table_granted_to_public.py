"""Privileges on a table are granted to PUBLIC.

## What it does
Flags tables (and views) whose ACL gives any privilege to PUBLIC — every role, present and future.

## Why is this bad?
PUBLIC includes every login role on the server, also ones created later for other applications or
read-only tools; write privileges to PUBLIC let any of them change data.

## Example
```sql
GRANT SELECT, INSERT ON customers TO PUBLIC;
```

## Use instead
```sql
REVOKE ALL ON customers FROM PUBLIC;
GRANT SELECT, INSERT ON customers TO app_rw;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qname
from dbarchitect.core.security.facts import SecurityFacts

RULE = RuleMeta(
    name="table-granted-to-public",
    code="SC008",
    family="security",
    severity=Severity.warning,
    summary="A table grants privileges to PUBLIC (every role).",
)
WRITES = {"INSERT", "UPDATE", "DELETE", "TRUNCATE"}


def check(facts: SecurityFacts):
    for t in facts.tables:
        for g in t.grants:
            if g.grantee != "PUBLIC":
                continue
            writes = WRITES & set(g.privileges)
            yield RULE.finding(
                severity=Severity.error if writes else Severity.warning, obj=t.qualified,
                message=(f"PUBLIC (every role on the server) holds {', '.join(g.privileges)} on {t.qualified}"
                         + (": any role can change its data." if writes else ".")),
                fix=(f"REVOKE ALL ON {qname(t.schema_name, t.name)} FROM PUBLIC;\n"
                     f"GRANT {', '.join(g.privileges)} ON {qname(t.schema_name, t.name)} TO <application role>;  -- catalog only"),
                evidence=[catalog(f"pg_class.relacl of {t.qualified}", grantee="PUBLIC", privileges=g.privileges)],
            )
