"""Plan insights (family "plan", codes PL001-PL026): one module per insight.

Each module has `RULE` and `check(ctx: PlanContext) -> Iterable[Insight]` (see
`dbarchitect.core.plan.insight`). Every number a rule compares against comes from
`dbarchitect.core.plan.thresholds` (tests/unit/plan/test_thresholds.py scans for bare ones). Its cases
are tests/fixtures/rules/plan/<rule-name>.yaml, naming captured plans of tests/fixtures/plans.
"""
