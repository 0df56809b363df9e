"""A column named like a password, secret, token, key, card number or national ID holds plain text.

## What it does
Flags text-like columns whose name says they hold credentials or regulated identifiers
(`password`, `api_key`, `token`, `card_number`, `ssn`, `national_id`, …) unless the name says it is
a hash (`password_hash`, `token_digest`) or a sample of the stored values looks like hashes or
ciphertext (bcrypt `$2b$`, argon2, crypt(), SCRAM, hex digests). The values themselves are never
returned.

## Why is this bad?
Anyone who can read the table — a backup, a replica, a support tool, an SQL injection — gets every
credential or card number. Passwords must be hashed with a slow salted hash; secrets the
application needs back must be encrypted, and readable only by the roles that use them.

## Example
```sql
CREATE TABLE users (id bigint, email text, password text);
```

## Use instead
```sql
CREATE EXTENSION IF NOT EXISTS pgcrypto;
UPDATE users SET password = crypt(password, gen_salt('bf'));  -- or the application's argon2/bcrypt
REVOKE SELECT ON users FROM app_read; GRANT SELECT (id, email) ON users TO app_read;
```
"""

from __future__ import annotations

import re

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qi, qname
from dbarchitect.core.security.facts import SecurityFacts, is_sensitive_name

RULE = RuleMeta(
    name="plaintext-sensitive-column",
    code="SC014",
    family="security",
    severity=Severity.warning,
    summary="A password/secret/token/card/ID column stores plain text.",
)
TEXT_TYPES = ("text", "character varying", "character", "varchar", "citext", "json", "jsonb")
NUMBER_TYPES = ("bigint", "numeric", "integer")  # card numbers and national IDs are also stored as numbers
NUMERIC_SECRET = re.compile(r"card|cc_?num|ssn|social_security|national|tax|iban|passport", re.IGNORECASE)


def check(facts: SecurityFacts):
    for t in facts.tables:
        for c in t.columns:
            base = c.type.split("(")[0]
            if not is_sensitive_name(c.name) or not (base in TEXT_TYPES or (base in NUMBER_TYPES and NUMERIC_SECRET.search(c.name))):
                continue
            if c.sampled and c.hashed is not None and c.hashed >= max(1, int(0.8 * c.sampled)):
                continue  # the values are hashes or ciphertext already
            password = any(k in c.name.lower() for k in ("pass", "pwd"))
            table, col = qname(t.schema_name, t.name), qi(c.name)
            others = ", ".join(qi(x.name) for x in t.columns if x.name != c.name) or "<other columns>"
            protect = (f"CREATE EXTENSION IF NOT EXISTS pgcrypto;\nUPDATE {table} SET {col} = crypt({col}, gen_salt('bf'));  "
                       "-- rewrites every row (row locks, WAL); batch it on a big table; or hash with the application's argon2/bcrypt"
                       if password else
                       f"-- encrypt it in the application (envelope encryption, a KMS key), or with pgcrypto:\n"
                       f"-- UPDATE {table} SET {col} = encode(pgp_sym_encrypt({col}, :key), 'base64');  -- rewrites every row")
            seen = (f"{c.sampled} sampled values, {c.hashed} look hashed" if c.sampled else "no values to sample")
            yield RULE.finding(
                severity=Severity.error if c.sampled and password else Severity.warning, obj=f"{t.qualified}.{c.name}",
                message=(f"{t.qualified}.{c.name} ({c.type}) is named like {'a password' if password else 'a secret or regulated identifier'} "
                         f"and stores plain text ({seen}): anyone who can read the table, a backup or a replica reads them."),
                fix=protect + f"\nREVOKE SELECT ON {table} FROM PUBLIC;  -- then column-level reads for the roles that need the rest:\n"
                              f"GRANT SELECT ({others}) ON {table} TO <application role>;",
                evidence=[catalog(f"column {t.qualified}.{c.name}: name, type and a sample of its values", type=c.type,
                                  sampled=c.sampled, hashed=c.hashed)],
            )
