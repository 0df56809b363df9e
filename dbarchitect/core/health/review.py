"""review_health's engine (pure): run the health rules over `HealthFacts`, attach the index review.

Every health rule module has a `CHECK` (the category a caller may select with `checks=`) and a
`check(facts) -> iterable of Finding`.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from dbarchitect.core.health.facts import HealthFacts, Unchecked
from dbarchitect.core.models import Finding
from dbarchitect.core.rulebook import family_modules

CHECKS = ("wraparound", "sequences", "vacuum", "indexes", "connections", "replication", "cache", "config")


class HealthReview(BaseModel):
    """What review_health answers: findings worst first, each with its numbers, fix and its cost."""

    database: str
    checks: list[str] = Field(description="The categories checked.")
    findings: list[Finding] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict, description="Findings per severity.")
    unchecked: list[Unchecked] = Field(default_factory=list, description="What could not be checked, why, and the GRANT that enables it.")
    index_summary: dict[str, int] = Field(default_factory=dict, description="review_indexes findings per rule (indexes check).")
    rules_run: list[str] = Field(default_factory=list)


def select_checks(checks: list[str] | None) -> list[str]:
    if not checks:
        return list(CHECKS)
    unknown = [c for c in checks if c not in CHECKS]
    if unknown:
        raise ValueError(f"Unknown check(s) {', '.join(unknown)}; choose from {', '.join(CHECKS)}.")
    return [c for c in CHECKS if c in checks]


def review_health(facts: HealthFacts, checks: list[str] | None = None, index_findings: list[Finding] | None = None) -> HealthReview:
    chosen = select_checks(checks)
    findings: list[Finding] = []
    run = []
    for module in family_modules("health"):
        if module.CHECK not in chosen:
            continue
        run.append(module.RULE.code)
        findings.extend(module.check(facts))
    summary: dict[str, int] = {}
    if "indexes" in chosen and index_findings is not None:
        for f in index_findings:
            summary[f"{f.code} {f.rule}"] = summary.get(f"{f.code} {f.rule}", 0) + 1
        findings.extend(index_findings)
    findings.sort(key=lambda f: (-f.severity.rank, f.code, f.object or ""))
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    return HealthReview(database=facts.database, checks=chosen, findings=findings, counts=counts,
                        unchecked=facts.unchecked, index_summary=summary, rules_run=run)
