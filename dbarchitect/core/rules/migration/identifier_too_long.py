"""
## What it does
Flags identifiers longer than 63 bytes (NAMEDATALEN - 1) in the names a migration creates: tables,
columns, indexes, constraints, triggers, sequences, renames.

## Why is this bad?
PostgreSQL silently truncates them to 63 bytes with only a NOTICE. Two long names that share a
prefix collide, and the name in the database no longer matches the one in the migration, the ORM or
the next migration that tries to drop it.

## Example
```sql
CREATE INDEX index_customer_orders_on_customer_id_and_created_at_and_status_desc ON orders (customer_id);
```

## Use instead
A name of at most 63 bytes:
```sql
CREATE INDEX orders_customer_created_status_idx ON orders (customer_id);
```
"""

import re

from dbarchitect.core.migration.kit import finding
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="identifier-too-long",
    code="MG036",
    family="migration",
    severity=Severity.error,
    summary="Identifiers over 63 bytes are silently truncated.",
)
# The parser has already truncated names in the syntax tree, so the rule reads the statement text.
_LONG_WORD = re.compile(r"[^\s(),;.]{16,}")  # 16 chars of up to 4 bytes can exceed 63 bytes
_SKIP = re.compile(r"'(?:[^']|'')*'|\$([A-Za-z_]*)\$.*?\$\1\$|--[^\n]*|/\*.*?\*/", re.DOTALL)
_IDENT = re.compile(r'"((?:[^"]|"")+)"|([A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)')


def check(stmt, mig):
    if not _LONG_WORD.search(stmt.sql):
        return
    seen = set()
    for m in _IDENT.finditer(_SKIP.sub(" ", stmt.sql)):
        name = m.group(1).replace('""', '"') if m.group(1) is not None else m.group(2).lower()
        size = len(name.encode())
        if size <= 63 or name in seen:
            continue
        seen.add(name)
        cut = name.encode()[:63].decode(errors="ignore")
        yield finding(
            RULE, stmt, mig, obj=name, why="NAMEDATALEN is 64 bytes",
            message=f"Identifier {name!r} is {size} bytes: PostgreSQL silently truncates it to {cut!r}, so it may "
            "collide with another name and no longer matches the migration that created it.",
            fix=f"-- rename to at most 63 bytes, e.g. {cut[:55]}",
        )
