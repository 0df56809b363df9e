"""
## What it does
Advises on numbered families of columns of one type: `phone1, phone2, phone3`, `tag_1, tag_2`,
`image1_url, image2_url`. Postal address lines (`address_line1`, `address2`) are left alone: that
split is a convention of the address format, not a list.

## Why is this bad?
A repeating group is a list laid out sideways: "find the customer with this phone" must test
every column, the third phone has nowhere to go without a migration, and empty slots become
NULL columns on every row.

## Example
```sql
CREATE TABLE customers (id bigint PRIMARY KEY, phone1 text, phone2 text, phone3 text);
```

## Use instead
```sql
CREATE TABLE customer_phones (
    customer_id bigint NOT NULL REFERENCES customers ON DELETE CASCADE,
    phone       text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('mobile', 'home', 'work')),
    PRIMARY KEY (customer_id, phone)
);
ALTER TABLE customers DROP COLUMN phone1, DROP COLUMN phone2, DROP COLUMN phone3;   -- once moved
```

## References
First normal form; SQLCheck 1001 (multi-valued attribute); Karwin, "SQL Antipatterns".
"""

from __future__ import annotations

import re
from collections import defaultdict

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, qi, qt

RULE = RuleMeta(
    name="repeated-column-group",
    code="SD022",
    family="schema",
    severity=Severity.advice,
    summary="Numbered columns (phone1, phone2...) hold a list sideways: a child table holds it properly.",
)

_NUMBERED = re.compile(r"^(?P<stem>[a-z_]*?[a-z])_?(?P<n>\d{1,2})(?P<tail>(?:_[a-z]+)*)$")
EXEMPT_STEMS = ("address", "line", "street")


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if t.partition_of:
            continue
        groups = defaultdict(list)
        for c in t.columns:
            m = _NUMBERED.match(c.name.lower())
            if not m or any(m["stem"].endswith(s) for s in EXEMPT_STEMS):
                continue
            groups[(m["stem"], m["tail"], c.type)].append(c.name)
        for (stem, tail, typ), names in groups.items():
            if len(names) < 2:
                continue
            child = f"{t.name}_{stem}s"
            pk = t.primary_key
            ref = ""
            if pk is not None and len(pk.columns) == 1 and (pk_col := t.column(pk.columns[0])) is not None:
                ref = f" REFERENCES {qt(t)} ({qi(pk_col.name)}) ON DELETE CASCADE"
                parent_type = pk_col.type
            else:
                parent_type = "bigint"
            out.append(
                RULE.finding(
                    message=(
                        f"{t.qualified} repeats {stem}{tail} as {', '.join(names)} ({typ}): a list laid out in columns, "
                        f"so searching means testing each one and one more {stem} needs a migration."
                    ),
                    obj=t.qualified,
                    fix=(
                        f"-- a child table, one row per {stem}; copy the data over, then drop {', '.join(names)}\n"
                        f"CREATE TABLE {child} (\n"
                        f"    {t.name}_id {parent_type} NOT NULL{ref},\n"
                        f"    position smallint NOT NULL CHECK (position > 0),\n"
                        f"    {stem}{tail} {typ} NOT NULL,\n"
                        f"    PRIMARY KEY ({t.name}_id, position)\n"
                        f");"
                    ),
                    evidence=[ctx.evidence(f"{len(names)} numbered columns of type {typ}", columns=names)],
                )
            )
    return out
