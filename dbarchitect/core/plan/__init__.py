"""Plan explanation: parse EXPLAIN (JSON of PG 12-18, or text), normalise, diagnose, rank, render.

    from dbarchitect.core.plan import explain_plan
    report = explain_plan(plan_json_or_text, sql=None, catalog=None)   # -> PlanReport
"""

from dbarchitect.core.plan.analyze import analyze_plan, explain_plan
from dbarchitect.core.plan.parse import PlanParseError, parse_plan
from dbarchitect.core.plan.render import render_report
from dbarchitect.core.plan.report import HypotheticalResult, IndexSuggestion, PlanFinding, PlanReport, PlanSummary

__all__ = [
    "HypotheticalResult",
    "IndexSuggestion",
    "PlanFinding",
    "PlanParseError",
    "PlanReport",
    "PlanSummary",
    "analyze_plan",
    "explain_plan",
    "parse_plan",
    "render_report",
]
