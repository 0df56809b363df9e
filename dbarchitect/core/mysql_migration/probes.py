"""Read-only probes of the rows a MySQL/MariaDB migration statement will meet (pure: the SQL only).

Each probe counts, up to `PROBE_CAP`, the rows that make a statement fail or change data: duplicates
under a new UNIQUE/PRIMARY key, NULLs under NOT NULL (or a new primary key), values a narrower type
cannot hold, ENUM members being removed, orphans under a new FOREIGN KEY. `live/mysql/lint_context.py`
runs them in a READ ONLY transaction with a short statement time limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from dbarchitect.core.mysql_migration.analyze import MyStatement
from dbarchitect.core.mysql_migration.online import ColType
from dbarchitect.core.sql.mysql_ident import quote_mysql as qi

PROBE_CAP = 1000
_INT_RANGE = {"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "bigint": 64}


@dataclass
class ProbeRequest:
    statement: int
    table: str  # db.table
    kind: str
    what: str
    sql: str  # returns (count, sample)
    column: str | None = None


def _qt(table: str) -> str:
    db, _, name = table.partition(".")
    return f"{qi(db)}.{qi(name)}" if name else qi(db)


def _count(inner: str, sample: str) -> str:
    return f"SELECT COUNT(*), MIN(s) FROM (SELECT {sample} AS s FROM {inner} LIMIT {PROBE_CAP}) AS probe"


def requests(statements: list[MyStatement]) -> list[ProbeRequest]:
    out: list[ProbeRequest] = []
    for st in statements:
        if not st.preexisting or not st.table or st.refused:
            continue
        t = _qt(st.table)
        for a in st.actions:
            cols = a.detail.get("columns") or []
            if a.kind in ("add_unique", "add_primary") and cols:
                keys = ", ".join(qi(c) for c in cols)
                notnull = " AND ".join(f"{qi(c)} IS NOT NULL" for c in cols)
                out.append(ProbeRequest(
                    st.index, st.table, "duplicates", f"duplicate ({', '.join(cols)}) values in {st.table}",
                    f"SELECT COUNT(*), MIN(s) FROM (SELECT CONCAT_WS(',', {keys}) AS s FROM {t} WHERE {notnull} "
                    f"GROUP BY {keys} HAVING COUNT(*) > 1 LIMIT {PROBE_CAP}) AS probe",
                ))  # fmt: skip
                if a.kind == "add_primary":
                    anynull = " OR ".join(f"{qi(c)} IS NULL" for c in cols)
                    out.append(ProbeRequest(st.index, st.table, "nulls", f"NULLs in the new primary key ({', '.join(cols)})",
                                            _count(f"{t} WHERE {anynull}", "'NULL'")))  # fmt: skip
            elif a.kind == "set_not_null" and a.column:
                out.append(ProbeRequest(st.index, st.table, "nulls", f"NULLs in {st.table}.{a.column}",
                                        _count(f"{t} WHERE {qi(a.column)} IS NULL", "'NULL'"), column=a.column))  # fmt: skip
            if a.detail.get("narrowing") and a.column:
                if (req := _narrowing(st, a, t)) is not None:
                    out.append(req)
            if a.kind == "add_fk" and cols and a.detail.get("ref_table") and a.detail.get("ref_columns"):
                ref = _qt(a.detail["ref_table"])
                on = " AND ".join(f"p.{qi(r)} = c.{qi(c)}" for c, r in zip(cols, a.detail["ref_columns"], strict=False))
                present = " AND ".join(f"c.{qi(c)} IS NOT NULL" for c in cols)
                sample = "CONCAT_WS(',', " + ", ".join(f"c.{qi(c)}" for c in cols) + ")"
                out.append(ProbeRequest(
                    st.index, st.table, "orphans",
                    f"{st.table} rows whose ({', '.join(cols)}) has no {a.detail['ref_table']} row",
                    _count(f"{t} AS c LEFT JOIN {ref} AS p ON {on} WHERE {present} AND p.{qi(a.detail['ref_columns'][0])} IS NULL", sample),
                ))  # fmt: skip
    return out


def _narrowing(st: MyStatement, a, t: str) -> ProbeRequest | None:
    old, new = ColType.parse(a.detail.get("old") or ""), ColType.parse(a.detail.get("new") or "")
    c = qi(a.column)
    if new.length and new.base in ("varchar", "char"):
        return ProbeRequest(st.index, st.table, "too_long", f"{st.table}.{a.column} values longer than {new.length} characters",
                            _count(f"{t} WHERE CHAR_LENGTH({c}) > {new.length}", f"LEFT({c}, 40)"), column=a.column)  # fmt: skip
    if new.length and new.base in ("varbinary", "binary"):
        return ProbeRequest(st.index, st.table, "too_long", f"{st.table}.{a.column} values longer than {new.length} bytes",
                            _count(f"{t} WHERE LENGTH({c}) > {new.length}", f"HEX(LEFT({c}, 20))"), column=a.column)  # fmt: skip
    if new.base in _INT_RANGE:
        bits = _INT_RANGE[new.base]
        lo, hi = (0, 2**bits - 1) if new.unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        return ProbeRequest(st.index, st.table, "out_of_range", f"{st.table}.{a.column} values outside {new.text} ({lo}..{hi})",
                            _count(f"{t} WHERE {c} < {lo} OR {c} > {hi}", f"CAST({c} AS CHAR)"), column=a.column)  # fmt: skip
    if new.base == "decimal" and new.args:
        p, s = int(new.args[0]), int(new.args[1]) if len(new.args) > 1 else 0
        return ProbeRequest(st.index, st.table, "out_of_range", f"{st.table}.{a.column} values too large for {new.text}",
                            _count(f"{t} WHERE ABS({c}) >= POW(10, {p - s})", f"CAST({c} AS CHAR)"), column=a.column)  # fmt: skip
    if new.base in ("enum", "set") and old.base == new.base:
        gone = [m for m in old.members if m not in new.members]
        if gone:
            return ProbeRequest(st.index, st.table, "members", f"{st.table}.{a.column} rows holding removed members {', '.join(gone)}",
                                _count(f"{t} WHERE {c} IN ({', '.join(gone)})", f"CAST({c} AS CHAR)"), column=a.column)  # fmt: skip
    if new.base in ("tinytext", "text", "tinyblob", "blob"):
        limit = 255 if new.base.startswith("tiny") else 65535
        return ProbeRequest(st.index, st.table, "too_long", f"{st.table}.{a.column} values longer than {limit} bytes",
                            _count(f"{t} WHERE LENGTH({c}) > {limit}", "'…'"), column=a.column)  # fmt: skip
    return None
