"""dry_run_migration's report on MySQL/MariaDB: the shared DryRunReport with what the server did.

Per statement: the ALGORITHM/LOCK the server accepted (each ALTER without its own clauses is first
offered ALGORITHM=INSTANT, then NOCOPY (MariaDB), INPLACE, with LOCK=NONE, SHARED, EXCLUSIVE; the
first combination the server accepts is the observation), whether the table was rebuilt (its InnoDB
table id changed), rows affected (a COPY reports every row it copied), warnings, time and errors.
"""

from __future__ import annotations

from pydantic import Field

from dbarchitect.core.migration.dryrun_models import DryRunReport, ShadowInfo, StatementObservation
from dbarchitect.core.models import Evidence, Finding, Severity


class MyObservation(StatementObservation):
    algorithm: str | None = Field(default=None, description="INSTANT / INPLACE / COPY the server accepted.")
    lock: str | None = Field(default=None, description="The weakest LOCK= the server accepted.")
    rebuilt: list[str] = Field(default_factory=list, description="Tables whose InnoDB table id changed.")
    rows_affected: int | None = None
    warnings: list[str] = Field(default_factory=list)
    tries: list[str] = Field(default_factory=list, description="ALGORITHM/LOCK combinations refused before the accepted one.")


class MyShadowInfo(ShadowInfo):
    source: str = "show_create_table"  # type: ignore[assignment]
    sample_rows_per_table: int = 0


class MyDryRunReport(DryRunReport):
    statements: list[MyObservation] = Field(default_factory=list)  # type: ignore[assignment]
    shadow: MyShadowInfo  # type: ignore[assignment]
    engine: str = "mysql"
    server: str = ""


def _finding(rule: str, code: str, severity: Severity, message: str, *, statement: int | None, line: int | None,
             obj: str | None, detail: str, data: dict, fix: str | None = None) -> Finding:  # fmt: skip
    return Finding(rule=rule, code=code, severity=severity, message=message, fix=fix, statement=statement, line=line,
                   object=obj, evidence=[Evidence(kind="dry_run", detail=detail, data=data)])  # fmt: skip


def findings(report: MyDryRunReport) -> list[Finding]:
    out = []
    for s in report.statements:
        if s.status == "error" and s.error:
            before = [x.index for x in report.statements if x.index < s.index and x.status == "ok"]
            kept = (f" Statements {', '.join(map(str, before))} already ran and stay applied: DDL commits implicitly."
                    if before else "")  # fmt: skip
            out.append(_finding("dry-run-statement-failed", "MG901", Severity.error,
                                f"Statement {s.index} failed on the scratch copy: {s.error.message}. The migration stops here.{kept}",
                                statement=s.index, line=s.line, obj=None, detail=f"error {s.error.sqlstate}: {s.error.message}",
                                data=s.error.model_dump()))  # fmt: skip
        if s.status == "refused" and s.error:
            out.append(_finding("dry-run-statement-refused", "MG905", Severity.warning, f"Statement {s.index} was not run: {s.error.message}",
                                statement=s.index, line=s.line, obj=None, detail=s.error.message, data={}))  # fmt: skip
        if isinstance(s, MyObservation):
            for t in s.rebuilt:
                how = "copied row by row (ALGORITHM=COPY)" if s.algorithm == "COPY" else "rebuilt in place"
                out.append(_finding("dry-run-rewrite-observed", "MG906", Severity.info,
                                    f"Statement {s.index} {how} {t}" + (f" under LOCK={s.lock}" if s.lock else "")
                                    + ": time grows with the table's size.",
                                    statement=s.index, line=s.line, obj=t,
                                    detail=f"the InnoDB table id of {t} changed; rows affected {s.rows_affected}",
                                    data={"algorithm": s.algorithm, "lock": s.lock, "rows_affected": s.rows_affected}))  # fmt: skip
    for c in report.disagreements:
        obs = next((s for s in report.statements if s.index == c.statement), None)
        out.append(_finding("dry-run-prediction-mismatch", "MG902", Severity.warning,
                            f"Statement {c.statement}: the lint predicted {c.predicted} ({c.aspect}), the server did {c.observed}.",
                            statement=c.statement, line=obs.line if obs else None, obj=c.relation,
                            detail=f"{c.aspect}: predicted {c.predicted}, observed {c.observed}" + (f" ({c.note})" if c.note else ""),
                            data=c.model_dump()))  # fmt: skip
    rev = report.reversibility
    if rev is not None and rev.checked and not rev.reversible:
        shown = "; ".join(f"{d.key} {d.change}" for d in rev.differences[:5])
        out.append(_finding("dry-run-not-reversible", "MG903", Severity.error,
                            f"The down migration does not restore the schema: {shown}.", statement=None, line=None, obj=None,
                            detail=f"{len(rev.differences)} SHOW CREATE TABLE differences after up then down",
                            data={"differences": [d.model_dump() for d in rev.differences[:50]]},
                            fix="Make the down migration recreate exactly what the up migration changed (column order, "
                                "types, defaults, indexes)."))  # fmt: skip
    return out


