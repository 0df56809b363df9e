"""Stale statistics: a table in the plan has not been analyzed since much of it changed.

## What it does
With a database connection, reads `pg_stat_user_tables` for every table the plan reads: never
analyzed (`last_analyze` and `last_autoanalyze` both empty), or more rows modified since the last
analyze (`n_mod_since_analyze`) than autovacuum's own trigger (50 + 10 % of `reltuples`) while
the statistics show it: the row count (`reltuples`) is 20 % off the live count, or a node reading
the table is mis-estimated. (Rows changed in the same transaction as the ANALYZE are counted as
changes after it; the second condition keeps that from raising a false alarm.) Graded up when a
node reading the table is mis-estimated.

## Why is this bad?
The planner's row estimates come from `pg_statistic`. After a bulk load or a large delete they
describe a table that no longer exists, and every estimate built on them is wrong.

## Example
A table loaded with 5 million rows five minutes ago, before autovacuum got to it:
`n_mod_since_analyze = 5000000`, `reltuples = -1`.

## Use instead
```sql
ANALYZE orders;
-- tables that change fast: analyze more often
ALTER TABLE orders SET (autovacuum_analyze_scale_factor = 0.02);
```
Run ANALYZE as the last step of every bulk load.

## References
pganalyze Stale Stats; PostgreSQL autovacuum_analyze_threshold / scale_factor defaults.
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_rows, misestimate
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="stale-statistics",
    code="PL002",
    family="plan",
    severity=Severity.warning,
    summary="A table in the plan was never analyzed or changed a lot since its last ANALYZE.",
)


def check(ctx: PlanContext):
    if ctx.catalog is None:
        return
    seen: dict[str, list] = {}
    for n in ctx.plan.nodes:
        table = ctx.table(n)
        if table is not None:
            seen.setdefault(table.qualified, [table]).append(n)
    for qualified, (table, *nodes) in seen.items():
        st = table.stats
        never = st.last_analyze is None and st.last_autoanalyze is None
        limit = T("stale_analyze_base") + T("stale_analyze_scale") * max(table.reltuples, 0)
        misestimated = [
            n for n in nodes if ctx.analyzed and n.executed and misestimate(n)[0] >= T("misestimate_factor")
        ]
        live, known = float(st.live_tuples), max(table.reltuples, 0.0)
        count_off = abs(live - known) > T("stale_count_drift") * max(live, known, 1.0)
        changed = st.mods_since_analyze > limit and (count_off or bool(misestimated))
        if not (never or changed):
            continue
        if never:
            what = f"{qualified} has never been analyzed"
        else:
            what = (
                f"{qualified} had {fmt_rows(st.mods_since_analyze)} rows modified since its last ANALYZE "
                f"(autovacuum waits for {fmt_rows(limit)})"
            )
        consequence = (
            f"; node {misestimated[0].id} reading it is mis-estimated" if misestimated else
            "; the planner's estimates for it describe older data"
        )
        data = {
            "n_mod_since_analyze": st.mods_since_analyze,
            "reltuples": table.reltuples,
            "n_live_tup": st.live_tuples,
            "last_analyze": st.last_analyze,
            "last_autoanalyze": st.last_autoanalyze,
        }
        yield Insight(
            node=nodes[0],
            severity=Severity.warning if misestimated else Severity.advice,
            message=what + consequence + ".",
            fix=(
                f"ANALYZE {qualified}; and if it changes this fast routinely: "
                f"ALTER TABLE {qualified} SET (autovacuum_analyze_scale_factor = 0.02);"
            ),
            catalog=[Evidence(kind="catalog", detail=f"pg_stat_user_tables for {qualified}.", data=data)],
            object=qualified,
        )
