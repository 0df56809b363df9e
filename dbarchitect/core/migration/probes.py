"""Data-dependent failures: the read-only queries that tell whether existing rows make a statement fail.

A unique index over duplicates, a foreign key over orphan rows, a CHECK or SET NOT NULL that rows violate:
PostgreSQL rejects these only because of the data. `plan_probes` (pure) writes one bounded SELECT per such
statement of an analysed migration; live/postgres/data_probes.py runs them read-only under statement_timeout
and stores a `DataProbe` per statement in the LintContext; the rule data-dependent-failure reports them.

A probe is planned only when the rows it reads are the rows the statement will meet: not when an earlier
statement of the file writes the table (UPDATE, INSERT, DELETE, COPY, DO, CALL) or changes the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.sql.ident import quote_ident

_DML = {"UpdateStmt", "InsertStmt", "DeleteStmt", "CopyStmt", "MergeStmt"}
_ANY_WRITE = {"DoStmt", "CallStmt"}
_FK_DEF = re.compile(r"FOREIGN KEY \((?P<cols>[^)]*)\) REFERENCES (?P<ref>.+?)\((?P<refcols>[^)]*)\)")


@dataclass(frozen=True)
class ProbeSpec:
    statement: int
    table: str
    kind: str  # duplicates, orphans, check, not_null, domain, conversion, existing_keys, overlap, bounds
    what: str  # in words: "duplicate (code) for the unique index orders_code_key"
    sql: str  # returns one row: (violations bigint, sample text)


def _rel(name: str) -> str:
    return ".".join(quote_ident(p) for p in name.split(".", 1))


def _cols(cols) -> str:
    return ", ".join(quote_ident(c) for c in cols)


def _split_cols(text: str) -> list[str]:
    return [c.strip().strip('"') for c in text.split(",") if c.strip()]


def _key(mig, table: str, alias: str = "t") -> str:
    """A sample key for a violating row: its primary key, else its ctid."""
    facts = mig.facts(table)
    pk = next((c for c in (facts.constraints if facts else []) if c.kind == "primary_key" and c.columns), None)
    if pk is None:
        return f"{alias}.ctid::text"
    return "ROW(" + ", ".join(f"{alias}.{quote_ident(c)}" for c in pk.columns) + ")::text" if len(pk.columns) > 1 \
        else f"{alias}.{quote_ident(pk.columns[0])}::text"


def _duplicates(stmt, table, cols, where, what, nulls_distinct: bool = True) -> ProbeSpec:
    # NULLS NOT DISTINCT (15+): NULLs collide like any value (GROUP BY puts them together)
    notnull = " AND ".join(f"{quote_ident(c)} IS NOT NULL" for c in cols) if nulls_distinct else "true"
    cond = f"{notnull}{f' AND ({where})' if where else ''}"
    key = f"ROW({_cols(cols)})::text" if len(cols) > 1 else f"{quote_ident(cols[0])}::text"
    sql = (f"SELECT count(*)::bigint, min(k) FROM (SELECT {key} AS k FROM {_rel(table)} WHERE {cond} "
           f"GROUP BY {_cols(cols)} HAVING count(*) > 1) d")
    return ProbeSpec(stmt.index, table, "duplicates", what, sql)


def _not_null(mig, stmt, table, column, what) -> ProbeSpec:
    sql = (f"SELECT count(*)::bigint, min({_key(mig, table)}) FROM {_rel(table)} t "
           f"WHERE t.{quote_ident(column)} IS NULL")
    return ProbeSpec(stmt.index, table, "not_null", what, sql)


def _check(mig, stmt, table, expr_sql, what) -> ProbeSpec:
    sql = f"SELECT count(*)::bigint, min({_key(mig, table)}) FROM {_rel(table)} t WHERE NOT ({expr_sql})"
    return ProbeSpec(stmt.index, table, "check", what, sql)


def _orphans(mig, stmt, table, cols, ref, refcols, what) -> ProbeSpec | None:
    if not refcols:
        facts = mig.facts(ref)
        pk = next((c for c in (facts.constraints if facts else []) if c.kind == "primary_key"), None)
        refcols = pk.columns if pk else []
    if not cols or len(cols) != len(refcols):
        return None
    key = "ROW(" + ", ".join(f"t.{quote_ident(c)}" for c in cols) + ")::text"
    notnull = " AND ".join(f"t.{quote_ident(c)} IS NOT NULL" for c in cols)
    join = " AND ".join(f"r.{quote_ident(rc)} = t.{quote_ident(c)}" for c, rc in zip(cols, refcols, strict=True))
    sql = (f"SELECT count(*)::bigint, min({key}) FROM {_rel(table)} t WHERE {notnull} "
           f"AND NOT EXISTS (SELECT 1 FROM {_rel(ref)} r WHERE {join})")
    return ProbeSpec(stmt.index, table, "orphans", what, sql)


def _written_before(mig, stmt, table: str) -> int | None:
    """The earlier statement of the file that may change the rows of `table`, if any."""
    short = table.split(".", 1)[1]
    for prev in mig.statements[: stmt.index - 1]:
        kind = type(prev.node).__name__
        if kind in _ANY_WRITE:
            return prev.index
        if kind in _DML:
            rel = getattr(prev.node, "relation", None)
            if rel is None or rel.relname in (short, table):
                return prev.index
        for op in prev.ops:
            if op.table == table and op.kind in (OpKind.ALTER_TYPE, OpKind.SET_DEFAULT, OpKind.TRUNCATE,
                                                 OpKind.SET_EXPRESSION):
                return prev.index
    return None


def candidates(stmt, mig) -> list[tuple[object, str]]:
    """The ops of `stmt` whose success depends on existing rows, with the table they read."""
    out = []
    for op in stmt.ops:
        if not op.table or not mig.preexisting(op.table, stmt):
            continue
        d = op.detail
        if op.kind == OpKind.CREATE_INDEX and getattr(d, "unique", False):
            out.append((op, op.table))
        elif op.kind == OpKind.ADD_CONSTRAINT and not op.not_valid and d.contype in (
                "unique", "primary_key", "foreign_key", "check") and not getattr(d, "using_index", None):
            if d.inline and op.column and (op.table, op.column) in mig.added_columns:
                # a column added by this statement: its rows hold the default (or NULL); only a CHECK can fail
                # on that value (a key or reference over one value for every row is another matter)
                if d.contype != "check" or _added_by(stmt, op) is None:
                    continue
            out.append((op, op.table))
        elif op.kind == OpKind.VALIDATE_CONSTRAINT and op.scan:
            out.append((op, op.table))
        elif op.kind == OpKind.ALTER_TYPE and converts_may_fail(op):
            out.append((op, op.table))
        elif op.kind == OpKind.SET_NOT_NULL and op.scan:
            if (op.table, op.column) in mig.added_columns and mig.added_columns[(op.table, op.column)] < stmt.index:
                continue
            out.append((op, op.table))
        elif op.kind == OpKind.ATTACH_PARTITION and op.detail.child and mig.preexisting(op.detail.child, stmt):
            out.append((op, op.detail.child))  # its rows must all lie within the bounds
        elif op.kind == OpKind.CREATE_PARTITION and op.node.partbound is not None and not op.node.partbound.is_default:
            out.append((op, op.table))  # its bounds must not overlap an existing partition's
        elif op.kind == OpKind.INSERT and op.node.onConflictClause is None and (
                _insert_values(op.node) is not None or _read_only_select(op.node, mig)):
            out.append((op, op.table))  # rows whose key is already there: a unique violation
    return out


_PARTKEY = re.compile(r"^(RANGE|LIST) \((?P<cols>[A-Za-z_][A-Za-z0-9_$]*(?:, [A-Za-z_][A-Za-z0-9_$]*)*)\)$")


def _outside_bounds(mig, stmt, op, child, deparse) -> ProbeSpec | None:
    """Rows of the table being attached that its partition bounds exclude (PostgreSQL refuses the ATTACH)."""
    from pglast import ast

    parent = mig.facts(op.table)
    m = _PARTKEY.match(parent.partition_key or "") if parent is not None else None
    bound = getattr(op.node.def_, "bound", None)
    if m is None or bound is None or bound.is_default:
        return None
    keys = [quote_ident(k) for k in m.group("cols").split(", ")]

    def literal(e):
        return None if isinstance(e, ast.ColumnRef) else deparse(e)  # MINVALUE / MAXVALUE: unbounded

    if m.group(1) == "RANGE" and bound.strategy == "r":
        lo, hi = [literal(e) for e in bound.lowerdatums], [literal(e) for e in bound.upperdatums]
        if len(lo) != len(keys) or len(hi) != len(keys) or (len(keys) > 1 and None in lo + hi):
            return None
        row = keys[0] if len(keys) == 1 else f"ROW({', '.join(keys)})"
        cond = [f"{k} IS NOT NULL" for k in keys]
        if lo[0] is not None:
            cond.append(f"{row} >= {lo[0] if len(keys) == 1 else 'ROW(' + ', '.join(lo) + ')'}")
        if hi[0] is not None:
            cond.append(f"{row} < {hi[0] if len(keys) == 1 else 'ROW(' + ', '.join(hi) + ')'}")
        what = f"FROM ({', '.join(v or 'MINVALUE' for v in lo)}) TO ({', '.join(v or 'MAXVALUE' for v in hi)})"
    elif m.group(1) == "LIST" and bound.strategy == "l" and len(keys) == 1:
        vals = [e for e in bound.listdatums]
        nulls = any(isinstance(e, ast.A_Const) and e.isnull for e in vals)
        shown = [deparse(e) for e in vals if not (isinstance(e, ast.A_Const) and e.isnull)]
        cond = [f"({keys[0]} IN ({', '.join(shown)}){f' OR {keys[0]} IS NULL' if nulls else ''})" if shown
                else f"{keys[0]} IS NULL"]
        what = f"IN ({', '.join(shown + (['NULL'] if nulls else []))})"
    else:
        return None
    sql = (f"SELECT count(*)::bigint, min({_key(mig, child)}) FROM {_rel(child)} t "
           f"WHERE NOT coalesce({' AND '.join(cond)}, false)")
    return ProbeSpec(stmt.index, child, "bounds", f"rows of {child.split('.', 1)[1]} outside the partition bounds "
                     f"FOR VALUES {what}", sql)


def _overlap(mig, stmt, parent, bound, deparse) -> ProbeSpec | None:
    """Existing partitions of `parent` whose bounds overlap `bound` (single-column RANGE or LIST), compared by the
    server in the key's type: PostgreSQL refuses the new partition."""
    from pglast import ast, parse_sql

    facts = mig.facts(parent)
    m = _PARTKEY.match(facts.partition_key or "") if facts is not None else None
    if m is None or "," in m.group("cols") or stmt.index > 1 and any(
            o.kind in (OpKind.CREATE_PARTITION, OpKind.ATTACH_PARTITION, OpKind.DETACH_PARTITION) and o.table == parent
            for prev in mig.statements[: stmt.index - 1] for o in prev.ops):
        return None  # the file changes the partitions first: the catalog is not what the statement meets
    col = facts.columns.get(m.group("cols"))
    if col is None:
        return None
    typ = col.type

    def spec(text: str):
        return parse_sql(f"CREATE TABLE x PARTITION OF p {text}")[0].stmt.partbound

    def val(e) -> str:
        return "NULL" if isinstance(e, ast.ColumnRef) or (isinstance(e, ast.A_Const) and e.isnull) \
            else f"({deparse(e)})::{typ}"

    rows = []
    try:
        for name, text in sorted(facts.partition_bounds.items()):
            b = spec(text) if text and text != "DEFAULT" else None
            if b is None or b.is_default or b.strategy != bound.strategy:
                continue
            if bound.strategy == "r":
                rows.append(f"({_lit(name)}, {val(b.lowerdatums[0])}, {val(b.upperdatums[0])})")
            elif bound.strategy == "l":
                rows.extend(f"({_lit(name)}, {val(e)}, NULL::{typ})" for e in b.listdatums)
    except Exception:  # noqa: BLE001 - a bound this parser does not read: no probe
        return None
    if not rows:
        return None
    if bound.strategy == "r" and len(bound.lowerdatums) == 1:
        lo, hi = val(bound.lowerdatums[0]), val(bound.upperdatums[0])
        cond = f"(b.lo IS NULL OR {hi} IS NULL OR b.lo < {hi}) AND (b.hi IS NULL OR {lo} IS NULL OR {lo} < b.hi)"
        what = f"FROM ({deparse(bound.lowerdatums[0])}) TO ({deparse(bound.upperdatums[0])})"
    elif bound.strategy == "l":
        cond = " OR ".join(f"b.lo IS NOT DISTINCT FROM {val(e)}" for e in bound.listdatums)
        what = f"IN ({', '.join(deparse(e) for e in bound.listdatums)})"
    else:
        return None
    sql = (f"SELECT count(DISTINCT b.name)::bigint, min(b.name) FROM (VALUES {', '.join(rows)}) b(name, lo, hi) "
           f"WHERE {cond}")
    return ProbeSpec(stmt.index, parent, "overlap", f"partitions of {parent.split('.', 1)[1]} overlapping "
                     f"FOR VALUES {what}", sql)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _added_by(stmt, op):
    """The ADD COLUMN op of `stmt` that adds the column `op` constrains inline (None when another statement did)."""
    return next((o for o in stmt.ops if o.kind == OpKind.ADD_COLUMN and o.table == op.table
                 and o.column == op.column), None)


