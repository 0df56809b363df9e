"""
## What it does
Flags identifiers longer than PostgreSQL's 63-byte limit (NAMEDATALEN - 1). From DDL text it sees
the names as written; from a live catalog it flags names of exactly 63 bytes, which is what a
longer name becomes after PostgreSQL cuts it.

## Why is this bad?
PostgreSQL truncates a long name with only a NOTICE, so the object is not called what the
migration says. Two long names that share their first 63 bytes collide ("relation already
exists") in a later migration; schema-diff tools and ORMs that compare the names they generated
with the catalog see a difference every time and keep proposing renames.

## Example
```sql
CREATE INDEX customer_subscription_invoices_billing_period_start_customer_id_idx
    ON customer_subscription_invoices (billing_period_start, customer_id);
```

## Use instead
```sql
CREATE INDEX csi_period_customer_idx ON customer_subscription_invoices (billing_period_start, customer_id);
```

## References
PostgreSQL docs, "Identifiers and Key Words" (NAMEDATALEN).
"""

from __future__ import annotations

import re

from pglast import parser

from dbarchitect.core.models import Evidence, Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext

RULE = RuleMeta(
    name="identifier-truncated",
    code="SD016",
    family="schema",
    severity=Severity.advice,
    summary="A name is longer than 63 bytes and PostgreSQL silently cut it.",
)

LIMIT = 63


def _ddl_names(ddl: str) -> list[tuple[str, int]]:
    """(name, line) of every identifier token over the limit in the text."""
    try:
        tokens = parser.scan(ddl)
    except Exception:  # noqa: BLE001 - unscannable text: nothing to say about its names
        return []
    out = []
    for tok in tokens:
        if tok.name != "IDENT":
            continue
        raw = ddl[tok.start : tok.end + 1]
        name = raw[1:-1].replace('""', '"') if raw.startswith('"') else raw.lower()
        if len(name.encode()) > LIMIT:
            out.append((name, ddl.count("\n", 0, tok.start) + 1))
    return out


def _catalog_names(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[tuple[str, str]]:
    names = []
    for t in ctx.tables(snapshot):
        names.append((t.qualified, t.name))
        names += [(f"{t.qualified}.{c.name}", c.name) for c in t.columns]
        names += [(f"{t.schema_name}.{i.name}", i.name) for i in t.indexes]
        names += [(f"{t.qualified}.{c.name}", c.name) for c in t.constraints if c.index is None]
        names += [(f"{t.qualified}.{tr.name}", tr.name) for tr in t.triggers]
    names += [(s.qualified, s.name) for s in snapshot.sequences if ctx.schema in (None, s.schema_name)]
    names += [(v.qualified, v.name) for v in snapshot.views if ctx.schema in (None, v.schema_name)]
    return [(obj, n) for obj, n in names if len(n.encode()) == LIMIT and not AUTO_NAME.search(n)]


#: PostgreSQL's own names (ChooseRelationName: indexes of partitions, unnamed indexes, constraints and
#: serial sequences) shorten the table and column parts to keep this suffix: 63 bytes is its design, not a cut
AUTO_NAME = re.compile(r"_(idx|key|pkey|fkey|check|excl|seq)\d*$")


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    seen: set[str] = set()
    for name, line in _ddl_names(ctx.ddl or ""):
        cut = name.encode()[:LIMIT].decode(errors="ignore")
        if cut in seen:
            continue
        seen.add(cut)
        f = RULE.finding(
            message=(
                f"The name {name!r} is {len(name.encode())} bytes; PostgreSQL keeps only the first {LIMIT}, so the "
                f"object is called {cut!r}, and another long name with the same start will collide with it."
            ),
            obj=cut,
            fix=f"-- give it a name of at most {LIMIT} bytes where it is created (line {line})",
            evidence=[Evidence(kind="static", detail=f"identifier of {len(name.encode())} bytes at line {line}",
                               data={"name": name, "line": line})],  # fmt: skip
        )
        f.line = line
        out.append(f)
    for obj, name in _catalog_names(snapshot, ctx):
        if name in seen:
            continue
        seen.add(name)
        out.append(
            RULE.finding(
                message=(
                    f"{obj} has a name of exactly {LIMIT} bytes, the length PostgreSQL cuts longer names to: it was "
                    "most likely truncated, so it differs from the name in the migration that created it."
                ),
                obj=obj,
                fix=f"-- rename it to a name shorter than {LIMIT} bytes, and use that name in the migration",
                evidence=[ctx.evidence(f"{name!r} is {LIMIT} bytes long")],
            )
        )
    return out
