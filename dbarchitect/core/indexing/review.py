"""review_indexes' core: run every index rule (family IX) over a snapshot plus per-index facts, and
the schema rules for the index patterns both reviews report (`SCHEMA_RULES`): one rule module per
pattern, whichever review asks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr

from dbarchitect.core.describe import require_schema
from dbarchitect.core.models import Finding, SchemaSnapshot, severity_counts, sort_findings
from dbarchitect.core.rules.index._common import IndexContext
from dbarchitect.core.rulebook import family_modules
from dbarchitect.core.review_report import ReviewFinding, as_review_findings, inheritance_parents
from dbarchitect.core.rules.schema import duplicate_index, foreign_key_without_index, redundant_prefix_index
from dbarchitect.core.rules.schema._common import ReviewContext

#: schema rules that are also index review rules (they replaced IX005, IX002 and IX003)
SCHEMA_RULES = (foreign_key_without_index, duplicate_index, redundant_prefix_index)


class IndexReview(BaseModel):
    """What review_indexes answers: findings worst first, each with fix DDL and its undo."""

    database: str = ""
    schema_name: str | None = None
    indexes: int = Field(default=0, description="Indexes reviewed.")
    stats_reset: str | None = Field(default=None, description="When the usage counters were last reset.")
    stats_age_days: float | None = Field(default=None, description="How old the usage statistics are.")
    findings: list[ReviewFinding] = Field(default_factory=list, description="One per rule, ranked by impact.")
    counts: dict[str, int] = Field(default_factory=dict)
    summary: list[str] = Field(default_factory=list, description="One line per impact family.")
    next_cursor: str | None = Field(default=None, description="Pass as cursor for the next page.")
    cut: str | None = Field(default=None, description="What this page left out and how to get it.")
    rules_run: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    _parents: dict[str, str] = PrivateAttr(default_factory=dict)  # inheritance child -> parent, for grouping


def review(snapshot: SchemaSnapshot, facts: Mapping[str, Mapping[str, Any]] | None = None,
           *, schema: str | None = None, engine: str | None = None) -> IndexReview:  # fmt: skip
    """`facts`: per `schema.index` btree facts (pages, tuples, key widths, block size) for the bloat estimate;
    `engine`: run only the rules that apply to it."""
    require_schema(snapshot, schema)
    ctx = IndexContext.build(snapshot, facts or {}, schema=schema)
    sctx = ReviewContext(source="live", schema=schema)
    findings: list[Finding] = []
    run = []
    for mod in family_modules("index"):
        if engine is not None and not mod.RULE.applies_to(engine):
            continue
        run.append(mod.RULE.code)
        findings.extend(mod.check(snapshot, ctx))
    for mod in SCHEMA_RULES:
        if engine is not None and not mod.RULE.applies_to(engine):
            continue
        run.append(mod.RULE.code)
        findings.extend(mod.check(snapshot, sctx))
    findings = sort_findings(findings, by=("severity", "code", "object"))
    counts = severity_counts(findings)
    report = IndexReview(
        database=snapshot.database,
        schema_name=schema,
        indexes=sum(len(t.indexes) for t in ctx.tables),
        stats_reset=snapshot.stats_reset,
        stats_age_days=ctx.stats_age_days,
        findings=as_review_findings(findings),
        counts=counts,
        rules_run=run,
        notes=ctx.notes,
    )
    report._parents = inheritance_parents(snapshot)
    return report
