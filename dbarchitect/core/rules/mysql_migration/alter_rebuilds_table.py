"""
## What it does
Flags an ALTER on an existing table that InnoDB performs in place but *rebuilds* the table
(ALGORITHM=INPLACE with a rebuild): adding or dropping a column where that is not instant (before
MySQL 8.0.29 / MariaDB 10.4, a column position before MySQL 8.0.29, ROW_FORMAT=COMPRESSED, a table
with a FULLTEXT index), reordering columns on MySQL, NULL / NOT NULL changes, adding a primary key,
the first FULLTEXT index, `ENGINE=InnoDB`, `FORCE`, `ROW_FORMAT=`, `OPTIMIZE TABLE`.

## Why is this bad?
Writes continue (LOCK=NONE, except on tables with a FULLTEXT index), but the table and all its
indexes are rewritten: the time and the temporary disk space grow with the table, concurrent writes
are buffered in the online log (`innodb_online_alter_log_max_size`; the ALTER fails when it fills),
and replicas apply the statement only after it finished on the primary, lagging by its duration.

## Example
```sql
ALTER TABLE orders MODIFY note VARCHAR(50) CHARACTER SET utf8mb4 NOT NULL;
```

## Use instead
```sql
ALTER TABLE orders MODIFY note VARCHAR(50) CHARACTER SET utf8mb4 NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;
-- off-peak, or with gh-ost / pt-online-schema-change for a large table (no replica lag)
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rules.mysql_migration._common import duration_text, finding, long, osc_commands, rule, with_clause

RULE = rule(
    "alter-rebuilds-table", "MY102", Severity.warning,
    "The ALTER rebuilds the table in place: online, but time, disk and replica lag grow with the table.",
)  # fmt: skip


def check(st, mig):
    eff = st.effective
    if eff is None or eff.algorithm != "INPLACE" or not eff.rebuild or st.refused or not st.preexisting or st.rows == 0:
        return
    writes = "writes continue" if eff.lock == "NONE" else "writes wait (LOCK=SHARED)"
    fix = [with_clause(st, eff.clause(mig.server)) if not st.raw.clauses else st.sql.rstrip().rstrip(";") + ";"]
    if long(st):
        fix.append("-- a long rebuild: run it with an online schema change tool so replicas do not lag:")
        fix.append(osc_commands(st))
    yield finding(
        RULE, st, mig,
        severity=Severity.warning if long(st) or eff.lock != "NONE" else Severity.advice,
        message=f"Statement {st.index} rebuilds {st.table} in place ({eff.why}); {writes}, and replicas lag by the "
                f"rebuild's duration{duration_text(st)}.",
        fix="\n".join(fix),
    )  # fmt: skip
