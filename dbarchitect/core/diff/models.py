"""What `draft_migration` returns: ordered steps grouped in phases, the SQL, hazards and the proof.

Pure data. The planner (`dbarchitect.core.diff.planner`) fills `MigrationPlan` from two catalog
snapshots; `dbarchitect.live.postgres.draft` adds `Verification` (convergence, re-plan, round trip,
observed locks) after running the plan on a shadow database.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

PhaseName = Literal["expand", "migrate", "contract"]
HazardSeverity = Literal["info", "warning", "error"]


class CatalogExtras(BaseModel):
    """Catalog facts a faithful diff needs that `SchemaSnapshot` does not carry (read by live/draft.py).

    Keys: functions `schema.name(identity args)`; indexes, sequences, types, views `schema.name`;
    constraints, triggers, policies `schema.table.name`.
    """

    function_defs: dict[str, str] = Field(default_factory=dict, description="pg_get_functiondef() text.")
    function_kinds: dict[str, str] = Field(default_factory=dict, description="function | procedure.")
    comments: dict[str, str] = Field(
        default_factory=dict,
        description="Comments on objects the snapshot has none for: 'index public.i', 'function public.f(int)', "
        "'sequence public.s', 'type public.t', 'constraint public.t.c', 'trigger public.t.g', 'policy public.t.p', "
        "'schema s', 'domain public.d', 'matview_index public.i'.",
    )
    matview_indexes: dict[str, list[tuple[str, str]]] = Field(
        default_factory=dict, description="Materialized view -> [(index name, pg_get_indexdef)]."
    )
    populated: dict[str, bool] = Field(default_factory=dict, description="Materialized view -> relispopulated.")
    reloptions: dict[str, list[str]] = Field(default_factory=dict, description="Relation -> reloptions.")
    inherited: list[str] = Field(
        default_factory=list,
        description="Objects a partition inherits from its parent: 'column s.t.c', 'constraint s.t.c', 'index s.i'.",
    )
    domain_constraints: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Domain -> constraint name -> definition."
    )
    identity_sequences: list[str] = Field(default_factory=list, description="Sequences behind identity columns.")
    search_path_schema: str = "public"


class Hazard(BaseModel):
    """A risk of one step (or of the whole plan): what goes wrong, for whom, and what was done about it."""

    code: str = Field(description="Stable kebab-case name, e.g. rewrite-under-access-exclusive.")
    severity: HazardSeverity = "warning"
    message: str
    object: str | None = None
    step: int | None = Field(default=None, description="Step id the hazard belongs to.")
    source: Literal["planner", "lint", "dry_run"] = "planner"
    rule: str | None = Field(default=None, description="Lint rule code (MGxxx) when the lint raised it.")


class Refusal(BaseModel):
    """A change the plan does not make, and why (data-losing drops without allow_data_loss)."""

    object: str
    change: str
    reason: str
    enable_with: str = Field(default="allow_data_loss=true")


class ObservedLock(BaseModel):
    relation: str
    mode: str


class StepObservation(BaseModel):
    """What the dry run saw for this step's statements on the shadow."""

    status: str = "ok"
    locks: list[ObservedLock] = Field(default_factory=list)
    rewritten: list[str] = Field(default_factory=list)
    scanned: list[str] = Field(default_factory=list)
    transactional: bool | None = None
    error: str | None = None
    agrees_with_prediction: bool | None = None


class Step(BaseModel):
    """One unit of work: a statement, or a few that must run in one transaction."""

    id: int
    phase: PhaseName = "expand"
    action: str = Field(description="What the step does, kebab-case: add-column, create-index-concurrently, ...")
    object: str = Field(description="The object concerned, schema-qualified.")
    description: str
    statements: list[str] = Field(description="SQL statements, without trailing semicolons.")
    transactional: bool = Field(description="True: run inside BEGIN ... COMMIT. False: must run outside one.")
    lock: str | None = Field(default=None, description="Strongest table lock the step takes (pg_locks.mode name).")
    lock_relations: dict[str, str] = Field(
        default_factory=dict, description="Relation -> lock mode, as the migration lint predicts it."
    )
    rewrites: list[str] = Field(default_factory=list, description="Tables whose heap the step rewrites.")
    lock_timeout: str = "3s"
    statement_timeout: str = "15s"
    pattern: str | None = Field(default=None, description="The safe pattern this step belongs to.")
    hazards: list[Hazard] = Field(default_factory=list)
    dry_run_statements: list[str] | None = Field(
        default=None,
        description="What the dry run executes instead (one batch of a batched backfill, whose COMMITs cannot "
        "run inside the dry run's transaction).",
    )
    observed: StepObservation | None = None

    @property
    def sql(self) -> str:
        return render_step(self)