def _insert_values(node):
    """INSERT ... VALUES: its rows (lists of expressions), else None."""
    sel = getattr(node, "selectStmt", None)
    rows = getattr(sel, "valuesLists", None) if sel is not None else None
    return [list(r) for r in rows] if rows else None


def _read_only_select(node, mig) -> bool:
    """INSERT ... SELECT whose query can run as a probe: nothing in it writes, locks rows or is volatile (a
    sequence's nextval, a subquery the classifier cannot see into)."""
    from pglast import ast

    from dbarchitect.core.migration.analyze import expression_volatility, walk

    sel = getattr(node, "selectStmt", None)
    if not isinstance(sel, ast.SelectStmt) or sel.valuesLists:
        return False
    if any(isinstance(n, (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt, ast.LockingClause,
                          ast.IntoClause)) for n in walk(sel)):
        return False
    vol, unknown = expression_volatility(sel, mig.ctx)
    return vol != "volatile" and not unknown


def _insert_keys(mig, stmt, op, table, deparse) -> ProbeSpec | None:
    """Existing rows with the key of a row INSERT ... VALUES (or a read-only SELECT) adds (every unique key the
    insert sets)."""
    from pglast import ast

    facts = mig.facts(table)
    if facts is None:
        return None
    cols = [t.name for t in op.node.cols] if op.node.cols else list(facts.columns)
    rows = _insert_values(op.node)
    keys = [c.columns for c in facts.constraints if c.kind in ("primary_key", "unique") and c.columns]
    if rows is None:  # INSERT ... SELECT: the query's rows joined to the table's on each key
        found = [" AND ".join(f"t.{quote_ident(k)} = s.{quote_ident(k)}" for k in key) for key in keys
                 if all(k in cols for k in key)]
        if not found:
            return None
        sample = f"ROW({', '.join('s.' + quote_ident(k) for k in next(k for k in keys if all(c in cols for c in k)))})"
        sql = (f"SELECT count(*)::bigint, min({sample}::text) FROM ({deparse(op.node.selectStmt)}) s({_cols(cols)}) "
               f"WHERE " + " OR ".join(f"EXISTS (SELECT 1 FROM {_rel(table)} t WHERE {c})" for c in found))
        return ProbeSpec(stmt.index, table, "existing_keys", f"rows of {table.split('.', 1)[1]} already holding a "
                         f"key the INSERT ... SELECT adds", sql)
    conds, shown = [], []
    for key in keys:
        if not all(k in cols for k in key):
            continue
        pos = [cols.index(k) for k in key]
        vals = []
        for r in rows:
            if len(r) != len(cols) or any(isinstance(r[i], ast.SetToDefault) for i in pos):
                break
            vals.append("(" + ", ".join(deparse(r[i]) for i in pos) + ")")
        else:
            conds.append(f"({_cols(key)}) IN (VALUES {', '.join(vals)})")
            shown.append(", ".join(key))
    if not conds:
        return None
    sql = (f"SELECT count(*)::bigint, min({_key(mig, table)}) FROM {_rel(table)} t "
           f"WHERE {' OR '.join(conds)}")
    return ProbeSpec(stmt.index, table, "existing_keys", f"rows of {table.split('.', 1)[1]} already holding the "
                     f"inserted key ({'; '.join(shown)})", sql)


