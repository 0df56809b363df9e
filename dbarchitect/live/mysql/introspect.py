"""Read a MySQL/MariaDB database's catalog into a `SchemaSnapshot`: one batched information_schema
query per object kind (tables, columns, indexes, constraints, partitions, views, routines), never one
per table. The scope is the URL's database, or every user database when the URL names none; a
MySQL "database" is the snapshot's schema.

Row counts and sizes are InnoDB's estimates (`information_schema.tables`), as `mysqldump` and
`SHOW TABLE STATUS` report them. MySQL-only facts go into the `mysql` sub-models of core.models.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from dbarchitect.core.models import (
    Column,
    Constraint,
    ForeignKeyRef,
    Function,
    Index,
    MySQLColumn,
    MySQLDatabaseFacts,
    MySQLIndex,
    MySQLPartition,
    MySQLTable,
    SchemaSnapshot,
    Sequence,
    Table,
    TableStats,
    View,
)
from dbarchitect.core.sql.mysql_ident import quote_mysql

SYSTEM_SCHEMAS = ("mysql", "information_schema", "performance_schema", "sys")


# the largest catalog queries ({marks}: the schemas in scope; {extra_cols}: STATISTICS columns this server has)
BIG_QUERIES = {
    "tables": """SELECT table_schema, table_name, table_type, engine, row_format, table_rows, data_length,
                   index_length, data_free, auto_increment, create_options, table_collation, table_comment
              FROM information_schema.tables WHERE table_schema IN ({marks})
             ORDER BY table_schema, table_name""",
    "columns": """SELECT table_schema, table_name, column_name, ordinal_position, column_default, is_nullable,
                   data_type, column_type, character_set_name, collation_name, extra, column_comment,
                   generation_expression, character_maximum_length
              FROM information_schema.columns WHERE table_schema IN ({marks})
             ORDER BY table_schema, table_name, ordinal_position""",
    "statistics": """SELECT table_schema, table_name, index_name, non_unique, seq_in_index, column_name, sub_part,
                   index_type, index_comment{extra_cols}
              FROM information_schema.statistics WHERE table_schema IN ({marks})
             ORDER BY table_schema, table_name, index_name, seq_in_index""",
    "fk": """SELECT table_schema, table_name, constraint_name, column_name, ordinal_position,
                   referenced_table_schema, referenced_table_name, referenced_column_name
              FROM information_schema.key_column_usage
             WHERE table_schema IN ({marks}) AND referenced_table_name IS NOT NULL
             ORDER BY table_schema, table_name, constraint_name, ordinal_position""",
    "fk_rules": """SELECT constraint_schema, table_name, constraint_name, update_rule, delete_rule, match_option
              FROM information_schema.referential_constraints WHERE constraint_schema IN ({marks})""",
}


def _rows(cur, sql: str, params: tuple | list = ()) -> list[dict[str, Any]]:
    cur.execute(sql, params)
    names = [d[0].lower() for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _text(v: Any) -> str | None:
    if v is None:
        return None
    return v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else str(v)


def version_num(version: str) -> int:
    """`10.11.19-MariaDB-0+deb12u1` -> 101119; `8.0.36` -> 80036."""
    head = version.split("-")[0]
    parts = [int(p) if p.isdigit() else 0 for p in head.split(".")[:3]] + [0, 0, 0]
    return parts[0] * 10000 + parts[1] * 100 + parts[2]


def flavor_of(version: str, comment: str = "") -> str:
    return "MariaDB" if "mariadb" in f"{version} {comment}".lower() else "MySQL"


def _columns_of(cur, table: str) -> set[str]:
    rows = _rows(
        cur,
        "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'information_schema' AND table_name = %s",
        (table,),
    )
    return {str(r["c"]).lower() for r in rows}


def take_snapshot(conn) -> SchemaSnapshot:
    """The catalog of the connection's database (or every user database). information_schema
    queries are never joined with each other: MariaDB opens every table once per joined view, which
    made one join cost 6x its two halves on 5,000 tables; the halves are joined here instead."""
    cur = conn.cursor()
    try:  # MySQL 8 caches table statistics (rows, sizes, AUTO_INCREMENT) for a day unless told not to
        cur.execute("SET SESSION information_schema_stats_expiry = 0")
    except Exception:  # noqa: BLE001 - MariaDB and MySQL 5.7 have no such variable: their values are live
        pass
    head = _rows(
        cur,
        "SELECT DATABASE() AS db, VERSION() AS v, @@version_comment AS vc, @@SESSION.sql_mode AS sm,"
        " @@GLOBAL.sql_mode AS gsm, @@character_set_database AS cs, @@collation_database AS co,"
        " @@lower_case_table_names AS lctn",
    )[0]
    current = _text(head["db"])
    if current:
        schemas = [current]
    else:
        schemas = [
            _text(r["s"])
            for r in _rows(
                cur,
                "SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name NOT IN (%s, %s, %s, %s)"
                " ORDER BY 1",
                SYSTEM_SCHEMAS,
            )
        ]
    version = _text(head["v"]) or ""
    snap = SchemaSnapshot(
        database=current or "",
        server_version=version,
        server_version_num=version_num(version),
        encoding=_text(head["cs"]) or "",
        collation=_text(head["co"]) or "",
        taken_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        schemas=list(schemas),
        mysql=MySQLDatabaseFacts(
            flavor=flavor_of(version, _text(head["vc"]) or ""),
            version=version,
            sql_mode=_text(head["sm"]) or "",
            global_sql_mode=_text(head["gsm"]) or "",
            charset=_text(head["cs"]) or "",
            collation=_text(head["co"]) or "",
            lower_case_table_names=int(head["lctn"] or 0),
        ),
    )
    if not schemas:
        return snap
    marks = ", ".join(["%s"] * len(schemas))
    scope = tuple(schemas)
    stat_cols = _columns_of(cur, "STATISTICS")
    optional = [c for c in ("ignored", "is_visible", "expression") if c in stat_cols]
    extra_cols = "".join(f", {c}" for c in optional)
    sqls = {k: v.format(marks=marks, extra_cols=extra_cols) for k, v in BIG_QUERIES.items()}

    def q(sql: str, params: tuple = scope) -> list[dict[str, Any]]:
        return _rows(cur, sql, params)

    charset_of = {
        _text(r["c"]): _text(r["s"])
        for r in q("SELECT collation_name AS c, character_set_name AS s FROM information_schema.collations", ())
    }

    tables: dict[tuple[str, str], Table] = {}
    for r in q(sqls["tables"]):
        schema, name, ttype = _text(r["table_schema"]), _text(r["table_name"]), _text(r["table_type"])
        if ttype == "VIEW":
            snap.views.append(View(schema=schema, name=name, comment=None))
            continue
        if ttype == "SEQUENCE":
            snap.sequences.append(Sequence(schema=schema, name=name))
            continue
        data, idx = int(r["data_length"] or 0), int(r["index_length"] or 0)
        rows = int(r["table_rows"] or 0)
        comment = _text(r["table_comment"]) or None
        tables[(schema, name)] = Table(
            schema=schema,
            name=name,
            kind="table",
            persistence="temporary" if ttype == "TEMPORARY" else "permanent",
            reltuples=rows,
            size_bytes=data,
            total_bytes=data + idx,
            comment=comment,
            stats=TableStats(live_tuples=rows),
            mysql=MySQLTable(
                engine=_text(r["engine"]),
                row_format=_text(r["row_format"]),
                charset=charset_of.get(_text(r["table_collation"])),
                collation=_text(r["table_collation"]),
                auto_increment=int(r["auto_increment"]) if r["auto_increment"] is not None else None,
                create_options=_text(r["create_options"]) or "",
                data_free=int(r["data_free"] or 0),
            ),
        )

    for r in q(sqls["columns"]):
        t = tables.get((_text(r["table_schema"]), _text(r["table_name"])))
        if t is None:
            view = next((v for v in snap.views if (v.schema_name, v.name) == (_text(r["table_schema"]), _text(r["table_name"]))), None)
            if view is not None:
                view.columns.append(_text(r["column_name"]))
            continue
        extra = _text(r["extra"]) or ""
        ctype = _text(r["column_type"]) or ""
        low_extra = extra.lower()
        on_update = None
        if "on update" in low_extra:
            on_update = extra[low_extra.index("on update") + len("on update") :].strip()
        gen = _text(r["generation_expression"])
        t.columns.append(
            Column(
                name=_text(r["column_name"]),
                position=int(r["ordinal_position"]),
                type=ctype,
                not_null=_text(r["is_nullable"]) == "NO",
                default=_text(r["column_default"]),
                generated=gen or None,
                collation=_text(r["collation_name"]),
                comment=_text(r["column_comment"]) or None,
                mysql=MySQLColumn(
                    column_type=ctype,
                    data_type=(_text(r["data_type"]) or "").lower(),
                    charset=_text(r["character_set_name"]),
                    auto_increment="auto_increment" in low_extra,
                    unsigned="unsigned" in ctype.lower(),
                    on_update=on_update,
                    extra=extra,
                    max_length=int(r["character_maximum_length"]) if r["character_maximum_length"] is not None else None,
                ),
            )
        )

    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in q(sqls["statistics"]):
        grouped[(_text(r["table_schema"]), _text(r["table_name"]), _text(r["index_name"]))].append(r)
    sizes = _index_sizes(cur, scope, marks)
    for (schema, tname, iname), parts in grouped.items():
        t = tables.get((schema, tname))
        if t is None:
            continue
        first = parts[0]
        itype = (_text(first["index_type"]) or "BTREE").upper()
        columns: list[str | None] = []
        texts: list[str] = []
        subs: list[int | None] = []
        for p in parts:
            col = _text(p["column_name"])
            expr = _text(p.get("expression"))
            sub = int(p["sub_part"]) if p["sub_part"] is not None else None
            columns.append(col)
            subs.append(sub)
            if col is None:
                texts.append(f"({expr})" if expr else "(expression)")
            else:
                texts.append(quote_mysql(col) + (f"({sub})" if sub else ""))
        unique = int(first["non_unique"]) == 0
        primary = iname == "PRIMARY"
        kind = "PRIMARY KEY" if primary else {"FULLTEXT": "FULLTEXT KEY", "SPATIAL": "SPATIAL KEY"}.get(
            itype, "UNIQUE KEY" if unique else "KEY"
        )
        name_part = "" if primary else f" {quote_mysql(iname)}"
        using = " USING HASH" if itype == "HASH" else ""
        visible = str(first.get("is_visible", "YES")).upper() != "NO"
        ignored = str(first.get("ignored", "NO")).upper() == "YES"
        definition = f"{kind}{name_part} ({','.join(texts)}){using}"
        if not visible:
            definition += " INVISIBLE"
        if ignored:
            definition += " IGNORED"
        t.indexes.append(
            Index(
                name=iname,
                method=itype.lower(),
                columns=columns,
                expressions=texts,
                unique=unique,
                primary=primary,
                definition=definition,
                size_bytes=sizes.get((schema, tname, iname), 0),
                mysql=MySQLIndex(
                    index_type=itype, sub_parts=subs, visible=visible, ignored=ignored,
                    comment=_text(first["index_comment"]) or "",
                ),  # fmt: skip
            )
        )
        if primary or unique:
            t.constraints.append(
                Constraint(
                    name=iname,
                    kind="primary_key" if primary else "unique",
                    columns=[c for c in columns if c],
                    definition=f"{'PRIMARY KEY' if primary else 'UNIQUE'} ({', '.join(texts)})",
                    index=iname,
                )
            )

    _foreign_keys(q, sqls["fk"], sqls["fk_rules"], tables)
    _checks(cur, scope, marks, tables)
    _partitions(cur, scope, marks, tables)
    for t in tables.values():
        t.constraints.sort(key=lambda c: ({"primary_key": 0, "unique": 1, "foreign_key": 2}.get(c.kind, 3), c.name))
    snap.tables = list(tables.values())
    _views_and_routines(cur, scope, marks, snap)
    return snap


def _index_sizes(cur, scope: tuple, marks: str) -> dict[tuple[str, str, str], int]:
    """InnoDB's persistent index sizes (pages x page size) when the user may read mysql.innodb_index_stats."""
    try:
        rows = _rows(
            cur,
            f"""SELECT database_name AS s, table_name AS t, index_name AS i, stat_value * @@innodb_page_size AS b
                  FROM mysql.innodb_index_stats WHERE stat_name = 'size' AND database_name IN ({marks})""",
            scope,
        )
    except Exception:  # noqa: BLE001 - no privilege on mysql.*: sizes stay unknown (0)
        return {}
    return {(_text(r["s"]), _text(r["t"]), _text(r["i"])): int(r["b"] or 0) for r in rows}


