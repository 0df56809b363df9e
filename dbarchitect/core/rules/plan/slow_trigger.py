"""Slow triggers and foreign-key checks: after-row triggers took a large share of the statement.

## What it does
Reads the plan's `Triggers` list (EXPLAIN ANALYZE of INSERT/UPDATE/DELETE): a trigger whose
`Time` is at least 10 % of `Execution Time` and 1 ms. For a foreign-key trigger (`Trigger for
constraint ...`), with a connection, checks whether the referencing columns are indexed and
proposes the index when they are not.

## Why is this bad?
Deleting or updating a referenced row makes PostgreSQL look up the referencing rows, once per
row: without an index on the referencing columns, each lookup is a sequential scan of the child
table, and an ON DELETE CASCADE of 1000 parents scans the child 1000 times.

## Example
```
Delete on customers  (actual time=0.2..0.2 rows=0)
Trigger for constraint orders_customer_id_fkey: time=2968.1 calls=1000
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY ON orders (customer_id);
```
Batch large deletes; for slow user triggers, look at the trigger function.

## References
pgMustard (triggers); PostgreSQL docs on foreign keys (indexing referencing columns).
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_ms, fmt_rows, pct
from dbarchitect.core.plan.predicates import quote_ident
from dbarchitect.core.plan.report import IndexSuggestion
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="slow-trigger",
    code="PL020",
    family="plan",
    severity=Severity.warning,
    summary="Triggers (often foreign-key checks or cascades) took a large share of the statement.",
)


def _fk(ctx: PlanContext, constraint: str):
    if ctx.catalog is None:
        return None, None
    for t in ctx.catalog.tables:
        for c in t.foreign_keys:
            if c.name == constraint:
                return t, c
    return None, None


def _indexed(table, columns: list[str]) -> str | None:
    for idx in table.indexes:
        if idx.valid and len(idx.columns) >= len(columns) and set(idx.columns[: len(columns)]) == set(columns):
            return idx.name
    return None


def check(ctx: PlanContext):
    if not ctx.analyzed or not ctx.plan.triggers or not ctx.plan.execution_ms:
        return
    for trig in ctx.plan.triggers:
        share = ctx.share(trig.time_ms)
        if trig.time_ms < T("trigger_min_ms") or share < T("trigger_share"):
            continue
        name = f"constraint {trig.constraint}" if trig.constraint else f"trigger {trig.name}"
        message = (
            f"The {name} took {fmt_ms(trig.time_ms)} over {fmt_rows(trig.calls)} calls, {pct(share)} of the execution time"
        )
        fix = "Look at what the trigger function does per row; batch the statement."
        index = None
        catalog = []
        obj = trig.relation
        if trig.constraint:
            table, fk = _fk(ctx, trig.constraint)
            fix = (
                f"Foreign-key triggers look up the referencing rows once per changed row: index the referencing columns "
                f"of {trig.constraint}."
            )
            if table is not None and fk is not None:
                obj = table.qualified
                existing = _indexed(table, fk.columns)
                cols = ", ".join(quote_ident(c) for c in fk.columns)
                data = {"table": table.qualified, "columns": fk.columns, "references": fk.references.table if fk.references else None,
                        "on_delete": fk.references.on_delete if fk.references else None, "index": existing}
                if existing:
                    catalog.append(Evidence(kind="catalog", detail=f"{table.qualified} ({cols}) is indexed by {existing}.", data=data))
                    fix = f"The referencing columns are indexed ({existing}); the cost is the row count: batch the change."
                else:
                    sql = f"CREATE INDEX CONCURRENTLY ON {table.qualified} ({cols});"
                    index = IndexSuggestion(table=table.qualified, columns=[quote_ident(c) for c in fk.columns], sql=sql)
                    catalog.append(
                        Evidence(kind="catalog", detail=f"No index on {table.qualified} leads with ({cols}), the columns of {trig.constraint}.", data=data)
                    )
                    message += f"; {table.qualified} ({cols}) has no index, so every call scans it"
                    fix = sql
        message += "."
        yield Insight(
            node=None,
            severity=Severity.warning if share >= T("trigger_share_warning") else Severity.advice,
            message=message,
            fix=fix,
            proof={"Trigger": trig.name, "Constraint": trig.constraint, "Time": trig.time_ms, "Calls": trig.calls},
            saving_ms=trig.time_ms * T("fk_index_saving" if index is not None else "trigger_saving"),
            index=index,
            catalog=catalog,
            object=obj,
        )
