"""Plan insights (family "plan", codes PL001-PL026): one module per insight.

Each module has `RULE` and `check(ctx: PlanContext) -> Iterable[Insight]` (see
`dbarchitect.core.plan.insight`). Numbers come from `dbarchitect.core.plan.thresholds`.
"""