def _foreign_keys(q, sql: str, rules_sql: str, tables: dict) -> None:
    rules = {
        (_text(r["constraint_schema"]), _text(r["table_name"]), _text(r["constraint_name"])): r for r in q(rules_sql)
    }
    fks: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in q(sql):
        key = (_text(r["table_schema"]), _text(r["table_name"]), _text(r["constraint_name"]))
        fk = fks.setdefault(key, {"cols": [], "refcols": [], "row": r})
        fk["cols"].append(_text(r["column_name"]))
        fk["refcols"].append(_text(r["referenced_column_name"]))
    for (schema, tname, cname), fk in fks.items():
        t = tables.get((schema, tname))
        if t is None:
            continue
        r = {**fk["row"], **rules.get((schema, tname, cname), {})}
        ref = f"{_text(r['referenced_table_schema'])}.{_text(r['referenced_table_name'])}"
        on_delete, on_update = _text(r["delete_rule"]) or "RESTRICT", _text(r["update_rule"]) or "RESTRICT"
        cols = ", ".join(quote_mysql(c) for c in fk["cols"])
        refcols = ", ".join(quote_mysql(c) for c in fk["refcols"])
        t.constraints.append(
            Constraint(
                name=cname,
                kind="foreign_key",
                columns=fk["cols"],
                definition=(
                    f"FOREIGN KEY ({cols}) REFERENCES {quote_mysql(_text(r['referenced_table_name']))} ({refcols})"
                    f" ON DELETE {on_delete} ON UPDATE {on_update}"
                ),
                references=ForeignKeyRef(
                    table=ref, columns=fk["refcols"], on_delete=on_delete, on_update=on_update,
                    match=_text(r["match_option"]) or "NONE",
                ),  # fmt: skip
            )
        )


