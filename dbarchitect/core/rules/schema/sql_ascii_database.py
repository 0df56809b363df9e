"""
## What it does
Flags a database whose encoding is `SQL_ASCII`.

## Why is this bad?
`SQL_ASCII` is not an encoding: it means "no encoding", so PostgreSQL stores whatever bytes a
client sends without checking them. Latin-1 from one client and UTF-8 from another end up mixed
in the same column, `lower()`/`upper()` and sorting are wrong for non-ASCII text, and the data
cannot be converted to a real encoding later without guessing, byte by byte, what each writer
meant. It usually comes from an `initdb` run under the C locale.

## Example
```sql
CREATE DATABASE shop TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C';
```

## Use instead
```sql
CREATE DATABASE shop TEMPLATE template0 ENCODING 'UTF8';
-- move existing data with pg_dump | (clean invalid bytes, e.g. iconv) | pg_restore
```

## References
PostgreSQL wiki, "Don't Do This: SQL_ASCII"; PostgreSQL docs, "Character Set Support".
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, qi

RULE = RuleMeta(
    name="sql-ascii-database",
    code="SD026",
    family="schema",
    severity=Severity.error,
    summary="The database encoding is SQL_ASCII: bytes are stored unchecked, mixed encodings pile up.",
)

NEEDS = frozenset({"encoding"})


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    if snapshot.encoding.upper() != "SQL_ASCII":
        return []
    db = snapshot.database or "this database"
    return [
        RULE.finding(
            message=(
                f"Database {db} uses SQL_ASCII: PostgreSQL accepts any bytes without validation, so text in different "
                "encodings mixes undetected, case mapping and sorting are wrong beyond ASCII, and a later conversion "
                "has to guess."
            ),
            obj=db,
            fix=(
                f"CREATE DATABASE {qi(db + '_utf8')} TEMPLATE template0 ENCODING 'UTF8';\n"
                f"-- pg_dump {db} | (find and fix invalid byte sequences) | psql {db}_utf8; then switch clients over"
            ),
            evidence=[ctx.evidence(f"pg_database.encoding of {db} is SQL_ASCII", encoding=snapshot.encoding)],
        )
    ]