def render_text(r: MyDryRunReport) -> str:
    sh = r.shadow
    verdict = "ran cleanly" if r.ok else "timed out" if r.timed_out else "found problems"
    out = [f"Dry run {verdict} on a scratch database on the same server ({r.server}; {sh.tables} tables copied with SHOW "
           f"CREATE TABLE, up to {getattr(sh, 'sample_rows_per_table', 0)} rows each, {sh.rows_seeded} rows; scratch "
           f"{sh.database} {'dropped' if sh.dropped else 'NOT dropped'}) in {r.duration_ms / 1000:.1f} s."]  # fmt: skip
    out += [f"Note: {n}" for n in sh.notes]
    for s in r.statements:
        head = f"#{s.index} (line {s.line}) {s.kind} [{s.status}]"
        if s.error:
            out.append(f"{head}: {s.error.message}")
            continue
        parts = []
        if isinstance(s, MyObservation):
            if s.algorithm:
                parts.append(f"ALGORITHM={s.algorithm}" + (f", LOCK={s.lock}" if s.lock else ""))
            if s.rebuilt:
                parts.append("REBUILT " + ", ".join(s.rebuilt))
            if s.rows_affected:
                parts.append(f"{s.rows_affected} rows affected")
            if s.warnings:
                parts.append(f"{len(s.warnings)} warning(s): {s.warnings[0]}")
        parts.append(f"{s.duration_ms:.0f} ms")
        out.append(f"{head}: " + "; ".join(parts))
    if r.predicted:
        agree = len(r.comparisons) - len(r.disagreements)
        out.append(f"Predicted vs observed: {agree}/{len(r.comparisons)} agree.")
        out += [f"  ✗ #{c.statement} {c.aspect}: predicted {c.predicted}, observed {c.observed}" for c in r.disagreements]
    rev = r.reversibility
    if rev is not None:
        if not rev.checked:
            out.append(f"Reversibility not checked: {rev.reason}.")
        elif rev.reversible:
            out.append("Reversible: up then down restored every table's SHOW CREATE TABLE.")
        else:
            out.append(f"NOT reversible: {len(rev.differences)} difference(s) after up then down:")
            for d in rev.differences[:10]:
                out.append(f"  {d.change}: {d.key}")
                if d.change == "changed" and d.before and d.after:
                    b, a = d.before.splitlines(), d.after.splitlines()
                    out += [f"    before: {x.strip()}" for x in b if x not in a][:5]
                    out += [f"    after:  {x.strip()}" for x in a if x not in b][:5]
    for f in r.findings:
        out.append(f"- [{f.severity.value}] {f.code} {f.rule}: {f.message}")
    return "\n".join(out)