def _checks(cur, scope: tuple, marks: str, tables: dict) -> None:
    try:
        if "table_name" in _columns_of(cur, "CHECK_CONSTRAINTS"):  # MariaDB: no join needed
            rows = _rows(
                cur,
                f"""SELECT constraint_schema AS table_schema, table_name, constraint_name, check_clause
                      FROM information_schema.check_constraints WHERE constraint_schema IN ({marks})""",
                scope,
            )
        else:  # MySQL 8.0.16+
            rows = _rows(
                cur,
                f"""SELECT tc.table_schema, tc.table_name, tc.constraint_name, cc.check_clause
                      FROM information_schema.table_constraints tc
                      JOIN information_schema.check_constraints cc
                        ON cc.constraint_schema = tc.constraint_schema AND cc.constraint_name = tc.constraint_name
                     WHERE tc.constraint_type = 'CHECK' AND tc.table_schema IN ({marks})""",
                scope,
            )
    except Exception:  # noqa: BLE001 - servers before MySQL 8.0.16 / MariaDB 10.2 have no check_constraints
        return
    seen = set()
    for r in rows:
        key = (_text(r["table_schema"]), _text(r["table_name"]), _text(r["constraint_name"]))
        t = tables.get(key[:2])
        if t is None or key in seen:
            continue
        seen.add(key)
        t.constraints.append(Constraint(name=key[2], kind="check", definition=f"CHECK ({_text(r['check_clause'])})"))