# Conversions that cannot fail on any value (widening): (old, new) typnames; any type to text can't fail either.
_SAFE_CONVERSIONS = {("int2", "int4"), ("int2", "int8"), ("int4", "int8"), ("float4", "float8"), ("int2", "float8"),
                     ("int4", "float8"), ("int8", "float8"), ("int2", "float4"), ("int4", "float4"), ("int8", "float4"),
                     ("timestamp", "timestamptz"), ("timestamptz", "timestamp"), ("date", "timestamp"),
                     ("date", "timestamptz"), ("varchar", "text"), ("bpchar", "text"), ("json", "jsonb"),
                     ("cidr", "inet")}


def converts_may_fail(op) -> bool:
    """Can converting the existing values of an ALTER COLUMN ... TYPE fail on some of them (a value too long
    for the new length, text that is not a number, a USING expression)?"""
    d = op.detail
    old, new = d.old, d.new
    if old is None or new is None or old.array != new.array:
        return False
    if d.using:
        return True
    if new.name in ("text",) or (new.name in ("varchar", "bpchar") and not new.mods and old.name != "bpchar"):
        return False
    if old.name == new.name:  # a length or precision change: only a narrower one can fail
        if not new.mods:
            return False
        if not old.mods:
            return True
        if new.name == "numeric":  # integer digits = precision - scale
            def digits(m):
                return m[0] - (m[1] if len(m) > 1 else 0)
            return digits(new.mods) < digits(old.mods)
        return new.mods[0] < old.mods[0]
    if (old.name, new.name) in _SAFE_CONVERSIONS:
        return False
    if new.name == "numeric" and not new.mods and old.name in ("int2", "int4", "int8"):
        return False
    return old.name in ("text", "varchar", "bpchar") or new.name in ("varchar", "bpchar", "int2", "int4", "int8",
                                                                     "numeric")


