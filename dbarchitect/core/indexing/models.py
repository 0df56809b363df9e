"""The index advisor's vocabulary: workload queries, column statistics, candidate indexes, and the
report `recommend_indexes` returns.

Plain data only. `live` fills `WorkloadQuery` and `ColumnStats` from the server; the core turns
them into `Candidate`s and, with an injected cost oracle, into an `IndexAdvice`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from dbarchitect.core.models import Evidence

#: access methods HypoPG 1.3 can create hypothetically (GIN and GiST it cannot)
HYPOTHETICAL_METHODS = frozenset({"btree", "brin", "hash"})

CandidateKind = Literal["btree", "composite", "partial", "expression", "covering", "gin", "gin_trgm", "fts", "brin"]


class WorkloadQuery(BaseModel):
    """One statement of the workload, with how much it matters."""

    id: str = Field(description="q1, q2, … for explicit queries; the queryid for pg_stat_statements.")
    sql: str = Field(description="The statement as given (or as normalised by pg_stat_statements).")
    weight: float = Field(default=1.0, description="Relative frequency: a given weight, or calls from pg_stat_statements.")
    source: Literal["explicit", "pg_stat_statements"] = "explicit"
    calls: int | None = None
    total_ms: float | None = Field(default=None, description="pg_stat_statements total execution time.")
    explain_sql: str | None = Field(
        default=None, description="What is costed when it differs from `sql`: $n parameters bound to sample values."
    )
    bound_parameters: dict[str, str] = Field(
        default_factory=dict, description="$n -> the representative value drawn from pg_stats."
    )

    @property
    def costed_sql(self) -> str:
        return self.explain_sql or self.sql


class ColumnStats(BaseModel):
    """pg_stats of one column (most common values and histogram as text)."""

    table: str = Field(description="schema.name")
    column: str
    null_frac: float = 0.0
    n_distinct: float = 0.0
    avg_width: int = 0
    most_common_vals: list[str] = Field(default_factory=list)
    most_common_freqs: list[float] = Field(default_factory=list)
    histogram_bounds: list[str] = Field(default_factory=list)
    correlation: float | None = None
    # an array column's most common elements and the share of rows holding each (pg_stats' extra
    # trailing figures — least and greatest frequency, nulls — left out)
    most_common_elems: list[str] = Field(default_factory=list)
    most_common_elem_freqs: list[float] = Field(default_factory=list)

    def frequency(self, value: str | None) -> float | None:
        """The fraction of rows equal to `value`, when pg_stats knows it (an MCV), else None."""
        if value is None:
            return self.null_frac
        for v, f in zip(self.most_common_vals, self.most_common_freqs):
            if v == value:
                return f
        return None

    def distinct(self, rows: float) -> float:
        """Estimated distinct values for a table of `rows` rows (n_distinct < 0 is a fraction)."""
        if self.n_distinct < 0:
            return max(1.0, -self.n_distinct * max(rows, 1.0))
        return max(1.0, self.n_distinct)

    def eq_selectivity(self, rows: float, value: str | None = None) -> float:
        """Fraction of rows one equality keeps: the MCV frequency when known, else 1/distinct."""
        freq = self.frequency(value) if value is not None else None
        if freq is not None:
            return freq
        return (1.0 - self.null_frac) / self.distinct(rows)


class Candidate(BaseModel):
    """One possible index. Keys are SQL key texts: `user_id`, `created_at DESC`, `(lower(email))`,
    `name gin_trgm_ops`; `columns` holds the plain column behind each key, None for expressions."""

    model_config = {"frozen": True}

    table: str = Field(description="Qualified table, schema.name.")
    keys: tuple[str, ...]
    columns: tuple[str | None, ...]
    method: str = "btree"
    include: tuple[str, ...] = ()
    predicate: str | None = None
    kind: CandidateKind = "btree"
    requires_extension: str | None = Field(default=None, description="e.g. pg_trgm for gin_trgm_ops.")

    @property
    def hypothetical(self) -> bool:
        """HypoPG can model it (so its benefit can be costed)."""
        return self.method in HYPOTHETICAL_METHODS

    @property
    def signature(self) -> str:
        inc = f" INCLUDE ({', '.join(self.include)})" if self.include else ""
        where = f" WHERE {self.predicate}" if self.predicate else ""
        return f"{self.table} USING {self.method} ({', '.join(self.keys)}){inc}{where}"

    def body(self, table_sql: str) -> str:
        inc = f" INCLUDE ({', '.join(self.include)})" if self.include else ""
        where = f" WHERE {self.predicate}" if self.predicate else ""
        using = "" if self.method == "btree" else f" USING {self.method}"
        return f"ON {table_sql}{using} ({', '.join(self.keys)}){inc}{where}"


class QueryCost(BaseModel):
    """One query's planner cost without and with the recommended indexes."""

    query: str = Field(description="Workload query id.")
    weight: float = 1.0
    cost_before: float
    cost_after: float
    indexes_used: list[str] = Field(default_factory=list, description="Recommended indexes its plan uses.")

    @property
    def improvement(self) -> float:
        return 0.0 if self.cost_before <= 0 else 1.0 - self.cost_after / self.cost_before


