"""MySQL/MariaDB DDL text -> SchemaSnapshot, without a server (sqlglot, `mysql` dialect).

review_schema(ddl=...) on a MySQL connection reviews this parsed snapshot: tables, columns and
their types, AUTO_INCREMENT, character sets, engines, row formats, primary/unique/plain/FULLTEXT/
SPATIAL keys with prefix lengths (inline and `CREATE INDEX`), and foreign keys. What only a server
knows (row counts, sizes, the server's sql_mode and defaults) is absent; the review says which
rules that leaves out. Unspecified engines are InnoDB (the default since 5.5); unspecified
character sets stay unknown.
"""

from __future__ import annotations

import datetime as dt

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from dbarchitect.core.models import (
    Column,
    Constraint,
    ForeignKeyRef,
    Index,
    MySQLColumn,
    MySQLIndex,
    MySQLTable,
    SchemaSnapshot,
    Table,
)
from dbarchitect.core.sql.mysql_ident import quote_mysql


class MySQLDDLParseError(ValueError):
    pass


def _name(node) -> str:
    return node.name if hasattr(node, "name") else str(node)


def _type_text(dtype: exp.DataType) -> str:
    return dtype.sql(dialect="mysql").lower()


def _key_part(e) -> tuple[str | None, int | None]:
    if isinstance(e, exp.Ordered):
        e = e.this
    if isinstance(e, exp.ColumnPrefix):
        return _name(e.this), int(e.expression.name)
    if isinstance(e, exp.Anonymous) and len(e.expressions) == 1 and isinstance(e.expressions[0], exp.Literal):
        return str(e.this), int(e.expressions[0].name)  # `col(50)` in CREATE INDEX reads as a call
    if isinstance(e, (exp.Column, exp.Identifier)):
        return _name(e), None
    return None, None


def _index(name: str, parts: list, *, kind: str = "BTREE", unique: bool = False, primary: bool = False) -> Index:
    cols = [p[0] for p in parts]
    subs = [p[1] for p in parts]
    texts = [quote_mysql(c) + (f"({s})" if s else "") if c else "(expression)" for c, s in parts]
    head = "PRIMARY KEY" if primary else {"FULLTEXT": "FULLTEXT KEY", "SPATIAL": "SPATIAL KEY"}.get(
        kind, "UNIQUE KEY" if unique else "KEY"
    )
    definition = f"{head}{'' if primary else ' ' + quote_mysql(name)} ({','.join(texts)})"
    return Index(
        name=name, method=kind.lower(), columns=cols, expressions=texts, unique=unique or primary, primary=primary,
        definition=definition, mysql=MySQLIndex(index_type=kind, sub_parts=subs),
    )  # fmt: skip


def snapshot_from_mysql_ddl(ddl: str, database: str = "ddl") -> SchemaSnapshot:
    try:
        statements = [s for s in sqlglot.parse(ddl, read="mysql") if s is not None]
    except (ParseError, TokenError) as exc:
        raise MySQLDDLParseError(str(exc).splitlines()[0]) from None
    tables: dict[str, Table] = {}
    pending_indexes: list[exp.Create] = []
    for stmt in statements:
        if isinstance(stmt, exp.Create) and stmt.kind == "TABLE" and isinstance(stmt.this, exp.Schema):
            t = _table(stmt, database)
            tables[t.name] = t
        elif isinstance(stmt, exp.Create) and stmt.kind == "INDEX":
            pending_indexes.append(stmt)
    for stmt in pending_indexes:
        idx = stmt.this
        t = tables.get(_name(idx.args.get("table")))
        if t is None:
            continue
        params = idx.args.get("params")
        parts = [_key_part(c) for c in (params.args.get("columns") if params else [])]
        kind = "BTREE"
        props = stmt.args.get("kind") or ""
        text = stmt.sql(dialect="mysql").upper()
        if text.startswith("CREATE FULLTEXT"):
            kind = "FULLTEXT"
        elif text.startswith("CREATE SPATIAL"):
            kind = "SPATIAL"
        del props
        t.indexes.append(_index(_name(idx), parts, kind=kind, unique=bool(stmt.args.get("unique"))))
    for t in tables.values():
        for i in t.indexes:
            if i.primary or i.unique:
                t.constraints.append(
                    Constraint(name=i.name, kind="primary_key" if i.primary else "unique",
                               columns=[c for c in i.columns if c], definition=i.definition, index=i.name)  # fmt: skip
                )
    return SchemaSnapshot(
        database=database,
        taken_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        schemas=[database],
        tables=list(tables.values()),
    )


