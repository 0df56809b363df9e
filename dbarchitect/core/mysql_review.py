"""review_schema's core on MySQL/MariaDB: run the `mysql_schema` rule family (codes MY0xx) over a
snapshot read from information_schema. The PostgreSQL `schema` family never runs here: its advice
(timestamptz, jsonb, identity columns, CONCURRENTLY, lower(email) indexes) is wrong on MySQL."""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import family_modules
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext
from dbarchitect.core.schema_review import SchemaReview


def review_mysql(snapshot: SchemaSnapshot, *, schema: str | None = None) -> SchemaReview:
    ctx = MySQLReviewContext(schema=schema)
    findings: list[Finding] = []
    run: list[str] = []
    for mod in family_modules("mysql_schema"):
        if not mod.RULE.applies_to("mysql"):
            continue
        run.append(mod.RULE.code)
        findings.extend(mod.check(snapshot, ctx))
    findings.sort(key=lambda f: (-f.severity.rank, f.code, f.object or ""))
    counts = {s.value: 0 for s in Severity}
    for f in findings:
        counts[f.severity.value] += 1
    flavor = snapshot.mysql.flavor if snapshot.mysql else "MySQL"
    return SchemaReview(
        source="live",
        database=snapshot.database,
        schema_name=schema,
        tables=len(ctx.tables(snapshot)),
        findings=findings,
        counts=counts,
        rules_run=run,
        notes=[f"{flavor} {snapshot.server_version}: MySQL rules (MY0xx) ran; PostgreSQL rules do not apply.", *ctx.notes],
    )
