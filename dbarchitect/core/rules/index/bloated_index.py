"""
## What it does
Estimates btree bloat from the catalog: the pages a freshly built index would need (tuples × key
width from `pg_stats` plus tuple and line-pointer overhead, at the default 90 % fill factor) against
the pages it has (`pg_class.relpages`). Flags indexes of at least 1 MB whose estimated bloat is at
least 50 % of their size.

## Why is this bad?
Empty space left by deletes and updates stays in the index: scans read more pages, the cache holds
less useful data, backups grow. Vacuum marks the space reusable but does not shrink the index.

## Example
```sql
DELETE FROM events WHERE created_at < now() - interval '90 days';   -- 80 % of the rows
```

## Use instead
```sql
REINDEX INDEX CONCURRENTLY events_created_at_idx;
```

## References
pghero and pg-mcp index bloat (ioguix estimate); postgres-checkup F005.
"""

from __future__ import annotations

import math

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.index._common import IndexContext
from dbarchitect.core.units import human_bytes
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import qname

RULE = RuleMeta(
    name="bloated-index",
    code="IX006",
    family="index",
    severity=Severity.advice,
    summary="A btree index holds much more space than its rows need.",
)

MIN_BYTES = 2**20
MIN_BLOAT = 0.5
FILL = 0.9


def expected_pages(tuples: float, widths: list[int], block_size: int) -> int:
    key = sum(int(w) for w in widths)
    tuple_bytes = 8 + key  # IndexTupleData header + keys
    tuple_bytes = int(math.ceil(tuple_bytes / 8.0) * 8) + 4  # MAXALIGN + line pointer
    usable = (block_size - 24 - 16) * FILL  # page header, btree special space
    leaf = math.ceil(max(tuples, 0) * tuple_bytes / usable)
    return max(1, int(leaf * 1.01) + 1)  # upper levels ≈ 1 % + metapage


def check(snapshot: SchemaSnapshot, ctx: IndexContext) -> list[Finding]:
    out = []
    for t in ctx.tables:
        for i in t.indexes:
            f = ctx.facts.get(f"{t.schema_name}.{i.name}")
            if not f or i.method != "btree" or not i.valid or f["tuples"] < 0:
                continue
            size = f["pages"] * f["block_size"]
            if size < MIN_BYTES:
                continue
            want = expected_pages(f["tuples"], f["widths"], f["block_size"])
            bloat = 1 - want / max(f["pages"], 1)
            if bloat < MIN_BLOAT:
                continue
            waste = int(size * bloat)
            out.append(
                RULE.finding(
                    message=(f"Index {i.name} on {t.qualified} takes {human_bytes(size)} for {f['tuples']:,.0f} entries; "
                             f"about {100 * bloat:.0f} % ({human_bytes(waste)}) is empty space that scans and the cache "
                             "still carry."),  # fmt: skip
                    obj=f"{t.schema_name}.{i.name}",
                    fix=(f"REINDEX INDEX CONCURRENTLY {qname(t.schema_name, i.name)};\n"
                         "-- undo: none needed (a rebuild changes no definition); it needs free disk space for one copy"),  # fmt: skip
                    evidence=[ctx.evidence(f"{f['pages']} pages, ~{want} expected for {f['tuples']:,.0f} entries",
                                           pages=f["pages"], expected_pages=want, bloat_ratio=round(bloat, 3),
                                           key_widths=f["widths"])],  # fmt: skip
                )
            )
    return out
