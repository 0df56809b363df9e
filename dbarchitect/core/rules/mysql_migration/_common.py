"""What the MySQL migration rules share: the rule constructor, the finding wrapper (the statement's
prediction and catalog facts as evidence), size thresholds and the online-schema-change commands."""

from __future__ import annotations

import re

from dbarchitect.core.models import Evidence, Finding, Severity
from dbarchitect.core.mysql_migration.analyze import ASSUMED_MB_PER_S, MyMigration, MyStatement, human_seconds, table_bytes_text
from dbarchitect.core.rulebook import RuleMeta

MYSQL = frozenset({"mysql"})
#: a copy or rebuild longer than this (at the assumed MB/s) is worth an online schema change tool
LONG_SECONDS = 60.0
#: a table copy of a table this large or larger is an error rather than a warning
LARGE_BYTES = 1024**3


def rule(name: str, code: str, severity: Severity, summary: str) -> RuleMeta:
    return RuleMeta(name=name, code=code, family="mysql_migration", severity=severity, summary=summary, engines=MYSQL)


def evidence(st: MyStatement, mig: MyMigration) -> list[Evidence]:
    out = []
    eff = st.effective
    if eff is not None:
        out.append(Evidence(
            kind="static",
            detail=f"{mig.server.label}{' (assumed)' if mig.server_assumed else ''}: {eff.algorithm}"
                   f"{', rebuild' if eff.rebuild and eff.algorithm != 'COPY' else ''}, LOCK={eff.lock} — {eff.why}",
            data={"server": mig.server.label, "algorithm": eff.algorithm, "rebuild": eff.rebuild, "lock": eff.lock,
                  "operations": [a.kind for a in st.actions]},
        ))  # fmt: skip
    if st.preexisting and (st.total_bytes or st.rows is not None):
        out.append(Evidence(kind="catalog", detail=f"{st.table}: {table_bytes_text(st)} (information_schema.tables estimates)",
                            data={"table": st.table, "rows": st.rows, "total_bytes": st.total_bytes}))  # fmt: skip
    return out


def finding(rule_meta: RuleMeta, st: MyStatement, mig: MyMigration, *, message: str, fix: str | None = None,
            extra: list[Evidence] | None = None, severity: Severity | None = None, obj: str | None = None) -> Finding:  # fmt: skip
    return rule_meta.finding(message=message, fix=fix, evidence=[*evidence(st, mig), *(extra or [])], obj=obj or st.table,
                             severity=severity, statement=st.index, line=st.line)  # fmt: skip


_ALTER_HEAD = re.compile(r"^\s*ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+(?:`(?:[^`]|``)+`|[\w$.`]+)\s+", re.IGNORECASE)
_CLAUSE = re.compile(r"\s*,?\s*\b(?:ALGORITHM|LOCK)\s*=?\s*\w+", re.IGNORECASE)
_CREATE_INDEX = re.compile(r"^\s*CREATE\s+(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\s+(\S+)\s+ON\s+\S+\s*(\(.*\))", re.IGNORECASE | re.DOTALL)


def alter_spec(st: MyStatement) -> str | None:
    """The statement's ALTER TABLE operations without the head and the ALGORITHM/LOCK clauses (what
    gh-ost's --alter and pt-online-schema-change's --alter take); None when it is no ALTER."""
    text = st.sql.strip().rstrip(";")
    if m := _CREATE_INDEX.match(text):
        return f"ADD {(m.group(1) or '').strip().upper() + ' ' if m.group(1) else ''}INDEX {m.group(2)} {m.group(3)}"
    m = _ALTER_HEAD.match(text)
    if not m:
        return None
    return _CLAUSE.sub("", text[m.end():]).strip().rstrip(",").strip()


def with_clause(st: MyStatement, clause: str) -> str:
    """The statement rewritten as ALTER TABLE with `clause` (ALGORITHM=…, LOCK=…) at its end."""
    spec = alter_spec(st)
    table = st.table or "t"
    name = table.split(".", 1)[1] if "." in table else table
    if spec is None:
        return st.sql.rstrip().rstrip(";") + ";"
    return f"ALTER TABLE {name} {spec}, {clause};"


def osc_commands(st: MyStatement) -> str:
    spec = (alter_spec(st) or "…").replace('"', '\\"')
    db, _, name = (st.table or "db.t").partition(".")
    return (f'gh-ost --database={db} --table={name} --alter="{spec}" --execute\n'
            f'-- or: pt-online-schema-change --alter "{spec}" D={db},t={name} --execute')  # fmt: skip


def duration_text(st: MyStatement) -> str:
    est = st.estimated_seconds
    if est is None:
        return ""
    return f"; at an assumed {ASSUMED_MB_PER_S:g} MB/s that is {human_seconds(est)} for {table_bytes_text(st)}"


def long(st: MyStatement) -> bool:
    est = st.estimated_seconds
    return est is not None and est >= LONG_SECONDS