def plan_probes(mig) -> tuple[list[ProbeSpec], dict[int, str]]:
    """Probes for the statements of an analysed migration (core/migration/kit.Migration), and for the
    statements that cannot be probed, why (statement index -> reason)."""
    from dbarchitect.core.migration.analyze import deparse

    specs: list[ProbeSpec] = []
    skipped: dict[int, str] = {}
    file_checks: dict[tuple[str, str], str] = {}  # NOT VALID CHECKs added by the file -> expression SQL
    file_fks: dict[tuple[str, str], tuple[list[str], str, list[str]]] = {}
    for stmt in mig.statements:
        for op in stmt.ops:
            if op.kind == OpKind.ADD_CONSTRAINT and op.table and op.name:
                d = op.detail
                if d.contype == "check" and d.expr is not None:
                    file_checks[(op.table, op.name)] = deparse(d.expr)
                elif d.contype == "foreign_key" and d.ref:
                    file_fks[(op.table, op.name)] = (list(d.columns), d.ref, list(d.ref_columns or []))
        for op, table in candidates(stmt, mig):
            if (why := _written_before(mig, stmt, table)) is not None:
                skipped[stmt.index] = f"statement {why} may change the rows of {table} first"
                continue
            spec = _spec(mig, stmt, op, table, file_checks, file_fks, deparse)
            if spec is None:
                skipped.setdefault(stmt.index, f"no probe for this form on {table}")
            else:
                specs.append(spec)
    return specs, skipped


