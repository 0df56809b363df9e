"""Fixes that hold: a review's fix is linted by the project's own migration lint (against the live
catalog) before it is offered, and the fix says what the lint found.

`fix_sql` is the runnable part of a fix (comment lines dropped); `annotate` takes the lint's
MigrationReport for it and returns the finding with the verdict written at the top of the fix
(`-- checked by lint_migration: ...`) and as evidence. A fix whose statements take a strong lock gets
`SET lock_timeout` in front (what the lint would ask for), so it fails fast instead of queueing
every query behind it.
"""

from __future__ import annotations

import re

from dbarchitect.core.migration.models import MigrationReport
from dbarchitect.core.models import Evidence, Finding, Severity

LOCK_TIMEOUT = "SET lock_timeout = '3s';  -- fail fast instead of queueing every query behind this lock"
#: lint rules the annotation handles itself (the lock timeout is added to the fix)
HANDLED = {"missing-lock-timeout"}
STRONG = {"ACCESS EXCLUSIVE", "EXCLUSIVE", "SHARE ROW EXCLUSIVE", "SHARE"}


def fix_sql(fix: str | None) -> str | None:
    """The statements of a fix, or None when it is advice in comments only (or has a <placeholder>)."""
    if not fix:
        return None
    lines = [ln for ln in fix.splitlines() if ln.strip() and not ln.lstrip().startswith("--")]
    sql = "\n".join(lines).strip()
    if not sql or re.search(r"<[a-z][a-z ]*>", sql):
        return None
    return sql


def _first_sentence(text: str, cap: int = 180) -> str:
    s = re.split(r"(?<=\.)\s", text.strip(), maxsplit=1)[0]
    return s if len(s) <= cap else s[: cap - 1] + "…"


def _handled_view(f: Finding, fix: str) -> bool:
    """A hazard about a view the fix itself drops and re-creates in the same transaction (the lint reads
    the catalog as it is before the fix: the view is still there, and dropping a view loses no data)."""
    recreated = re.findall(r"CREATE (?:MATERIALIZED )?VIEW (\S+) AS", fix)
    names = {n for q in recreated for n in (q, q.rsplit(".", 1)[-1])}
    if not names or not any(re.search(rf"\b{re.escape(n)}\b", f.message) for n in names):
        return False
    return f.rule == "drop-table-or-truncate" or (f.rule == "alter-column-type-rewrite" and "fails" in f.message)


def _handled_swap(f: Finding, fix: str) -> bool:
    """A rename or drop that is the fix's own expand/contract swap: `a` renamed away and a new column
    renamed to `a` in one transaction (the application keeps its column name), the old values dropped
    in the contract phase after they were copied (the lint reads the catalog as it is before the fix)."""
    if f.rule not in ("rename-column", "drop-column"):
        return False
    renames = re.findall(r"RENAME COLUMN (\S+) TO (\S+);", fix)
    swaps = {(old, away) for old, away in renames if any(to == old for _, to in renames)}
    for old, away in swaps:
        if f.rule == "drop-column" and f"DROP COLUMN {away} " in f.message:
            return True
        if f.rule == "rename-column" and any(f"RENAME COLUMN {a} TO {b} " in f.message
                                             for a, b in renames if old in (a, b)):  # fmt: skip
            return True
    return False


def annotate(finding: Finding, report: MigrationReport) -> Finding:
    """The finding with the lint's verdict on its fix: hazards named, the cost stated, lock_timeout set."""
    if report.parse_error or finding.fix is None:
        return finding
    hazards = [f for f in report.findings if f.severity.rank >= Severity.warning.rank and f.rule not in HANDLED
               and not _handled_view(f, finding.fix) and not _handled_swap(f, finding.fix)]  # fmt: skip
    locks = sorted({f"{mode} on {rel}" for st in report.statements for rel, mode in st.locks.items() if mode in STRONG})
    rewrites = sorted({r for st in report.statements for r in st.rewrites})
    cost = []
    if locks:
        cost.append("locks " + ", ".join(locks))
    if rewrites:
        cost.append("rewrites " + ", ".join(rewrites))
    if hazards:
        head = [f"-- checked by lint_migration on this database: {len(hazards)} hazard(s)"
                + (f" ({'; '.join(cost)})" if cost else "") + "; what it costs:"]
        head += [f"--   {f.severity.value} {f.code} {f.rule}: {_first_sentence(f.message)}" for f in hazards[:4]]
    else:
        head = ["-- checked by lint_migration on this database: no hazard" + (f" ({'; '.join(cost)})" if cost else "")]
    fix = finding.fix
    needs_timeout = any(f.rule == "missing-lock-timeout" for f in report.findings) and "lock_timeout" not in fix
    if needs_timeout:
        fix = f"{LOCK_TIMEOUT}\n{fix}"
    detail = (f"lint_migration on the live catalog: {len(hazards)} hazard(s)"
              + (f" ({', '.join(f'{f.code} {f.rule}' for f in hazards[:4])})" if hazards else "")
              + (f"; {'; '.join(cost)}" if cost else ""))  # fmt: skip
    evidence = Evidence(kind="static", detail=detail,
                        data={"hazards": [f.code for f in hazards], "locks": locks, "rewrites": rewrites})  # fmt: skip
    return finding.model_copy(update={"fix": "\n".join([*head, fix]), "evidence": [*finding.evidence, evidence]})
