"""
## What it does
Flags an in-place ALTER on an existing table that does not rebuild it but still makes writes wait for
its whole duration (LOCK=SHARED): adding a FULLTEXT index to a table that already has one, or a
SPATIAL index.

## Why is this bad?
The index build reads and sorts the whole table while INSERT, UPDATE and DELETE on it wait: on a
large table that is minutes of failed or piled-up writes, although reads continue.

## Example
```sql
ALTER TABLE articles ADD SPATIAL INDEX sp_articles_location (location);
```

## Use instead
```sql
-- in a maintenance window, or build the table anew and swap it in (RENAME TABLE is atomic);
-- pt-online-schema-change / gh-ost do that for you
ALTER TABLE articles ADD SPATIAL INDEX sp_articles_location (location), ALGORITHM=INPLACE, LOCK=SHARED;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rules.mysql_migration._common import duration_text, finding, osc_commands, rule

RULE = rule(
    "alter-blocks-writes", "MY109", Severity.warning,
    "An in-place ALTER that blocks writes for its whole duration (LOCK=SHARED): FULLTEXT and SPATIAL index builds.",
)  # fmt: skip


def check(st, mig):
    eff = st.effective
    if eff is None or eff.algorithm == "COPY" or eff.rebuild or eff.lock == "NONE" or st.refused:
        return
    if not st.preexisting or st.rows == 0 or any(a.kind == "rename_table" for a in st.actions):
        return
    yield finding(
        RULE, st, mig,
        message=f"Statement {st.index} makes writes to {st.table} wait while it runs ({eff.why}){duration_text(st)}.",
        fix="-- in a maintenance window, or online with a copy-and-swap tool:\n" + osc_commands(st),
    )  # fmt: skip
