"""
## What it does
Flags an `ALTER TABLE` (or `OPTIMIZE`, `CREATE INDEX`) on an existing table that the server performs
with ALGORITHM=COPY: a column type change, a character set conversion, shortening a VARCHAR or
extending it across the 255-byte length-prefix boundary, reordering ENUM members, dropping the
primary key, a STORED generated column, a CHECK constraint, a FOREIGN KEY while
`foreign_key_checks=1`, an engine change, or a non-InnoDB table. The prediction is for the target's
flavour and version (MySQL 8.0 / MariaDB online-DDL tables) and sized from the catalog.

## Why is this bad?
A copy builds a new table row by row and every index with it: the time grows with the table, the disk
needs room for a second copy, replicas apply the statement only after it finished on the primary
(replication lag of the whole duration), and writes wait for all of it (LOCK=SHARED; MariaDB 11.2+
copies online). Nothing stops it once started short of killing it, which rolls the copy back.

## Example
```sql
ALTER TABLE orders MODIFY total DECIMAL(12,2);
```

## Use instead
```sql
-- pin the behaviour: the server refuses instead of silently copying
ALTER TABLE orders ADD COLUMN total_v2 DECIMAL(12,2), ALGORITHM=INSTANT;
-- then backfill in batches and switch reads; or run the change with gh-ost / pt-online-schema-change
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rules.mysql_migration._common import LARGE_BYTES, duration_text, finding, long, osc_commands, rule

RULE = rule(
    "alter-copies-table", "MY101", Severity.warning,
    "The ALTER copies the whole table (ALGORITHM=COPY): time grows with the table and writes wait.",
)  # fmt: skip


def check(st, mig):
    eff = st.effective
    if eff is None or eff.algorithm != "COPY" or st.refused or not st.preexisting:
        return
    if st.rows == 0:
        return
    big = (st.total_bytes or 0) >= LARGE_BYTES or long(st)
    writes = "writes continue (MariaDB 11.2+ online copy)" if eff.lock == "NONE" else "writes wait the whole time"
    causes = [a for a in st.actions if a.online.algorithm == "COPY"]
    why = "; ".join(dict.fromkeys(a.online.why for a in causes)) or eff.why
    if eff.assumed:
        big = False
    fix = []
    if any(a.kind == "add_fk" for a in causes):
        a = next(a for a in causes if a.kind == "add_fk")
        cols = ", ".join(a.detail.get("columns") or [])
        fix += [
            "-- check for orphans first (foreign_key_checks=0 does not check existing rows):",
            f"SELECT COUNT(*) FROM {st.table.split('.', 1)[-1]} c LEFT JOIN {(a.detail.get('ref_table') or '?').split('.', 1)[-1]} p "
            f"ON p.{(a.detail.get('ref_columns') or ['id'])[0]} = c.{(a.detail.get('columns') or ['?'])[0]} "
            f"WHERE c.{(a.detail.get('columns') or ['?'])[0]} IS NOT NULL AND p.{(a.detail.get('ref_columns') or ['id'])[0]} IS NULL;",
            "SET SESSION foreign_key_checks = 0;",
            f"{st.sql.rstrip().rstrip(';')}, ALGORITHM=INPLACE, LOCK=NONE;  -- ({cols}) in place, no copy",
            "SET SESSION foreign_key_checks = 1;",
        ]
    elif any(a.kind in ("change_type", "charset", "varchar_extend") for a in causes):
        fix += ["-- expand/contract instead of changing the type in place:",
                "--   ADD COLUMN new_col <new type>, ALGORITHM=INSTANT; backfill in batches; switch the application; DROP the old column",
                "-- or copy online:"]  # fmt: skip
        fix.append(osc_commands(st))
    else:
        fix.append("-- copy online instead:")
        fix.append(osc_commands(st))
    if big and not any(a.kind == "add_fk" for a in causes):
        fix.append("-- (gh-ost / pt-online-schema-change copy in chunks while writes continue, then swap the tables)")
    yield finding(
        RULE, st, mig,
        severity=Severity.error if big else None,
        message=f"Statement {st.index} copies {st.table} (ALGORITHM=COPY): {why}; {writes}, and replicas lag by the same "
                f"time{duration_text(st)}.",
        fix="\n".join(fix),
    )  # fmt: skip