def _table(stmt: exp.Create, database: str) -> Table:
    schema: exp.Schema = stmt.this
    tname = _name(schema.this)
    engine, charset, collation, row_format, auto_inc = "InnoDB", None, None, None, None
    for p in (stmt.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(p, exp.EngineProperty):
            engine = p.this.name
        elif isinstance(p, exp.CharacterSetProperty):
            charset = p.this.name.lower()
        elif isinstance(p, exp.CollateProperty):
            collation = p.this.name.lower()
        elif isinstance(p, exp.RowFormatProperty):
            row_format = p.this.name.capitalize()
        elif isinstance(p, exp.AutoIncrementProperty):
            auto_inc = int(p.this.name)
    if charset is None and collation:
        charset = collation.split("_")[0]
    t = Table(
        schema=database, name=tname,
        mysql=MySQLTable(engine=engine, charset=charset, collation=collation, row_format=row_format or "Dynamic",
                         auto_increment=auto_inc),
    )  # fmt: skip
    position = 0
    fk_columns: list[tuple[str, list[str]]] = []
    for e in schema.expressions:
        if isinstance(e, exp.ColumnDef):
            position += 1
            dtype = e.args.get("kind")
            type_text = _type_text(dtype) if dtype is not None else "unknown"
            base = type_text.split("(")[0].split(" ")[0]
            cons = [c.args.get("kind") for c in e.args.get("constraints") or []]
            col_charset = next((c.this.name.lower() for c in cons if isinstance(c, exp.CharacterSetColumnConstraint)), None)
            if col_charset is None and base in ("char", "varchar", "text", "tinytext", "mediumtext", "longtext", "enum", "set"):
                col_charset = charset
            length = None
            if base in ("char", "varchar") and dtype is not None and dtype.expressions:
                length = int(dtype.expressions[0].name)
            auto = any(isinstance(c, exp.AutoIncrementColumnConstraint) for c in cons)
            default = next((c.this.sql(dialect="mysql") for c in cons if isinstance(c, exp.DefaultColumnConstraint)), None)
            t.columns.append(
                Column(
                    name=e.name, position=position, type=type_text,
                    not_null=any(isinstance(c, (exp.NotNullColumnConstraint, exp.PrimaryKeyColumnConstraint))
                                 and not (isinstance(c, exp.NotNullColumnConstraint) and c.args.get("allow_null")) for c in cons),
                    default=default,
                    mysql=MySQLColumn(column_type=type_text, data_type={"integer": "int"}.get(base, base), charset=col_charset,
                                      auto_increment=auto, unsigned="unsigned" in type_text, max_length=length),
                )  # fmt: skip
            )
            if any(isinstance(c, exp.PrimaryKeyColumnConstraint) for c in cons):
                t.indexes.append(_index("PRIMARY", [(e.name, None)], primary=True))
            if any(isinstance(c, exp.UniqueColumnConstraint) for c in cons):
                t.indexes.append(_index(e.name, [(e.name, None)], unique=True))
        elif isinstance(e, exp.PrimaryKey):
            t.indexes.append(_index("PRIMARY", [_key_part(x) for x in e.expressions], primary=True))
        elif isinstance(e, exp.UniqueColumnConstraint):
            inner = e.this
            if isinstance(inner, exp.Schema):
                name = _name(inner.this) if inner.this is not None else None
                parts = [_key_part(x) for x in inner.expressions]
            else:
                name, parts = None, []
            t.indexes.append(_index(name or (parts[0][0] if parts else "unique"), parts, unique=True))
        elif isinstance(e, exp.IndexColumnConstraint):
            kind = str(e.args.get("kind") or "BTREE").upper()
            parts = [_key_part(x) for x in e.expressions]
            name = _name(e.this) if e.this is not None else (parts[0][0] if parts else "key")
            t.indexes.append(_index(name, parts, kind=kind if kind in ("FULLTEXT", "SPATIAL") else "BTREE"))
        elif isinstance(e, exp.Constraint) or isinstance(e, exp.ForeignKey):
            fks = [e] if isinstance(e, exp.ForeignKey) else [x for x in e.expressions if isinstance(x, exp.ForeignKey)]
            pks = [] if isinstance(e, exp.ForeignKey) else [x for x in e.expressions if isinstance(x, exp.PrimaryKey)]
            for pk in pks:
                t.indexes.append(_index("PRIMARY", [_key_part(x) for x in pk.expressions], primary=True))
            for fk in fks:
                cols = [_name(x) for x in fk.expressions]
                ref = fk.args.get("reference")
                ref_schema = ref.this if ref is not None else None
                ref_table = _name(ref_schema.this) if isinstance(ref_schema, exp.Schema) else _name(ref_schema)
                ref_cols = [_name(x) for x in ref_schema.expressions] if isinstance(ref_schema, exp.Schema) else []
                options = " ".join(str(o) for o in (ref.args.get("options") or [])) if ref is not None else ""
                on_delete = options.upper().split("ON DELETE ")[1].split(" ON ")[0] if "ON DELETE" in options.upper() else "RESTRICT"
                name = _name(e.this) if isinstance(e, exp.Constraint) else f"{tname}_ibfk"
                t.constraints.append(
                    Constraint(
                        name=name, kind="foreign_key", columns=cols,
                        definition=f"FOREIGN KEY ({', '.join(cols)}) REFERENCES {ref_table} ({', '.join(ref_cols)})",
                        references=ForeignKeyRef(table=f"{database}.{ref_table}", columns=ref_cols, on_delete=on_delete),
                    )  # fmt: skip
                )
                fk_columns.append((name, cols))
    for name, cols in fk_columns:  # InnoDB creates an index for a foreign key that has none
        if not any(i.columns[: len(cols)] == cols for i in t.indexes):
            t.indexes.append(_index(name, [(c, None) for c in cols]))
    return t
