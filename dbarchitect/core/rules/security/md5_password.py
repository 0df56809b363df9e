r"""A role's password is stored as an MD5 hash (or MD5 is still the hashing method).

## What it does
Reads `pg_authid.rolpassword` (superuser only) and flags roles whose hash starts with `md5`; when
pg_authid cannot be read, says so and checks `password_encryption` instead.

## Why is this bad?
MD5 password hashes are salted only with the role name: a leaked hash is enough to log in with the
md5 method and cheap to brute-force. MD5 passwords are deprecated since PostgreSQL 18.

## Example
```sql
SET password_encryption = 'md5'; CREATE ROLE legacy LOGIN PASSWORD '...';
```

## Use instead
```sql
ALTER SYSTEM SET password_encryption = 'scram-sha-256'; SELECT pg_reload_conf();
\password legacy   -- re-set the password: it is then stored as SCRAM
```
and use `scram-sha-256` in pg_hba.conf.
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qi
from dbarchitect.core.security.facts import SecurityFacts

RULE = RuleMeta(
    name="md5-password",
    code="SC013",
    family="security",
    severity=Severity.warning,
    summary="A role's password is stored as an MD5 hash.",
)


def check(facts: SecurityFacts):
    for r in facts.roles:
        if r.password != "md5":
            continue
        yield RULE.finding(
            obj=r.name,
            message=f"Role {r.name}'s password is stored as an MD5 hash: weak, and enough to log in with the md5 method.",
            fix=(f"SET password_encryption = 'scram-sha-256';\nALTER ROLE {qi(r.name)} PASSWORD '<new password>';  -- "
                 "stored as SCRAM from now on; update the client's secret; then use scram-sha-256 in pg_hba.conf"),
            evidence=[catalog(f"pg_authid.rolpassword of {r.name} starts with md5", password_hash="md5")],
        )
    if (facts.password_encryption or "").lower() == "md5":
        yield RULE.finding(
            obj="password_encryption",
            message="password_encryption is md5: every new or changed password is stored as an MD5 hash.",
            fix="ALTER SYSTEM SET password_encryption = 'scram-sha-256';  -- reload (SELECT pg_reload_conf()), no restart",
            evidence=[catalog("pg_settings.password_encryption", password_encryption=facts.password_encryption,
                              authid_readable=facts.authid_readable)],
        )
