"""A role other than the owner holds ALL privileges on a table, or default privileges grant broadly.

## What it does
Flags non-owner roles holding every table privilege (`GRANT ALL`: including TRUNCATE, REFERENCES and
TRIGGER), and `ALTER DEFAULT PRIVILEGES` entries that grant to PUBLIC or grant ALL.

## Why is this bad?
An application role needs SELECT/INSERT/UPDATE/DELETE at most; TRUNCATE empties a table without
row-level checks or triggers, TRIGGER lets a role run code on every write. Default privileges repeat
the mistake on every future table.

## Example
```sql
GRANT ALL ON ALL TABLES IN SCHEMA public TO app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO app;
```

## Use instead
```sql
REVOKE TRUNCATE, REFERENCES, TRIGGER ON orders FROM app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLES FROM app;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qi, qname
from dbarchitect.core.security.facts import SecurityFacts

RULE = RuleMeta(
    name="broad-grants",
    code="SC010",
    family="security",
    severity=Severity.advice,
    summary="A non-owner role holds ALL on a table, or default privileges grant to PUBLIC or grant ALL.",
)
ALL_TABLE = {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"}
EXTRA = ("TRUNCATE", "REFERENCES", "TRIGGER")


def _grantee(name: str) -> str:
    return "PUBLIC" if name == "PUBLIC" else qi(name)


def check(facts: SecurityFacts):
    for t in facts.tables:
        for g in t.grants:
            if g.grantee in ("PUBLIC", t.owner) or not ALL_TABLE <= set(g.privileges):
                continue
            yield RULE.finding(
                obj=t.qualified,
                message=(f"Role {g.grantee} holds ALL privileges on {t.qualified} (TRUNCATE, REFERENCES and TRIGGER "
                         "included), more than an application role needs."),
                fix=f"REVOKE {', '.join(EXTRA)} ON {qname(t.schema_name, t.name)} FROM {_grantee(g.grantee)};  -- catalog only",
                evidence=[catalog(f"pg_class.relacl of {t.qualified}", grantee=g.grantee, privileges=g.privileges)],
            )
    for d in facts.default_acls:
        for g in d.grants:
            broad = g.grantee == "PUBLIC" or (d.object_type == "tables" and ALL_TABLE <= set(g.privileges))
            if not broad:
                continue
            scope = f" IN SCHEMA {qi(d.schema_name)}" if d.schema_name else ""
            revoke = ", ".join(g.privileges) if g.grantee == "PUBLIC" else ", ".join(EXTRA)
            yield RULE.finding(
                obj=f"default privileges of {d.role}{' in ' + d.schema_name if d.schema_name else ''}",
                message=(f"Every {d.object_type[:-1]} {d.role} creates{' in ' + d.schema_name if d.schema_name else ''} "
                         f"will grant {', '.join(g.privileges)} to {g.grantee}."),
                fix=(f"ALTER DEFAULT PRIVILEGES FOR ROLE {qi(d.role)}{scope} REVOKE {revoke} ON {d.object_type.upper()} "
                     f"FROM {_grantee(g.grantee)};  -- future objects only; existing ones keep their grants"),
                evidence=[catalog("pg_default_acl entry", role=d.role, schema=d.schema_name, object_type=d.object_type,
                                  grantee=g.grantee, privileges=g.privileges)],
            )