def _partitions(cur, scope: tuple, marks: str, tables: dict) -> None:
    for r in _rows(
        cur,
        f"""SELECT table_schema, table_name, partition_name, subpartition_name, partition_method,
                   partition_expression, partition_description, table_rows
              FROM information_schema.partitions
             WHERE table_schema IN ({marks}) AND partition_name IS NOT NULL
             ORDER BY table_schema, table_name, partition_ordinal_position, subpartition_ordinal_position""",
        scope,
    ):
        t = tables.get((_text(r["table_schema"]), _text(r["table_name"])))
        if t is None or t.mysql is None:
            continue
        method = _text(r["partition_method"]) or ""
        expr = _text(r["partition_expression"])
        t.kind = "partitioned_table"
        t.partition_key = f"{method} ({expr})" if expr else method
        t.mysql.partitions.append(
            MySQLPartition(
                name=_text(r["partition_name"]),
                subpartition=_text(r["subpartition_name"]),
                method=method,
                expression=expr,
                description=_text(r["partition_description"]),
                rows=int(r["table_rows"] or 0),
            )
        )


def _views_and_routines(cur, scope: tuple, marks: str, snap: SchemaSnapshot) -> None:
    defs = {
        (_text(r["table_schema"]), _text(r["table_name"])): _text(r["view_definition"]) or ""
        for r in _rows(
            cur,
            f"SELECT table_schema, table_name, view_definition FROM information_schema.views WHERE table_schema IN ({marks})",
            scope,
        )
    }
    table_names = {(t.schema_name, t.name) for t in snap.tables}
    for v in snap.views:
        v.definition = defs.get((v.schema_name, v.name), "")
        low = v.definition.lower()
        v.depends_on = sorted(
            f"{s}.{n}" for (s, n) in table_names if f"`{n.lower()}`" in low
        )
    for r in _rows(
        cur,
        f"""SELECT routine_schema, routine_name, routine_type, data_type, sql_data_access, is_deterministic,
                   security_type
              FROM information_schema.routines WHERE routine_schema IN ({marks})""",
        scope,
    ):
        access = (_text(r["sql_data_access"]) or "").upper()
        snap.functions.append(
            Function(
                schema=_text(r["routine_schema"]),
                name=_text(r["routine_name"]),
                returns=_text(r["data_type"]) or "",
                language="SQL",
                kind="procedure" if _text(r["routine_type"]) == "PROCEDURE" else "function",
                volatility="immutable" if _text(r["is_deterministic"]) == "YES" and access in ("NO SQL", "CONTAINS SQL")
                else ("stable" if access != "MODIFIES SQL DATA" else "volatile"),
                security_definer=_text(r["security_type"]) == "DEFINER",
            )
        )
