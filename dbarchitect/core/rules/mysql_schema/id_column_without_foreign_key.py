"""
## What it does
Flags integer columns named like a reference (`customer_id`, `customerId`) that are in no foreign
key, when a table with the matching name (`customer`, `customers`) exists in the same database.

## Why is this bad?
Nothing stops an order pointing at a customer that never existed or was deleted: orphans appear,
JOINs silently drop rows, and the ER diagram (and any tool reading the schema) cannot see the
relationship. MyISAM ignores foreign keys, which is why old schemas lack them; on InnoDB they are
enforced.

## Example
```sql
CREATE TABLE customers (id int unsigned PRIMARY KEY);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int unsigned NOT NULL);
```

## Use instead
```sql
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
```
Find and fix orphans first (`SELECT … LEFT JOIN customers … WHERE customers.id IS NULL`).
Frameworks that avoid foreign keys on purpose (sharding, Vitess, PlanetScale) can ignore this.
"""

from __future__ import annotations

import re

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_schema._common import INT_TYPES, MySQLReviewContext, data_type, qi, qt, rule

RULE = rule(
    "id-column-without-foreign-key", "MY009", Severity.advice,
    "An <entity>_id column matches a table but has no foreign key: orphans and invisible relationships.",
)  # fmt: skip

_REF = re.compile(r"^(?P<base>[A-Za-z][A-Za-z0-9_]*?)(?:_id|Id|_ID)$")


def _targets(base: str) -> list[str]:
    b = base.lower()
    out = [b, b + "s", b + "es"]
    if b.endswith("y"):
        out.append(b[:-1] + "ies")
    return out


def check(snapshot: SchemaSnapshot, ctx: MySQLReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        names = {x.name.lower(): x for x in snapshot.tables if x.schema_name == t.schema_name}
        fk_cols = {c for fk in t.foreign_keys for c in fk.columns}
        pk = t.primary_key.columns if t.primary_key else []
        for c in t.columns:
            m = _REF.match(c.name)
            if not m or c.name in fk_cols or pk == [c.name] or data_type(c) not in INT_TYPES:
                continue
            target = next((names[n] for n in _targets(m.group("base")) if n in names), None)
            if target is None or target is t or target.primary_key is None or len(target.primary_key.columns) != 1:
                continue
            ref_col = target.primary_key.columns[0]
            out.append(
                RULE.finding(
                    message=(
                        f"{t.qualified}.{c.name} looks like a reference to {target.qualified}.{ref_col} but has no foreign key: "
                        "orphan rows can appear and the relationship is invisible to tools."
                    ),
                    fix=(
                        f"ALTER TABLE {qt(t)} ADD CONSTRAINT {qi(f'{t.name}_{c.name}_fk')} FOREIGN KEY ({qi(c.name)}) "
                        f"REFERENCES {qt(target)} ({qi(ref_col)});"
                    ),
                    evidence=[ctx.evidence(f"{t.qualified}.{c.name} is in no FOREIGN KEY; table {target.qualified} exists",
                                           target=target.qualified)],  # fmt: skip
                    obj=f"{t.qualified}.{c.name}",
                )
            )
    return out
