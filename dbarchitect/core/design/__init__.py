"""design_schema: from a spec of entities, relationships and options to reviewed DDL.

`design_schema(spec)` plans the tables, renders the up and down DDL and a Mermaid ER diagram, and
reviews the up DDL with the schema rules (parsed, no server needed). A design that would carry a
finding of warning severity or worse is refused with the findings: by construction the generator
emits none, so one can only come from a spec that asks for an anti-pattern (an EAV table, say).
`dbarchitect.live.postgres.design.verify_design` then runs it on a scratch database.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from dbarchitect.core.design.postgres import Planner, render_down, render_mermaid, render_up
from dbarchitect.core.design.spec import Attribute, DesignOptions, Entity, Relationship, SchemaSpec
from dbarchitect.core.models import Severity
from dbarchitect.core.schema_parse import review_ddl_offline
from dbarchitect.core.schema_review import SchemaReview

__all__ = [
    "Attribute",
    "DesignError",
    "DesignOptions",
    "DesignedTable",
    "Entity",
    "Relationship",
    "SchemaDesign",
    "SchemaSpec",
    "design_schema",
]

GENERATORS = {"postgres": (Planner, render_up, render_down, render_mermaid)}


class DesignError(ValueError):
    """The spec asks for something the design will not produce; the message says what and why."""


class DesignedTable(BaseModel):
    name: str
    kind: str = Field(description="entity, junction or tenant")
    columns: list[str]
    indexes: list[str]
    foreign_keys: list[str]


class SchemaDesign(BaseModel):
    dialect: str
    up_sql: str = Field(description="The DDL that creates the design.")
    down_sql: str = Field(description="The DDL that removes it again.")
    mermaid: str = Field(description="Mermaid erDiagram of the tables and foreign keys.")
    tables: list[DesignedTable]
    notes: list[str] = Field(default_factory=list, description="Decisions taken for the spec (types replaced...).")
    review: SchemaReview
    verified: bool = Field(default=False, description="True once the DDL ran on PostgreSQL (verify_design).")
    verification: list[str] = Field(default_factory=list, description="What the run on PostgreSQL showed.")


def design_schema(spec: SchemaSpec, pg_version: int | None = None) -> SchemaDesign:
    """Design the schema for a spec, in the syntax of PostgreSQL `pg_version` (None: the newest, with a note
    where older servers differ). Raises DesignError for specs that cannot be designed cleanly."""
    planner_cls, up, down, mermaid = GENERATORS[spec.dialect]
    planner = planner_cls(spec, pg_version)
    try:
        planner.plan()
    except ValueError as exc:
        raise DesignError(str(exc)) from exc
    up_sql = up(planner)
    partial = [fk.name for tbl in planner.tables.values() for fk in tbl.fks if fk.set_null_columns]
    if partial and pg_version is None:
        planner.notes.append(f"ON DELETE SET NULL (column) ({', '.join(partial)}) is PostgreSQL 15+; verify=true "
                             "writes the design for the scratch server's version (a trigger clears the column before 15).")
    elif partial and pg_version < 15:
        planner.notes.append(f"PostgreSQL {pg_version}: {', '.join(partial)} check with NO ACTION and a BEFORE DELETE "
                             "trigger on the parent clears the column (ON DELETE SET NULL (column) is 15+).")
    report = review_ddl_offline(up_sql)
    serious = report.at_least(Severity.warning)
    if serious:
        raise DesignError(
            "the spec asks for what a review would reject: "
            + "; ".join(f"{f.code} {f.object}: {f.message}" for f in serious)
        )
    tables = [
        DesignedTable(
            name=name,
            kind=planner.tables[name].kind,
            columns=[c.name for c in planner.tables[name].columns],
            indexes=[i.name for i in planner.tables[name].indexes],
            foreign_keys=[fk.name for fk in planner.tables[name].fks],
        )
        for name in planner.order
    ]
    return SchemaDesign(
        dialect=spec.dialect,
        up_sql=up_sql,
        down_sql=down(planner),
        mermaid=mermaid(planner),
        tables=tables,
        notes=planner.notes,
        review=report,
    )
