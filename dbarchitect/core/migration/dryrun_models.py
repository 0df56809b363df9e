"""What a dry run observed, and how it compares with what the lint predicted.

Pure data and pure logic: `dbarchitect.live.postgres.dryrun` fills `StatementObservation`s on a
shadow database; `compare_statement` lines each one up with the lint's `StatementPrediction`
(same statement numbering: both come from pglast's split of the same text), and
`CatalogFingerprint.diff` says exactly what a down migration failed to restore.

Vocabulary shared with `dbarchitect.core.migration.models`: relations are `schema.name` as they
were named *before the migration started*; lock modes are `pg_locks.mode` names.
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from pydantic import BaseModel, Field

from dbarchitect.core.migration.models import LOCK_RANK, LOCK_SQL_NAME, StatementPrediction, stronger_lock
from dbarchitect.core.models import Evidence, Finding, Severity

# Relation kinds whose locks the prediction models (pg_class.relkind -> word).
RELKIND_NAMES: dict[str, str] = {
    "r": "table",
    "p": "partitioned table",
    "m": "materialized view",
    "v": "view",
    "f": "foreign table",
    "i": "index",
    "I": "partitioned index",
    "S": "sequence",
    "c": "composite type",
    "t": "toast table",
}
TABLE_LEVEL_KINDS = frozenset({"table", "partitioned table", "materialized view", "view", "foreign table"})

# Findings the dry run emits. Codes MG901-MG909 are reserved for dry-run observations.
DRY_RUN_RULES: dict[str, tuple[str, Severity]] = {
    "dry-run-statement-failed": ("MG901", Severity.error),
    "dry-run-prediction-mismatch": ("MG902", Severity.warning),
    "dry-run-not-reversible": ("MG903", Severity.error),
    "dry-run-data-not-restored": ("MG904", Severity.warning),
    "dry-run-statement-refused": ("MG905", Severity.warning),
    "dry-run-rewrite-observed": ("MG906", Severity.info),
}


def _finding(rule: str, message: str, *, statement: int | None = None, line: int | None = None,
             obj: str | None = None, fix: str | None = None, detail: str, data: dict | None = None) -> Finding:
    code, severity = DRY_RUN_RULES[rule]
    return Finding(
        rule=rule, code=code, severity=severity, message=message, fix=fix, statement=statement, line=line,
        object=obj, evidence=[Evidence(kind="dry_run", detail=detail, data=data or {})],
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Observations
# --------------------------------------------------------------------------------------------


class RelationLock(BaseModel):
    """Locks one statement took on one relation that existed before the migration."""

    relation: str = Field(description="schema.name, as named before the migration.")
    kind: str = Field(description="table, index, materialized view, sequence, ...")
    modes: list[str] = Field(description="pg_locks.mode names the statement acquired, weakest first.")
    strongest: str
    waited_for: str | None = Field(
        default=None,
        description="A mode the statement requested but had to wait for (seen while a gate session held a "
        "conflicting lock; only for statements run outside a transaction block).",
    )


class RelationRewrite(BaseModel):
    relation: str
    kind: str
    old_filenode: int
    new_filenode: int


class TableScan(BaseModel):
    table: str
    seq_scans: int = Field(description="Sequential scans started by the statement (pg_stat_*_user_tables).")
    idx_scans: int = 0


class StatementError(BaseModel):
    sqlstate: str | None = None
    message: str
    detail: str | None = None
    hint: str | None = None
    phase: Literal["execute", "commit", "timeout", "refused", "parse"] = "execute"


class StatementObservation(BaseModel):
    """What PostgreSQL did when one statement ran on the shadow."""

    index: int = Field(description="1-based statement number (pglast split, same as the lint's).")
    line: int
    sql: str
    kind: str = Field(description="pglast node name, e.g. AlterTableStmt, IndexStmt.")
    status: Literal["ok", "error", "not_run", "refused", "transaction_control"] = "ok"
    ran_in_transaction: bool = False
    transactional: bool | None = Field(
        default=None,
        description="Observed: False when PostgreSQL refused it inside a transaction block (SQLSTATE 25001), "
        "True when it ran in one; None when not tried.",
    )
    lock_observation: Literal["exact", "sampled", "none"] = Field(
        default="none",
        description="exact: pg_locks of the runner's own backend before commit; sampled: pg_locks of the "
        "runner polled from a second session (statements outside a transaction block).",
    )
    locks: list[RelationLock] = Field(default_factory=list)
    locks_already_held: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Relation -> modes earlier statements of the same transaction already held. pg_locks shows "
        "one row per mode, so a statement asking for a *different* mode is seen; one asking again for a mode "
        "its transaction already holds is not.",
    )
    rewritten: list[RelationRewrite] = Field(default_factory=list)
    scanned: list[TableScan] = Field(default_factory=list)
    created: list[str] = Field(default_factory=list, description="Relations that appeared (schema.name (kind)).")
    dropped: list[str] = Field(default_factory=list, description="Pre-existing relations that disappeared.")
    notices: list[str] = Field(default_factory=list, description="Server messages (client_min_messages=debug1).")
    error: StatementError | None = None
    duration_ms: float = 0.0

    def table_locks(self) -> dict[str, str]:
        """Strongest lock per table-level relation (the prediction's `locks` vocabulary)."""
        return {lk.relation: lk.strongest for lk in self.locks if lk.kind in TABLE_LEVEL_KINDS}

    def heap_rewrites(self) -> set[str]:
        return {r.relation for r in self.rewritten if r.kind in TABLE_LEVEL_KINDS}

    def index_only_rewrites(self, index_table: dict[str, str]) -> set[str]:
        """Tables whose indexes got new filenodes while their heap kept its own."""
        heap = self.heap_rewrites()
        out = set()
        for r in self.rewritten:
            table = index_table.get(r.relation)
            if r.kind == "index" and table and table not in heap:
                out.add(table)
        return out


# --------------------------------------------------------------------------------------------
# Predicted vs observed
# --------------------------------------------------------------------------------------------


class Comparison(BaseModel):
    """One aspect of one statement, predicted and observed side by side."""

    statement: int
    aspect: Literal["lock", "rewrite", "index_rewrite", "scan", "transactional", "statement"]
    relation: str | None = None
    predicted: str
    observed: str
    agrees: bool
    note: str | None = None


def _describe_lock(mode: str | None) -> str:
    return f"{mode} ({LOCK_SQL_NAME[mode]})" if mode in LOCK_SQL_NAME else "no lock"


_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


def _norm_sql(text: str) -> str:
    """Statement text without comments, semicolons, case and whitespace differences."""
    return " ".join(_COMMENTS.sub(" ", text).replace(";", " ").split()).lower()


def compare_statement(
    pred: StatementPrediction, obs: StatementObservation, index_table: dict[str, str]
) -> list[Comparison]:
    """Line up one prediction with one observation; every aspect gets a row, disagreements have agrees=False.

    A rewrite implies a full read, so a table predicted (or observed) to be rewritten counts as scanned on
    that side. A lock that an earlier statement of the same transaction already held at the predicted
    strength or stronger cannot be observed again; that row agrees with a note instead of a false alarm.
    """
    rows: list[Comparison] = []
    n = obs.index
    if _norm_sql(pred.sql) != _norm_sql(obs.sql):
        rows.append(Comparison(
            statement=n, aspect="statement", predicted=pred.sql[:200], observed=obs.sql[:200], agrees=False,
            note="The prediction and the dry run numbered the statements differently; the rows below may pair "
            "the wrong statements.",
        ))  # fmt: skip
    if obs.status != "ok":
        return rows
    if obs.transactional is not None:
        rows.append(Comparison(
            statement=n, aspect="transactional", predicted=str(pred.transactional).lower(),
            observed=str(obs.transactional).lower(), agrees=pred.transactional == obs.transactional,
        ))  # fmt: skip
    observed_locks = obs.table_locks()
    for rel in sorted(set(pred.locks) | set(observed_locks)):
        p, o = pred.locks.get(rel), observed_locks.get(rel)
        held = obs.locks_already_held.get(rel, [])
        note = None
        agrees = p == o
        if not agrees and p in held and (o is None or LOCK_RANK[o] < LOCK_RANK[p]):
            agrees = True
            note = f"not observable: the transaction already held {p} from an earlier statement"
        if not agrees and obs.lock_observation == "sampled" and o is not None and p is not None:
            if LOCK_RANK[o] < LOCK_RANK[p]:
                note = "sampled from a second session; a short-lived stronger lock can escape sampling"
        rows.append(Comparison(
            statement=n, aspect="lock", relation=rel, predicted=_describe_lock(p), observed=_describe_lock(o),
            agrees=agrees, note=note,
        ))  # fmt: skip
    heap = obs.heap_rewrites()
    for rel in sorted(set(pred.rewrites) | heap):
        p_, o_ = rel in pred.rewrites, rel in heap
        rows.append(Comparison(
            statement=n, aspect="rewrite", relation=rel, predicted="rewrite" if p_ else "no rewrite",
            observed="rewrite" if o_ else "no rewrite", agrees=p_ == o_,
        ))  # fmt: skip
    idx = obs.index_only_rewrites(index_table)
    for rel in sorted(set(pred.index_rewrites) | idx):
        p_, o_ = rel in pred.index_rewrites, rel in idx
        rows.append(Comparison(
            statement=n, aspect="index_rewrite", relation=rel,
            predicted="indexes rebuilt" if p_ else "indexes kept", observed="indexes rebuilt" if o_ else "indexes kept",
            agrees=p_ == o_,
        ))  # fmt: skip
    pred_scans = set(pred.scans) | set(pred.rewrites)
    obs_scans = {s.table for s in obs.scanned if s.seq_scans > 0} | heap
    for rel in sorted(pred_scans | obs_scans):
        p_, o_ = rel in pred_scans, rel in obs_scans
        rows.append(Comparison(
            statement=n, aspect="scan", relation=rel, predicted="full scan" if p_ else "no scan",
            observed="full scan" if o_ else "no scan", agrees=p_ == o_,
        ))  # fmt: skip
    return rows


# --------------------------------------------------------------------------------------------
# Catalog fingerprint
# --------------------------------------------------------------------------------------------


class FingerprintDifference(BaseModel):
    key: str = Field(description="The catalog object, e.g. 'column public.users.email'.")
    change: Literal["added", "removed", "changed"]
    before: str | None = None
    after: str | None = None


class CatalogFingerprint(BaseModel):
    """A canonical description of a database's user-visible schema: key -> properties text.

    Keys name objects by schema-qualified name (never by OID); columns carry their logical position
    among the live columns, so a dropped-and-re-added column that lands elsewhere is a difference,
    while the invisible `pg.dropped` slot it leaves behind is not.
    """

    entries: dict[str, str] = Field(default_factory=dict)

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for k in sorted(self.entries):
            h.update(k.encode())
            h.update(b"\x00")
            h.update(self.entries[k].encode())
            h.update(b"\x01")
        return h.hexdigest()

    def diff(self, after: CatalogFingerprint) -> list[FingerprintDifference]:
        out = []
        for key in sorted(set(self.entries) | set(after.entries)):
            b, a = self.entries.get(key), after.entries.get(key)
            if b == a:
                continue
            change = "added" if b is None else "removed" if a is None else "changed"
            out.append(FingerprintDifference(key=key, change=change, before=b, after=a))
        return out


class TableData(BaseModel):
    """Row count and per-column multiset hashes of one table's rows."""

    rows: int
    columns: dict[str, str] = Field(default_factory=dict)


class DataDifference(BaseModel):
    table: str
    rows_before: int
    rows_after: int
    columns: list[str] = Field(description="Columns whose values differ (or that are missing after).")


def diff_data(before: dict[str, TableData], after: dict[str, TableData]) -> list[DataDifference]:
    out = []
    for table in sorted(before):
        b = before[table]
        a = after.get(table)
        if a is None:
            continue  # a table that is gone is a schema difference already
        cols = sorted(c for c in b.columns if a.columns.get(c) != b.columns[c])
        if cols or a.rows != b.rows:
            out.append(DataDifference(table=table, rows_before=b.rows, rows_after=a.rows, columns=cols))
    return out


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


class ShadowInfo(BaseModel):
    """Where the dry run ran and how faithful the shadow is."""

    host: Literal["same_server", "scratch_server", "local_cluster"]
    database: str = Field(description="The scratch database's name (dropped at the end).")
    source: Literal["pg_dump", "schema_sql", "empty", "show_create_table"]  # the last: MySQL/MariaDB
    server_version: str = ""
    target_server_version: str | None = None
    tables: int = 0
    rows_seeded: int = 0
    unseeded_tables: list[str] = Field(
        default_factory=list, description="Tables left empty: no synthetic row satisfied their constraints."
    )
    nulls_from_statistics: list[str] = Field(
        default_factory=list,
        description="Columns (schema.table.column) the target's pg_stats shows NULLs in; one synthetic row has NULL "
        "there, so NOT NULL changes fail on the shadow as they would on the target.",
    )
    skipped_objects: list[str] = Field(
        default_factory=list, description="Schema statements the scratch server rejected (first line + error)."
    )
    session_settings: dict[str, str] = Field(
        default_factory=dict, description="Settings copied from the target session (search_path, TimeZone, ...)."
    )
    build_ms: float = 0.0
    notes: list[str] = Field(default_factory=list, description="What limits the shadow's fidelity.")
    dropped: bool = Field(default=False, description="True once the scratch database was dropped.")


class ReversibilityReport(BaseModel):
    reversible: bool = Field(description="True when up then down restored the schema fingerprint exactly.")
    checked: bool = Field(default=True, description="False when the up or down migration failed first.")
    reason: str | None = None
    differences: list[FingerprintDifference] = Field(default_factory=list)
    data_differences: list[DataDifference] = Field(
        default_factory=list, description="Synthetic rows the down migration did not bring back as they were."
    )
    up_changed: int = Field(default=0, description="Fingerprint entries the up migration changed.")
    down: list[StatementObservation] = Field(default_factory=list)


class DryRunReport(BaseModel):
    """The result of `dry_run_migration`."""

    ok: bool = Field(description="Every statement ran, and (with down_sql) the schema came back exactly.")
    statements: list[StatementObservation] = Field(default_factory=list)
    comparisons: list[Comparison] = Field(default_factory=list)
    disagreements: list[Comparison] = Field(default_factory=list)
    predicted: bool = Field(default=False, description="True when a lint prediction was compared.")
    reversibility: ReversibilityReport | None = None
    shadow: ShadowInfo
    assume_in_transaction: bool = True
    runner: Literal["transaction", "autocommit"] = Field(
        default="transaction", description="The runner model the dry run used: the lint's (same rules, same default)."
    )
    runner_reason: str = Field(default="", description="Why that runner model.")
    index_tables: dict[str, str] = Field(
        default_factory=dict, description="Pre-existing index -> its table (both schema.name)."
    )
    findings: list[Finding] = Field(default_factory=list)
    duration_ms: float = 0.0
    timed_out: bool = False

    def statement(self, index: int) -> StatementObservation:
        return next(s for s in self.statements if s.index == index)


def _listed(names: list[str], most: int = 10) -> str:
    return ", ".join(names[:most]) + (f", +{len(names) - most} more" if len(names) > most else "")


def build_findings(report: DryRunReport) -> list[Finding]:
    """The report's conclusions as findings with dry_run evidence (messages state the consequence)."""
    out: list[Finding] = []
    for s in report.statements:
        if s.status == "error" and s.error:
            where = " at COMMIT" if s.error.phase == "commit" else ""
            out.append(_finding(
                "dry-run-statement-failed",
                f"Statement {s.index} failed on the shadow{where}: {s.error.message}. The migration stops here; "
                "in a transaction everything before it is rolled back.",
                statement=s.index, line=s.line, detail=f"SQLSTATE {s.error.sqlstate}: {s.error.message}",
                data=s.error.model_dump(),
            ))  # fmt: skip
        if s.status == "refused" and s.error:
            out.append(_finding(
                "dry-run-statement-refused", f"Statement {s.index} was not run: {s.error.message}",
                statement=s.index, line=s.line, detail=s.error.message,
            ))  # fmt: skip
        # one finding per statement: a parent's inheritance children or partitions are listed, not repeated
        rewrites = [rw for rw in s.rewritten if rw.kind in TABLE_LEVEL_KINDS]
        if rewrites:
            first = rewrites[0]
            lock = stronger_lock(s.table_locks().get(first.relation),
                                 strongest(s.locks_already_held.get(first.relation, [])))  # fmt: skip
            others = [rw.relation for rw in rewrites[1:]]
            also = (f" and {len(others)} more table(s) with theirs ({_listed(others)})" if others else "")
            out.append(_finding(
                "dry-run-rewrite-observed",
                f"Statement {s.index} rewrote {first.relation} and all its indexes{also}"
                + (f" under {LOCK_SQL_NAME.get(lock, lock)}" if lock else "")
                + (": time grows with the tables' total size." if others else ": time grows with the table's size."),
                statement=s.index, line=s.line, obj=first.relation,
                detail="; ".join(f"pg_class.relfilenode of {rw.relation} changed {rw.old_filenode} -> {rw.new_filenode}"
                                 for rw in rewrites[:10]) + (f"; +{len(rewrites) - 10} more" if len(rewrites) > 10 else ""),
                data=first.model_dump() | ({"rewritten": [rw.relation for rw in rewrites]} if others else {}),
            ))  # fmt: skip
    groups: dict[tuple, list] = {}
    for c in report.disagreements:
        groups.setdefault((c.statement, c.aspect, c.predicted, c.observed, c.note), []).append(c)
    for (statement, aspect, predicted, observed, note), cs in groups.items():
        c = cs[0]
        obs = next((s for s in report.statements if s.index == statement), None)
        rels = [x.relation for x in cs if x.relation]
        what = f" on {rels[0]}" if len(rels) == 1 else f" on {len(rels)} tables ({_listed(rels)})" if rels else ""
        out.append(_finding(
            "dry-run-prediction-mismatch",
            f"Statement {statement}: the lint predicted {predicted}{what} ({aspect}), PostgreSQL did {observed}.",
            statement=statement, line=obs.line if obs else None, obj=c.relation,
            detail=f"{aspect}: predicted {predicted}, observed {observed}" + (f" ({note})" if note else ""),
            data=c.model_dump() | ({"relations": rels} if len(rels) > 1 else {}),
        ))  # fmt: skip
    rev = report.reversibility
    if rev is not None and rev.checked and not rev.reversible:
        shown = "; ".join(f"{d.key} {d.change}" for d in rev.differences[:5])
        more = f" (+{len(rev.differences) - 5} more)" if len(rev.differences) > 5 else ""
        out.append(_finding(
            "dry-run-not-reversible",
            f"The down migration does not restore the schema: {shown}{more}.",
            fix="Make the down migration recreate exactly what the up migration changed (names, column order, "
            "defaults, constraint validity), or declare the migration irreversible.",
            detail=f"{len(rev.differences)} catalog fingerprint entries differ after up then down",
            data={"differences": [d.model_dump() for d in rev.differences[:50]]},
        ))  # fmt: skip
    if rev is not None and rev.checked and rev.data_differences:
        shown = "; ".join(
            f"{d.table} ({', '.join(d.columns) or 'rows'})" for d in rev.data_differences[:5]
        )
        out.append(_finding(
            "dry-run-data-not-restored",
            f"After up then down the rows differ in {shown}: the up migration destroys data the down migration "
            "cannot bring back.",
            fix="Copy the data aside before destroying it (or keep the column until a later release), and restore "
            "it in the down migration.",
            detail="per-column multiset hashes of the synthetic rows differ after up then down",
            data={"data_differences": [d.model_dump() for d in rev.data_differences[:50]]},
        ))  # fmt: skip
    return out


def strongest(modes: list[str]) -> str | None:
    best: str | None = None
    for m in modes:
        best = stronger_lock(best, m)
    return best


def render_text(report: DryRunReport) -> str:
    """Compact text for a tool result's text content (the structured content carries everything)."""
    sh = report.shadow
    verdict = "ran cleanly" if report.ok else "timed out" if report.timed_out else "found problems"
    out = [
        f"Dry run {verdict} on a shadow ({sh.host}, {sh.source}, PostgreSQL {sh.server_version or '?'}; "
        f"{sh.tables} tables, {sh.rows_seeded} synthetic rows; shadow {'dropped' if sh.dropped else 'NOT dropped'}) "
        f"in {report.duration_ms / 1000:.1f} s."
    ]
    out += [f"Note: {n}" for n in sh.notes]
    if sh.unseeded_tables:
        out.append(f"Left empty (no synthetic row fit their constraints): {', '.join(sh.unseeded_tables)}")
    if sh.skipped_objects:
        out.append(f"{len(sh.skipped_objects)} schema object(s) could not be copied, e.g. {sh.skipped_objects[0]}")
    out.append(_render_statements(report.statements, report.index_tables))
    if report.predicted:
        agree = len(report.comparisons) - len(report.disagreements)
        out.append(f"Predicted vs observed: {agree}/{len(report.comparisons)} agree.")
        for c in report.disagreements:
            rel = f" {c.relation}" if c.relation else ""
            note = f" ({c.note})" if c.note else ""
            out.append(f"  ✗ #{c.statement} {c.aspect}{rel}: predicted {c.predicted}, observed {c.observed}{note}")
    rev = report.reversibility
    if rev is not None:
        if not rev.checked:
            out.append(f"Reversibility not checked: {rev.reason}.")
        elif rev.reversible and not rev.data_differences:
            out.append(f"Reversible: up then down restored the schema exactly ({rev.up_changed} changes undone).")
        else:
            if not rev.reversible:
                out.append(f"NOT reversible: {len(rev.differences)} catalog difference(s) after up then down:")
                for d in rev.differences[:10]:
                    out.append(f"  {d.change}: {d.key}" + (f"\n    before: {d.before}\n    after:  {d.after}"
                                                            if d.change == "changed" else ""))
            for d in rev.data_differences:
                out.append(f"  data not restored in {d.table}: {', '.join(d.columns) or 'row count'} "
                           f"({d.rows_before} rows before, {d.rows_after} after)")
        if rev.down:
            out.append("Down migration:")
            out.append(_render_statements(rev.down, {}))
    return "\n".join(out)


def _render_statements(statements: list[StatementObservation], index_tables: dict[str, str]) -> str:
    lines = []
    for s in statements:
        head = f"#{s.index} (line {s.line}) {s.kind} [{s.status}]"
        if s.status in ("not_run", "transaction_control"):
            lines.append(head)
            continue
        if s.error:
            lines.append(f"{head}: {s.error.message}" + (f" — {s.error.detail}" if s.error.detail else ""))
            continue
        parts = []
        locks = s.table_locks()
        if locks:
            parts.append("locks " + ", ".join(f"{r} {LOCK_SQL_NAME.get(m, m)}" for r, m in locks.items()))
        heap = sorted(s.heap_rewrites())
        if heap:
            parts.append("REWROTE " + ", ".join(heap))
        idx = sorted(s.index_only_rewrites(index_tables))
        if idx:
            parts.append("rebuilt indexes of " + ", ".join(idx))
        scans = [f"{x.table}" for x in s.scanned if x.seq_scans]
        if scans:
            parts.append("read in full " + ", ".join(scans))
        if s.transactional is False:
            parts.append("outside a transaction")
        parts.append(f"{s.duration_ms:.0f} ms")
        lines.append(f"{head}: " + "; ".join(parts))
    return "\n".join(lines)