class Phase(BaseModel):
    name: PhaseName
    steps: list[int]
    deploy_before: bool = Field(description="An application deploy must happen before this phase starts.")
    note: str = ""


class MigrationPlan(BaseModel):
    steps: list[Step] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    hazards: list[Hazard] = Field(default_factory=list, description="Plan-level hazards and every step's hazards.")
    refused: list[Refusal] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list, description="Safe patterns the plan uses.")
    up_sql: str = ""

    @property
    def empty(self) -> bool:
        return not self.steps


class Difference(BaseModel):
    key: str
    change: str
    before: str | None = None
    after: str | None = None


class Verification(BaseModel):
    """Proof obtained on a shadow of the current schema."""

    ran: bool = False
    scope: Literal["objects", "schema"] = Field(
        default="schema",
        description="schema: the shadow must equal the target. objects: the objects the target defines must equal "
        "it, and every other object must be unchanged.",
    )
    applied: bool = Field(default=False, description="Every up step ran without error.")
    error: str | None = None
    converged: bool = Field(
        default=False, description="The shadow reached the expected catalog (with scope=objects: also untouched)."
    )
    convergence_differences: list[Difference] = Field(
        default_factory=list, description="Where the objects in scope differ from the target."
    )
    untouched: bool | None = Field(
        default=None, description="scope=objects: the objects the target does not mention are exactly as they were."
    )
    out_of_scope_changes: list[Difference] = Field(
        default_factory=list, description="scope=objects: changes to objects the target does not mention."
    )
    tolerated: list[Difference] = Field(
        default_factory=list,
        description="Differences accepted by design: column order (ADD COLUMN appends; reordering would rewrite).",
    )
    replan_empty: bool = False
    replan_steps: list[str] = Field(default_factory=list)
    reversible: bool = False
    down_applied: bool = False
    reversibility_differences: list[Difference] = Field(default_factory=list)
    dry_run_ok: bool | None = None
    dry_run_findings: list[str] = Field(default_factory=list)
    duration_ms: float = 0.0


class DraftReport(BaseModel):
    """The answer of draft_migration."""

    up_sql: str
    down_sql: str
    steps: list[Step]
    down_steps: list[Step]
    phases: list[Phase]
    hazards: list[Hazard]
    refused: list[Refusal]
    patterns: list[str]
    verification: Verification
    current_source: Literal["connection", "from_ddl"]
    scope: Literal["objects", "schema"] = "schema"
    left_alone: list[str] = Field(
        default_factory=list,
        description="scope=objects: objects of the current schema the target does not mention (kept as they are).",
    )
    notes: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        v = self.verification
        return v.converged and v.untouched is not False and v.replan_empty and v.reversible and not self.refused


def render_step(step: Step, *, dry_run: bool = False) -> str:
    stmts = step.dry_run_statements if dry_run and step.dry_run_statements is not None else step.statements
    body = "".join(f"{s};\n" for s in stmts)
    if step.transactional:
        return (f"BEGIN;\nSET LOCAL lock_timeout = '{step.lock_timeout}';\n"
                f"SET LOCAL statement_timeout = '{step.statement_timeout}';\n{body}COMMIT;\n")  # fmt: skip
    return f"SET lock_timeout = '{step.lock_timeout}';\nSET statement_timeout = '{step.statement_timeout}';\n{body}"


def render_script(steps: list[Step], phases: list[Phase], title: str) -> str:
    if not steps:
        return f"-- {title}: nothing to do, the schemas already match.\n"
    by_id = {s.id: s for s in steps}
    out = [f"-- {title}: {len(steps)} step(s). Run each step as written; steps marked 'outside a transaction'",
           "-- must not be wrapped in BEGIN/COMMIT by the migration runner.", ""]  # fmt: skip
    for ph in phases:
        out.append(f"-- ==== phase: {ph.name}" + (" (deploy the application first)" if ph.deploy_before else ""))
        if ph.note:
            out.append(f"-- {ph.note}")
        for sid in ph.steps:
            s = by_id[sid]
            where = "in a transaction" if s.transactional else "outside a transaction"
            lock = f", lock {s.lock}" if s.lock else ""
            out.append(f"-- step {s.id}: {s.description} ({where}{lock})")
            out.append(render_step(s))
    out.append("RESET lock_timeout;\nRESET statement_timeout;\n")
    return "\n".join(out)
