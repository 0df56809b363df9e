"""describe_schema's three views of a SchemaSnapshot: a paged one-line-per-table summary, one table
in full (DDL-like text plus structured data), and a Mermaid ER diagram."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from dbarchitect.core.models import SchemaSnapshot, ServerInfo, Table
from dbarchitect.core.sql.ident import quote_ident
from dbarchitect.core.suggest import closest
from dbarchitect.core.units import human_bytes, human_count


class UserInputError(ValueError):
    """A request the caller can correct (unknown table, bad cursor); the message says how."""


class TableSummary(BaseModel):
    name: str = Field(description="schema.table")
    kind: str
    rows: int = Field(description="Estimated rows (reltuples, or live tuples when never analyzed).")
    size_bytes: int = Field(description="Heap + indexes + TOAST.")
    primary_key: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list, description="Tables its foreign keys point to.")
    indexes: int = 0
    flags: list[str] = Field(default_factory=list)
    line: str = Field(description="The same facts in one compact line.")


class SchemaSummary(BaseModel):
    database: str
    server_version: str
    flavor: str = Field(default="PostgreSQL", description="PostgreSQL, MySQL or MariaDB.")
    role: str | None = Field(default=None, description="The role the tools run as.")
    capabilities: dict[str, str] = Field(
        default_factory=dict, description="Optional extensions: installed, available, or missing."
    )
    totals: dict[str, int] = Field(description="Counts of tables, views, sequences, enums, functions, ...")
    tables: list[TableSummary]
    total_tables: int = Field(description="Tables matching the filter, across all pages.")
    next_cursor: str | None = Field(default=None, description="Pass as `cursor` to get the next page.")


class TableDetail(BaseModel):
    table: Table
    ddl: str = Field(description="DDL-like text: columns, constraints, indexes, triggers, policies.")
    referenced_by: list[str] = Field(default_factory=list, description="FKs elsewhere that point here.")
    views: list[str] = Field(default_factory=list, description="Views that read this table.")


class DescribeSchemaResult(BaseModel):
    mode: Literal["summary", "table", "mermaid"]
    summary: SchemaSummary | None = None
    detail: TableDetail | None = None
    mermaid: str | None = None
    snapshot_taken_at: str = ""


def _flags(t: Table) -> list[str]:
    flags = []
    if t.mysql is not None:
        if t.mysql.engine and t.mysql.engine.lower() != "innodb":
            flags.append(t.mysql.engine)
        if t.mysql.charset and t.mysql.charset.lower() not in ("utf8mb4",):
            flags.append(t.mysql.charset)
    if t.kind == "partitioned_table":
        flags.append("partitioned")
    if t.partition_of:
        flags.append(f"partition-of:{t.partition_of}")
    if t.kind == "foreign_table":
        flags.append("foreign")
    if t.persistence != "permanent":
        flags.append(t.persistence)
    if t.primary_key is None:
        flags.append("no-pk")
    if t.rls_enabled:
        flags.append("rls-forced" if t.rls_forced else "rls")
    if t.inherits:
        flags.append("inherits")
    if t.triggers:
        flags.append(f"{len(t.triggers)}-triggers")
    if any(not i.valid for i in t.indexes):
        flags.append("invalid-index")
    if t.rules:
        flags.append("rules")
    return flags


def summarize_table(t: Table) -> TableSummary:
    pk = t.primary_key
    refs = sorted({fk.references.table for fk in t.foreign_keys if fk.references})
    flags = _flags(t)
    rows = max(t.estimated_rows, 0)
    parts = [
        t.qualified,
        f"~{human_count(rows)} rows",
        human_bytes(t.total_bytes),
        f"pk({', '.join(pk.columns)})" if pk else "no pk",
    ]
    if refs:
        parts.append("fk→" + ",".join(r.removeprefix("public.") for r in refs))
    parts.append(f"{len(t.indexes)} idx")
    shown = [f for f in flags if f != "no-pk"]  # "no pk" is already in the line
    if shown:
        parts.append("[" + " ".join(shown) + "]")
    return TableSummary(
        name=t.qualified,
        kind=t.kind,
        rows=rows,
        size_bytes=t.total_bytes,
        primary_key=pk.columns if pk else [],
        references=refs,
        indexes=len(t.indexes),
        flags=flags,
        line="  ".join(p for p in parts if p),
    )


def require_schema(snap: SchemaSnapshot, schema: str | None) -> None:
    """Raise UserInputError when `schema` is given and the snapshot has no such schema (a misspelled
    schema must not read as "no tables, no findings"); the message lists the schemas there are,
    closest first."""
    if not schema:
        return
    known = list(dict.fromkeys([*snap.schemas, *(t.schema_name for t in snap.tables)]))
    if schema in known:
        return
    by_lower = {k.lower(): k for k in known}
    if schema.lower() in by_lower:
        close = [by_lower[schema.lower()]]
    else:
        close = closest(schema, known, n=None, cutoff=0.0, ignore_case=True)
    rest = [k for k in known if k not in close]
    listed = (close + rest)[:10]
    more = f" (and {len(known) - len(listed)} more)" if len(known) > len(listed) else ""
    where = f" in {snap.database}" if snap.database else ""
    there = f"Schemas: {', '.join(listed)}{more}." if listed else "It has no user schemas."
    raise UserInputError(f"Schema {schema!r} does not exist{where}. {there}")


def select_tables(snap: SchemaSnapshot, schema: str | None = None, pattern: str | None = None) -> list[Table]:
    tables = snap.tables
    require_schema(snap, schema)
    if schema:
        tables = [t for t in tables if t.schema_name == schema]
    if pattern:
        needle = pattern.lower().replace("%", "")
        tables = [t for t in tables if needle in t.qualified.lower()]
    return tables


def summarize(
    snap: SchemaSnapshot,
    *,
    schema: str | None = None,
    pattern: str | None = None,
    cursor: str | None = None,
    page_size: int = 100,
    info: ServerInfo | None = None,
) -> SchemaSummary:
    tables = select_tables(snap, schema, pattern)
    try:
        start = int(cursor) if cursor else 0
    except ValueError:
        raise UserInputError(f"cursor {cursor!r} is not one this tool returned; omit it to start again.") from None
    if start < 0 or (start and start >= len(tables)):
        raise UserInputError(f"cursor {cursor!r} is past the end ({len(tables)} tables); omit it to start again.")
    page = tables[start : start + page_size]
    end = start + len(page)
    return SchemaSummary(
        database=snap.database,
        server_version=snap.server_version,
        flavor=info.flavor if info else (snap.mysql.flavor if snap.mysql else "PostgreSQL"),
        role=(f"{info.current_user}{' (superuser)' if info.is_superuser else ''}" if info else None),
        capabilities=info.capabilities() if info else {},
        totals={
            "schemas": len(snap.schemas),
            "tables": len(snap.tables),
            "views": sum(not v.materialized for v in snap.views),
            "materialized_views": sum(v.materialized for v in snap.views),
            "sequences": len(snap.sequences),
            "enums": len(snap.enums),
            "domains": len(snap.domains),
            "functions": len(snap.functions),
            "extensions": len(snap.extensions),
        },
        tables=[summarize_table(t) for t in page],
        total_tables=len(tables),
        next_cursor=str(end) if end < len(tables) else None,
    )


_ident = quote_ident


def table_ddl(t: Table) -> str:
    """DDL-like text that reads like `\\d+` and can mostly be run as is."""
    if t.mysql is not None:
        from dbarchitect.core.mysql_ddl import mysql_table_ddl

        return mysql_table_ddl(t)
    lines = []
    for c in t.columns:
        parts = [f"    {_ident(c.name)} {c.type}"]
        if c.collation:
            parts.append(f'COLLATE "{c.collation}"')
        if c.identity:
            parts.append("GENERATED ALWAYS AS IDENTITY" if c.identity == "always" else "GENERATED BY DEFAULT AS IDENTITY")
        if c.generated:
            parts.append(f"GENERATED ALWAYS AS ({c.generated}) {'VIRTUAL' if c.virtual else 'STORED'}")
        if c.default is not None:
            parts.append(f"DEFAULT {c.default}")
        if c.not_null:
            parts.append("NOT NULL")
        lines.append(" ".join(parts))
    for con in t.constraints:
        if con.kind == "not_null":
            continue
        suffix = "" if con.validated else "  -- NOT VALID: not yet validated"
        lines.append(f"    CONSTRAINT {_ident(con.name)} {con.definition}{suffix}")
    kind = {"partitioned_table": "TABLE", "foreign_table": "FOREIGN TABLE"}.get(t.kind, "TABLE")
    unlogged = "UNLOGGED " if t.persistence == "unlogged" else ""
    out = [f"CREATE {unlogged}{kind} {t.qualified} (", ",\n".join(lines), ")"]
    tail = ""
    if t.partition_key:
        tail += f" PARTITION BY {t.partition_key}"
    if t.inherits:
        tail += f" INHERITS ({', '.join(t.inherits)})"
    out[-1] += tail + ";"
    if t.partition_of:
        out.append(f"-- partition of {t.partition_of} {t.partition_bound or ''}".rstrip())
    body = "\n".join(out)
    extra = []
    for i in t.indexes:
        if i.constraint:
            continue
        note = []
        if not i.valid:
            note.append("INVALID")
        note.append(f"{human_bytes(i.size_bytes)}, {i.scans} scans")
        extra.append(f"{i.definition};  -- {', '.join(note)}")
    for tr in t.triggers:
        extra.append(f"{tr.definition};" + ("" if tr.enabled else "  -- disabled"))
    if t.rls_enabled:
        extra.append(f"ALTER TABLE {t.qualified} ENABLE ROW LEVEL SECURITY;")
    for p in t.policies:
        pol = f"CREATE POLICY {_ident(p.name)} ON {t.qualified}"
        pol += "" if p.permissive else " AS RESTRICTIVE"
        pol += f" FOR {p.command} TO {', '.join(p.roles) or 'public'}"
        if p.using:
            pol += f" USING ({p.using})"
        if p.with_check:
            pol += f" WITH CHECK ({p.with_check})"
        extra.append(pol + ";")
    if t.comment:
        extra.append(f"COMMENT ON TABLE {t.qualified} IS '{t.comment.replace(chr(39), chr(39) * 2)}';")
    stats = (
        f"-- ~{human_count(max(t.estimated_rows, 0))} rows, heap {human_bytes(t.size_bytes)}, "
        f"total {human_bytes(t.total_bytes)}; {t.stats.seq_scans} seq scans, {t.stats.idx_scans} index scans, "
        f"{t.stats.inserts} ins / {t.stats.updates} upd / {t.stats.deletes} del, {t.stats.dead_tuples} dead tuples; "
        f"last analyze {t.stats.last_analyze or t.stats.last_autoanalyze or 'never'}"
    )
    return "\n".join([stats, body, *extra])


def detail(snap: SchemaSnapshot, name: str) -> TableDetail:
    t = snap.table(name)
    if t is None:
        bare = name.split(".")[-1].lower()
        near = [n.lower() for n in closest(bare, [x.name for x in snap.tables], n=5, ignore_case=True)]
        close = [x.qualified for n in near for x in snap.tables if x.name.lower() == n][:5]
        close += [x.qualified for x in snap.tables if bare in x.name.lower() and x.qualified not in close][: 5 - len(close)]
        hint = f" Similar: {', '.join(close)}." if close else " Call describe_schema without `table` to list tables."
        raise UserInputError(f"Table {name!r} does not exist in {snap.database}.{hint}")
    return TableDetail(
        table=t,
        ddl=table_ddl(t),
        referenced_by=[f"{src.qualified}.{fk.name} ({', '.join(fk.columns)})" for src, fk in snap.referencing(t)],
        views=[v.qualified for v in snap.views if t.qualified in v.depends_on],
    )


def _mermaid_type(sql_type: str) -> str:
    return sql_type.split("(")[0].replace(" ", "_")


def mermaid(snap: SchemaSnapshot, tables: list[Table], max_tables: int = 40) -> str:
    """An ER diagram of `tables` (their FKs between each other), at most `max_tables` of them."""
    chosen = tables[:max_tables]
    names = {t.qualified for t in chosen}

    def node(q: str) -> str:
        return q.removeprefix("public.").replace(".", "__")

    out = ["erDiagram"]
    for t in chosen:
        out.append(f"    {node(t.qualified)} {{")
        pk = set(t.primary_key.columns) if t.primary_key else set()
        fkcols = {c for fk in t.foreign_keys for c in fk.columns}
        uq = {c for con in t.constraints if con.kind == "unique" for c in con.columns}
        for c in t.columns:
            keys = [k for k, s in (("PK", pk), ("FK", fkcols), ("UK", uq)) if c.name in s]
            out.append(f"        {_mermaid_type(c.type)} {c.name}{' ' + ','.join(keys) if keys else ''}")
        out.append("    }")
    for t in chosen:
        for fk in t.foreign_keys:
            if not fk.references or fk.references.table not in names:
                continue
            nullable = any(not (col := t.column(c)) or not col.not_null for c in fk.columns)
            unique = any(
                set(con.columns) == set(fk.columns) for con in t.constraints if con.kind in ("unique", "primary_key")
            )
            left = "|o" if nullable else "||"
            right = "o|" if unique else "o{"
            out.append(
                f"    {node(fk.references.table)} {left}--{right} {node(t.qualified)} : \"{','.join(fk.columns)}\""
            )
    if len(tables) > max_tables:
        out.append(f"    %% {len(tables) - max_tables} more tables left out; filter with schema= or pattern=")
    return "\n".join(out)
