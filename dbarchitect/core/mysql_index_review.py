"""review_indexes' core on MySQL/MariaDB: the `mysql_index` rule family (MY4xx: duplicates through
InnoDB's implicit primary-key suffix, unused indexes, low-cardinality indexes) and the two index
rules of the MySQL schema review (MY007 duplicate, MY008 redundant prefix), over a snapshot plus the
server's index facts (`MySQLIndexFacts`). The PostgreSQL index rules never run here."""

from __future__ import annotations

from dbarchitect.core.indexing.review import IndexReview
from dbarchitect.core.models import Finding, SchemaSnapshot, severity_counts, sort_findings
from dbarchitect.core.review_report import as_review_findings
from dbarchitect.core.rulebook import family_modules
from dbarchitect.core.rules.mysql_index._common import MySQLIndexContext, MySQLIndexFacts, fk_needs, innodb
from dbarchitect.core.rules.mysql_schema import duplicate_index, redundant_prefix_index
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext

#: MySQL schema rules that are also index review rules
SCHEMA_RULES = (duplicate_index, redundant_prefix_index)


def review_mysql_indexes(snapshot: SchemaSnapshot, facts: MySQLIndexFacts | None = None,
                         *, schema: str | None = None) -> IndexReview:  # fmt: skip
    facts = facts or MySQLIndexFacts()
    ctx = MySQLIndexContext(facts=facts, schema=schema)
    findings: list[Finding] = []
    run: list[str] = []
    for mod in SCHEMA_RULES:
        run.append(mod.RULE.code)
        findings.extend(mod.check(snapshot, MySQLReviewContext(schema=schema)))
    for mod in family_modules("mysql_index"):
        run.append(mod.RULE.code)
        findings.extend(mod.check(snapshot, ctx))
    findings = sort_findings(findings, by=("severity", "code", "object"))
    tables = ctx.tables(snapshot)
    return IndexReview(
        database=snapshot.database,
        schema_name=schema,
        indexes=sum(len(t.indexes) for t in tables),
        stats_age_days=facts.stats_age_days if facts.usage_source else None,
        findings=as_review_findings(findings),
        counts=severity_counts(findings),
        rules_run=run,
        notes=[*_notes(snapshot, tables, facts), *ctx.notes],
    )


def _notes(snapshot: SchemaSnapshot, tables, facts: MySQLIndexFacts) -> list[str]:
    flavor = snapshot.mysql.flavor if snapshot.mysql else "MySQL"
    usage = (f"index usage from {facts.usage_source} ({facts.usage_detail})" if facts.usage_source
             else f"index usage unknown ({facts.usage_detail or 'no usage source enabled'})")  # fmt: skip
    fks = [(t, fk) for t in tables for fk in t.foreign_keys]
    unsupported = [f"{t.qualified}.{fk.name}" for t, fk in fks
                   if not any(list(i.columns[: len(fk.columns)]) == list(fk.columns) for i in t.indexes)]  # fmt: skip
    fk_note = (
        f"{len(fks)} foreign key(s): each has an index leading with its columns (InnoDB requires one and "
        "creates it when missing)." if not unsupported
        else f"Foreign key(s) without an index leading with their columns: {', '.join(unsupported[:10])}."
    )
    non_innodb = [t.qualified for t in tables if not innodb(t)]
    notes = [f"{flavor} {snapshot.server_version}: MySQL index rules (MY007, MY008, MY4xx) ran; {usage}.", fk_note]
    if non_innodb:
        notes.append(f"Not InnoDB (no implicit primary-key suffix, no in-place DROP INDEX): {', '.join(non_innodb[:10])}.")
    kept = [f"{t.qualified}.{i.name}" for t in tables for i in t.indexes if not (i.primary or i.unique) and fk_needs(t, i)]
    if kept:
        notes.append(f"Never advised away (the only index of a foreign key; InnoDB refuses to drop it): {', '.join(kept[:10])}.")
    return notes