class IndexRecommendation(BaseModel):
    """One index to create, with its proof."""

    rank: int
    name: str
    table: str
    ddl: str = Field(description="CREATE INDEX CONCURRENTLY …; run it outside a transaction.")
    undo: str = Field(description="DROP INDEX CONCURRENTLY …")
    kind: CandidateKind
    method: str
    keys: list[str]
    include: list[str] = Field(default_factory=list)
    predicate: str | None = None
    estimated_size_bytes: int
    reason: str = Field(description="Why this shape: which predicate, join, sort or cover it serves.")
    helps: list[QueryCost] = Field(default_factory=list, description="Queries whose cost this pick lowered.")
    workload_benefit: float = Field(default=0.0, description="Weighted planner-cost reduction when it was picked.")
    write_charge: float = Field(default=0.0, description="Planner-cost units charged for maintaining it on writes.")
    evidence: Evidence
    requires_extension: str | None = None
    supersedes: list[str] = Field(
        default_factory=list, description="Existing indexes this one makes redundant (drop them after building it)."
    )


class RejectedCandidate(BaseModel):
    """A candidate worth mentioning that was not recommended, and why (compact)."""

    index: str = Field(description="Signature: table USING method (keys) INCLUDE … WHERE …")
    reason: str


class IndexAdvice(BaseModel):
    """What recommend_indexes answers."""

    mode: Literal["hypopg", "heuristic", "scratch"] = Field(
        description="hypopg: every btree/brin pick is proven by planner costs under hypothetical indexes; "
        "heuristic: HypoPG is not installed, so picks follow from query structure and statistics only; "
        "scratch (MySQL/MariaDB): each pick was built on a sampled scratch copy and measured."
    )
    database: str = ""
    workload_source: Literal["explicit", "pg_stat_statements"] = "explicit"
    queries: list[WorkloadQuery] = Field(default_factory=list)
    recommendations: list[IndexRecommendation] = Field(default_factory=list)
    workload_cost_before: float | None = Field(default=None, description="Σ weight × planner cost, existing indexes.")
    workload_cost_after: float | None = Field(default=None, description="… with the recommendations added.")
    query_costs: list[QueryCost] = Field(default_factory=list)
    total_size_bytes: int = 0
    budget_bytes: int | None = None
    rejected: list[RejectedCandidate] = Field(default_factory=list)
    skipped_queries: dict[str, str] = Field(default_factory=dict, description="Query id -> why it was not costed.")
    candidates_considered: int = 0
    costings: int = Field(default=0, description="EXPLAINs run under hypothetical index sets.")
    elapsed_s: float = 0.0
    notes: list[str] = Field(default_factory=list)
    validation: ValidationReport | None = None

    @property
    def improvement(self) -> float | None:
        if not self.workload_cost_before or self.workload_cost_after is None:
            return None
        return 1.0 - self.workload_cost_after / self.workload_cost_before


class MeasuredQuery(BaseModel):
    query: str
    ms_before: float | None
    ms_after: float | None
    timed_out_before: bool = False
    timed_out_after: bool = False
    error: str | None = None


class ValidationReport(BaseModel):
    """validate=true: the recommendations built for real on a scratch copy and the workload timed."""

    database: str = Field(description="The scratch database the indexes were built in.")
    runs: int
    statement_timeout_ms: int
    built: list[str] = Field(default_factory=list, description="Index names built.")
    build_errors: dict[str, str] = Field(default_factory=dict)
    actual_size_bytes: int = 0
    queries: list[MeasuredQuery] = Field(default_factory=list)
    total_ms_before: float = 0.0
    total_ms_after: float = 0.0
    evidence: Evidence | None = None


IndexAdvice.model_rebuild()