def _spec(mig, stmt, op, table, file_checks, file_fks, deparse) -> ProbeSpec | None:
    d = op.detail
    t = table.split(".", 1)[1]
    if op.kind == OpKind.CREATE_INDEX:
        if not d.columns:
            return None
        where = deparse(op.node.whereClause) if getattr(op.node, "whereClause", None) is not None else None
        if any(c is None for c in d.columns):  # an expression key: the expressions are grouped as written
            exprs = [quote_ident(e.name) if e.name else f"({deparse(e.expr)})" for e in op.node.indexParams or ()]
            if len(exprs) != len(d.columns):
                return None
            nulls = " AND ".join(f"{x} IS NOT NULL" for x in exprs) \
                if not getattr(op.node, "nulls_not_distinct", False) else "true"
            cond = f"{nulls}{f' AND ({where})' if where else ''}"
            key = f"ROW({', '.join(exprs)})::text" if len(exprs) > 1 else f"{exprs[0]}::text"
            sql = (f"SELECT count(*)::bigint, min(k) FROM (SELECT {key} AS k FROM {_rel(table)} WHERE {cond} "
                   f"GROUP BY {', '.join(exprs)} HAVING count(*) > 1) d")
            return ProbeSpec(stmt.index, table, "duplicates", f"duplicate ({', '.join(exprs)}) in {t} for the unique "
                             f"index {op.name or ''}".strip(), sql)
        return _duplicates(stmt, table, d.columns, where,
                           f"duplicate ({', '.join(d.columns)}) in {t} for the unique index {op.name or ''}".strip(),
                           nulls_distinct=not getattr(op.node, "nulls_not_distinct", False))
    if op.kind == OpKind.ALTER_TYPE:
        new = deparse(op.node.def_.typeName)
        if op.node.def_.raw_default is None and d.new.name in ("varchar", "bpchar") and d.new.mods:
            # an explicit cast would truncate; the ALTER's assignment cast raises on a value too long
            sql = (f"SELECT count(*)::bigint, min({_key(mig, table)}) FROM {_rel(table)} t "
                   f"WHERE length(t.{quote_ident(op.column)}) > {int(d.new.mods[0])}")
            return ProbeSpec(stmt.index, table, "conversion", f"values of {t}.{op.column} longer than {new}", sql)
        expr = deparse(op.node.def_.raw_default) if op.node.def_.raw_default is not None else \
            f"{quote_ident(op.column)}::{new}"
        # every value converted once; the first that does not convert raises a data exception
        sql = f"SELECT count(x)::bigint * 0, NULL::text FROM (SELECT ({expr}) AS x FROM {_rel(table)}) s"
        return ProbeSpec(stmt.index, table, "conversion", f"values of {t}.{op.column} converted to {new}", sql)
    if op.kind == OpKind.INSERT:
        return _insert_keys(mig, stmt, op, table, deparse)
    if op.kind == OpKind.ATTACH_PARTITION:
        return _outside_bounds(mig, stmt, op, table, deparse)
    if op.kind == OpKind.CREATE_PARTITION:
        return _overlap(mig, stmt, table, op.node.partbound, deparse)
    if op.kind == OpKind.SET_NOT_NULL:
        return _not_null(mig, stmt, table, op.column, f"NULL {op.column} in {t} for SET NOT NULL")
    if op.kind == OpKind.ADD_CONSTRAINT:
        if d.contype in ("unique", "primary_key"):
            if not d.columns:
                return None
            label = "PRIMARY KEY" if d.contype == "primary_key" else "UNIQUE"
            spec = _duplicates(stmt, table, d.columns, None, f"duplicate ({', '.join(d.columns)}) in {t} for {label}",
                               nulls_distinct=not getattr(op.node, "nulls_not_distinct", False))
            nullable = list(getattr(d, "nullable", None) or [])
            if d.contype == "primary_key" and nullable:
                # a PRIMARY KEY also sets NOT NULL: a NULL in a key column fails it as surely as a duplicate
                nulls = " OR ".join(f"t.{quote_ident(c)} IS NULL" for c in nullable)
                sql = (f"SELECT sum(n)::bigint, min(s) FROM ({spec.sql} UNION ALL SELECT count(*), "
                       f"min({_key(mig, table)}) FROM {_rel(table)} t WHERE {nulls}) x(n, s)")
                return ProbeSpec(stmt.index, table, "duplicates", f"duplicate or NULL ({', '.join(d.columns)}) in {t} "
                                 f"for {label}", sql)
            return spec
        if d.contype == "check" and d.expr is not None and d.inline and (add := _added_by(stmt, op)) is not None:
            # every existing row gets the new column's default: the CHECK is evaluated on that value
            default = deparse(add.detail.default) if add.detail.default is not None else "NULL"
            rows = (f"(SELECT t.*, ({default})::{deparse(add.node.typeName)} AS {quote_ident(op.column)} "
                    f"FROM {_rel(table)} t)")
            sql = f"SELECT count(*)::bigint, min({_key(mig, table)}) FROM {rows} t WHERE NOT ({deparse(d.expr)})"
            return ProbeSpec(stmt.index, table, "check", f"rows of {t} violating CHECK ({deparse(d.expr)}) with the "
                             f"new column's default", sql)
        if d.contype == "check" and d.expr is not None:
            return _check(mig, stmt, table, deparse(d.expr), f"rows of {t} violating CHECK ({deparse(d.expr)})")
        if d.contype == "foreign_key" and d.ref:
            return _orphans(mig, stmt, table, list(d.columns), d.ref, list(d.ref_columns or []),
                            f"orphan ({', '.join(d.columns)}) in {t} with no row in {d.ref.split('.', 1)[1]}")
        return None
    if op.kind == OpKind.VALIDATE_CONSTRAINT:
        key = (table, op.name)
        if key in file_checks:
            return _check(mig, stmt, table, file_checks[key], f"rows of {t} violating {op.name}")
        if key in file_fks:
            cols, ref, refcols = file_fks[key]
            return _orphans(mig, stmt, table, cols, ref, refcols, f"orphan rows of {t} for {op.name}")
        facts = mig.facts(table)
        con = facts.constraint(op.name) if facts else None
        if con is None:
            return None
        if con.kind == "check" and con.definition.startswith("CHECK "):
            expr = con.definition[len("CHECK "):].removesuffix(" NOT VALID")
            return _check(mig, stmt, table, expr, f"rows of {t} violating {op.name}")
        if con.kind == "foreign_key":
            m = _FK_DEF.search(con.definition)
            if m and con.references:
                return _orphans(mig, stmt, table, _split_cols(m["cols"]), con.references, _split_cols(m["refcols"]),
                                f"orphan rows of {t} for {op.name}")
    return None


def probe_note(stmt, mig) -> str | None:
    """What the prediction of `stmt` must say about the rows it was not (fully) checked against."""
    if not candidates(stmt, mig):
        return None
    ctx = mig.ctx
    if not ctx.online:
        return "existing rows could not be checked (no connection): duplicates, orphans or violating rows " \
               "would make this statement fail"
    if stmt.index in ctx.unprobed:
        return f"existing rows could not be checked: {ctx.unprobed[stmt.index]}"
    for p in ctx.probes:
        if p.statement == stmt.index and p.status in ("cut_short", "error"):
            cut = "cut short" if p.status == "cut_short" else "failed"
            return f"the probe of existing rows ({p.what}) was {cut}: {p.detail}; the data was not checked"
    return None
