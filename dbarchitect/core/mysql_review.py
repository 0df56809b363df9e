"""review_schema's core on MySQL/MariaDB: run the `mysql_schema` rule family (codes MY0xx) over a
snapshot read from information_schema. The PostgreSQL `schema` family never runs here: its advice
(timestamptz, jsonb, identity columns, CONCURRENTLY, lower(email) indexes) is wrong on MySQL."""

from __future__ import annotations

from dbarchitect.core.describe import require_schema
from dbarchitect.core.models import Finding, SchemaSnapshot, severity_counts, sort_findings
from dbarchitect.core.review_report import as_review_findings
from dbarchitect.core.rulebook import family_modules
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext
from dbarchitect.core.schema_review import RuleSkip, SchemaReview

#: what a rule's NEEDS name means when it is missing (parsed DDL has no server)
MISSING = {"server": "needs the server's settings (sql_mode); DDL text does not carry them"}


def review_mysql(snapshot: SchemaSnapshot, *, schema: str | None = None, source: str = "live") -> SchemaReview:
    """`source="parsed"`: a snapshot from DDL text (core/mysql_ddl_parse.py), rules needing the server skipped."""
    require_schema(snapshot, schema)
    ctx = MySQLReviewContext(schema=schema)
    findings: list[Finding] = []
    run: list[str] = []
    skipped: list[RuleSkip] = []
    for mod in family_modules("mysql_schema"):
        if not mod.RULE.applies_to("mysql"):
            continue
        if source == "parsed" and "server" in getattr(mod, "NEEDS", ()):
            skipped.append(RuleSkip(rule=mod.RULE.name, code=mod.RULE.code, reason=MISSING["server"]))
            continue
        run.append(mod.RULE.code)
        findings.extend(mod.check(snapshot, ctx))
    findings = sort_findings(findings, by=("severity", "code", "object"))
    counts = severity_counts(findings)
    flavor = snapshot.mysql.flavor if snapshot.mysql else "MySQL"
    note = (
        f"{flavor} {snapshot.server_version}: MySQL rules (MY0xx) ran; PostgreSQL rules do not apply."
        if source == "live"
        else "MySQL DDL parsed without a server (sqlglot): MySQL rules (MY0xx) ran on what the text says; "
        "engines default to InnoDB, character sets not written stay unknown."
    )
    return SchemaReview(
        source="live" if source == "live" else "parsed",
        database=snapshot.database,
        schema_name=schema,
        tables=len(ctx.tables(snapshot)),
        findings=as_review_findings(findings),
        counts=counts,
        rules_run=run,
        skipped=skipped,
        notes=[note, *ctx.notes],
    )
