"""review_security's engine (pure): run the security rules over `SecurityFacts`."""

from __future__ import annotations

from pydantic import BaseModel, Field

from dbarchitect.core.health.facts import Unchecked
from dbarchitect.core.models import Finding
from dbarchitect.core.rulebook import family_modules
from dbarchitect.core.security.facts import SecurityFacts


class SecurityReview(BaseModel):
    """What review_security answers: findings worst first, each with its catalog proof and fix."""

    database: str
    findings: list[Finding] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict, description="Findings per severity.")
    unchecked: list[Unchecked] = Field(default_factory=list, description="What could not be checked, why, and the GRANT that enables it.")
    rules_run: list[str] = Field(default_factory=list)


def judge(facts: SecurityFacts) -> SecurityReview:
    findings: list[Finding] = []
    modules = family_modules("security")
    for m in modules:
        findings.extend(m.check(facts))
    findings.sort(key=lambda f: (-f.severity.rank, f.code, f.object or ""))
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    return SecurityReview(database=facts.database, findings=findings, counts=counts, unchecked=facts.unchecked,
                          rules_run=[m.RULE.code for m in modules])
