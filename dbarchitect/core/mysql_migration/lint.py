"""lint_migration on MySQL/MariaDB: parse (sqlglot, mysql), predict each statement's online-DDL
algorithm and lock for the target's flavour and version, run the mysql_migration rules (MY1xx)."""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

from dbarchitect.core.models import sort_findings
from dbarchitect.core.mysql_migration.analyze import MyMigration, MyStatement, analyze
from dbarchitect.core.mysql_migration.context import MyLintContext
from dbarchitect.core.mysql_migration.models import MySQLMigrationReport, MyStatementPrediction
from dbarchitect.core.mysql_migration.online import DEFAULT_SERVER, Server
from dbarchitect.core.mysql_migration.parse import RawStatement, parse_migration
from dbarchitect.core.rulebook import family_modules


class MySQLLintInputError(ValueError):
    """Nothing in the text could be read as MySQL: the caller reports it as an error, never as 'no findings'."""


@lru_cache(maxsize=1)
def rules() -> tuple[ModuleType, ...]:
    return tuple(family_modules("mysql_migration"))


def migration(sql: str | list[RawStatement], *, context: MyLintContext | None = None,
              server: Server | str | None = None) -> MyMigration:  # fmt: skip
    """Parse (unless given the statements) and analyze; raises MySQLLintInputError when nothing is readable."""
    ctx = context or MyLintContext()
    raws = parse_migration(sql) if isinstance(sql, str) else sql
    if not raws:
        raise MySQLLintInputError("The migration holds no SQL statement.")
    if all(not r.understood for r in raws):
        first = raws[0]
        raise MySQLLintInputError(
            f"None of the {len(raws)} statement(s) could be read as MySQL/MariaDB (sqlglot, mysql dialect): "
            f"statement 1 (line {first.line}): {first.error}."
        )
    assumed = False
    if isinstance(server, str):
        server = Server.parse(server)
    if server is None:
        if ctx.server:
            server = Server.parse(ctx.server)
        else:
            server, assumed = DEFAULT_SERVER, True
    mig = MyMigration(server=server, ctx=ctx, server_assumed=assumed)
    mig.statements = analyze(raws, server, ctx)
    return mig


def prediction(st: MyStatement, mig: MyMigration) -> MyStatementPrediction:
    eff = st.effective
    est = st.estimated_seconds
    return MyStatementPrediction(
        index=st.index, line=st.line, sql=st.sql, kind=st.kind,
        rewrites=[st.table] if eff is not None and st.table and st.preexisting and (eff.rebuild or eff.algorithm == "COPY") else [],
        transactional=not st.ddl, in_transaction=st.in_transaction,
        creates=[st.table] if st.table and st.kind == "CREATE TABLE" else [],
        data_loss=st.data_loss, breaks_running_code=st.breaks, assumptions=st.assumptions, ignored=sorted(st.ignores),
        algorithm=eff.algorithm if eff else None, rebuild=bool(eff and (eff.rebuild or eff.algorithm == "COPY")),
        lock=eff.lock if eff else None, clause=eff.clause(mig.server) if eff else None, why=eff.why if eff else "",
        refused=st.refused, operations=[a.kind for a in st.actions],
        estimated_seconds=round(est, 1) if est is not None else None, implicit_commit=st.ddl,
        understood=st.raw.understood,
    )  # fmt: skip


def lint_mysql(sql: str | list[RawStatement], *, context: MyLintContext | None = None,
               server: Server | str | None = None, source: str | None = None) -> MySQLMigrationReport:  # fmt: skip
    """The MySQL/MariaDB lint report. Raises MySQLLintInputError (nothing readable) or
    MySQLMigrationParseError (the text cannot be tokenized)."""
    mig = migration(sql, context=context, server=server)
    findings = []
    for st in mig.statements:
        for mod in rules():
            meta = mod.RULE
            if st.ignores and ("all" in st.ignores or meta.name in st.ignores or meta.code.lower() in st.ignores):
                continue
            findings.extend(mod.check(st, mig))
    notes = []
    if mig.server_assumed:
        notes.append(f"No server was read: predictions assume {mig.server.label} (connect to use the target's flavour and version).")
    if not mig.ctx.online:
        notes.append("Offline: no table sizes, no current column definitions, no row probes.")
    return MySQLMigrationReport(
        statements=[prediction(s, mig) for s in mig.statements],
        findings=sort_findings(findings, by=("statement", "severity", "code")),
        pg_version=None, assume_in_transaction=False, runner="autocommit",
        runner_reason="MySQL/MariaDB commit every DDL statement implicitly: there is no transactional migration.",
        catalog=mig.ctx.online, source=source, server=mig.server.label, server_assumed=mig.server_assumed,
        not_understood=[f"statement {s.index} (line {s.line}): {s.raw.error}" for s in mig.statements if not s.raw.understood],
        notes=notes,
    )  # fmt: skip
