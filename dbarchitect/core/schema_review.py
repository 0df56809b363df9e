"""review_schema's core: run every schema rule (family SD) over a SchemaSnapshot.

The snapshot comes from a live database (`source="live"`), from DDL loaded into a scratch database
(`"scratch"`), or from DDL parsed without any server (`"parsed"`, see `schema_parse`). A rule whose
facts are missing for that source (workload counters, column statistics, the database's own
encoding) is not run; the report says which and why, so silence never passes for a clean bill.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, PrivateAttr

from dbarchitect.core.describe import require_schema
from dbarchitect.core import frameworks as fw
from dbarchitect.core.models import Finding, SchemaSnapshot, Severity, severity_counts, sort_findings
from dbarchitect.core.review_report import ReviewFinding, as_review_findings, inheritance_parents
from dbarchitect.core.rulebook import family_modules
from dbarchitect.core.rules.schema._common import FACTS, ReviewContext, Source


class RuleSkip(BaseModel):
    rule: str
    code: str
    reason: str


class SchemaReview(BaseModel):
    """What review_schema answers: findings worst first, counts per severity, and what was not checked."""

    source: Source = Field(description="live database, DDL loaded into a scratch database, or DDL parsed offline")
    database: str = ""
    schema_name: str | None = Field(default=None, description="The schema reviewed; None means all user schemas.")
    tables: int = Field(default=0, description="Tables reviewed.")
    findings: list[ReviewFinding] = Field(default_factory=list, description="One per rule, ranked by impact.")
    counts: dict[str, int] = Field(default_factory=dict, description="Findings per severity.")
    summary: list[str] = Field(default_factory=list, description="One line per impact family.")
    next_cursor: str | None = Field(default=None, description="Pass as cursor for the next page.")
    cut: str | None = Field(default=None, description="What this page left out and how to get it.")
    frameworks: list[str] = Field(default_factory=list, description="Framework profiles detected or applied.")
    rules_run: list[str] = Field(default_factory=list, description="Codes of the rules that ran.")
    skipped: list[RuleSkip] = Field(default_factory=list, description="Rules not run, with the missing fact.")
    notes: list[str] = Field(default_factory=list)
    _parents: dict[str, str] = PrivateAttr(default_factory=dict)  # inheritance child -> parent, for grouping

    def at_least(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity.rank >= severity.rank]


def available_facts(snapshot: SchemaSnapshot, source: Source, schema: str | None = None) -> dict[str, str | None]:
    """Each fact mapped to None when available, else to the reason it is missing."""
    tables = [t for t in snapshot.tables if schema is None or t.schema_name == schema]
    missing: dict[str, str | None] = {fact: None for fact in FACTS}
    if source == "parsed":
        missing["catalog"] = FACTS["catalog"]
    if not any(c.null_frac is not None for t in tables for c in t.columns):
        missing["column_statistics"] = (
            "needs pg_stats (null_frac): parsed DDL has no data"
            if source == "parsed"
            else FACTS["column_statistics"]
        )
    if not any(t.stats.inserts + t.stats.updates + t.stats.deletes for t in tables):
        missing["workload"] = (
            "needs workload counters (pg_stat_user_tables): the DDL wrote no rows"
            if source != "live"
            else FACTS["workload"]
        )
    if source == "scratch":
        missing["encoding"] = "the scratch database's encoding is the scratch cluster's, not your database's"
    elif source == "parsed" or not snapshot.encoding:
        missing["encoding"] = FACTS["encoding"]
    return missing


def review(
    snapshot: SchemaSnapshot,
    *,
    schema: str | None = None,
    source: Source = "live",
    ddl: str | None = None,
    function_sources: dict[str, str] | None = None,
    notes: list[str] | None = None,
    engine: str | None = None,
) -> SchemaReview:
    """Run every schema rule whose facts are available (and, with `engine`, that applies to it).

    `ddl` (when reviewing DDL text) lets the identifier rules see names before PostgreSQL truncates
    them; `function_sources` (trigger function name as in `Trigger.function` -> body) lets the
    updated_at rule tell a trigger that sets the column from one that does something else."""
    require_schema(snapshot, schema)
    facts = available_facts(snapshot, source, schema)
    ctx = ReviewContext(
        source=source,
        schema=schema,
        facts=frozenset(f for f, why in facts.items() if why is None),
        ddl=ddl,
        function_sources=dict(function_sources or {}),
    )
    findings: list[Finding] = []
    run: list[str] = []
    skipped: list[RuleSkip] = []
    for mod in family_modules("schema"):
        meta = mod.RULE
        if engine is not None and not meta.applies_to(engine):
            continue
        lacking = [f for f in sorted(getattr(mod, "NEEDS", frozenset())) if facts.get(f)]
        if lacking:
            skipped.append(RuleSkip(rule=meta.name, code=meta.code, reason="; ".join(facts[f] for f in lacking)))
            continue
        run.append(meta.code)
        findings.extend(mod.check(snapshot, ctx))
    chosen, _ = fw.choose(snapshot, "auto", schema)  # folded by the tool (`framework=` overrides)
    findings = sort_findings(findings, by=("severity", "code", "object"))
    counts = severity_counts(findings)
    report = SchemaReview(
        source=source,
        database=snapshot.database,
        schema_name=schema,
        tables=len(ctx.tables(snapshot)),
        findings=as_review_findings(findings),
        counts=counts,
        frameworks=chosen,
        rules_run=run,
        skipped=skipped,
        notes=[*(notes or []), *ctx.notes],
    )
    report._parents = inheritance_parents(snapshot)
    return report
