"""recommend_indexes on MySQL/MariaDB, the pure half: candidate indexes from the structure of each
query (sqlglot's mysql dialect via `shape.analyze`: equality, IN, range, LIKE 'prefix%', join keys,
ORDER BY, GROUP BY, the columns read), written as MySQL key parts, and the DDL that builds them.

MySQL has no HypoPG: `live/mysql/index_advisor.py` builds each candidate on a scratch copy and keeps
what the server's costs and measured times prove. Key order: equality columns first, then one range
column or the sort/group columns (a range ends what an index can order), then, for a covering index,
the other columns the query reads (InnoDB has no INCLUDE: the secondary index already carries the
primary key). Long strings get prefix key parts (TEXT/BLOB must; VARCHAR over 255 characters should).
Expression predicates become functional key parts on MySQL 8.0.13+; MariaDB has none, so there the
advice is a virtual generated column plus an index, reported unbuilt (the query must use the column).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

from dbarchitect.core.indexing.models import Candidate
from dbarchitect.core.indexing.shape import QueryShape, TableAccess
from dbarchitect.core.models import Column, Index, SchemaSnapshot, Table
from dbarchitect.core.rules.mysql_index._common import effective_key, innodb
from dbarchitect.core.rules.mysql_schema._common import btree, data_type, key_parts
from dbarchitect.core.sql.mysql_ident import quote_mysql

PREFIX_CHARS = 64  # prefix key part for TEXT/BLOB and VARCHAR over LONG_VARCHAR characters
LONG_VARCHAR = 255
MAX_KEY_PARTS = 6  # covering indexes wider than this cost more on writes than they save on reads
MAX_CANDIDATES = 40
FUNCTIONAL_MIN_VERSION = 80013  # MySQL 8.0.13: functional key parts
_BLOBS = {"tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob"}
_UNINDEXABLE = {"json", "geometry", "point", "linestring", "polygon"}


@dataclass
class Proposal:
    """One candidate with what it serves: which queries and why this shape."""

    candidate: Candidate
    reason: str
    queries: list[str] = field(default_factory=list)


@dataclass
class Unbuilt:
    """Advice that is not validated on the scratch copy (MariaDB generated columns), with why."""

    signature: str
    reason: str


def prefix_of(col: Column) -> int | None:
    """The prefix length a key part on this column needs (None: the whole column)."""
    dt = data_type(col)
    if dt in _BLOBS:
        return PREFIX_CHARS
    if dt in ("varchar", "varbinary") and col.mysql and (col.mysql.max_length or 0) > LONG_VARCHAR:
        return PREFIX_CHARS
    return None


def key_text(col: Column) -> str:
    p = prefix_of(col)
    return f"{quote_mysql(col.name)}({p})" if p else quote_mysql(col.name)


def _usable(t: Table, name: str) -> Column | None:
    col = t.column(name)
    if col is None or data_type(col) in _UNINDEXABLE or (col.mysql and "VIRTUAL" in (col.mysql.extra or "").upper()
                                                         and not innodb(t)):  # fmt: skip
        return None
    return col


def _candidate(t: Table, cols: Sequence[str], kind: str) -> Candidate | None:
    seen: list[str] = []
    for c in cols:
        if c not in seen:
            seen.append(c)
    pk = pk_columns(t)
    while len(seen) > 1 and seen[-1] in pk:
        seen.pop()  # InnoDB appends the primary key to every secondary index anyway
    columns = [_usable(t, c) for c in seen[:MAX_KEY_PARTS]]
    if not columns or any(c is None for c in columns) or (len(seen) == 1 and seen[0] in pk and len(pk) == 1):
        return None
    return Candidate(table=t.qualified, keys=tuple(key_text(c) for c in columns), columns=tuple(c.name for c in columns),
                     kind=kind)  # fmt: skip


def served_by(t: Table, cand: Candidate) -> Index | None:
    """An existing B-tree index whose leading key parts (or InnoDB effective key) are the candidate's."""
    want = tuple((c, prefix_of(t.column(c))) if c else (k, None) for c, k in zip(cand.columns, cand.keys))
    for i in t.indexes:
        if not btree(i):
            continue
        for parts in (key_parts(i), effective_key(t, i)):
            if parts[: len(want)] == want:
                return i
    return None


def leads(short: Candidate, long: Candidate) -> bool:
    """`short`'s key parts are a leading part of `long`'s (same table): `long` serves its lookups."""
    return short.table == long.table and long.keys[: len(short.keys)] == short.keys


def probe_select(sql: str) -> str | None:
    """A single-table UPDATE/DELETE as the SELECT that finds its rows (same WHERE, ORDER BY, LIMIT), so
    the rows it would change can be timed without changing them; None for anything else."""
    try:
        tree = sqlglot.parse_one(sql, read="mysql")
    except Exception:  # noqa: BLE001
        return None
    if not isinstance(tree, (exp.Update, exp.Delete)):
        return None
    target = tree.this if isinstance(tree, exp.Update) else tree.this
    if not isinstance(target, exp.Table) or tree.args.get("joins") or tree.args.get("from") or tree.args.get("using"):
        return None
    probe = exp.select("*").from_(target.copy())
    if tree.args.get("where") is not None:
        probe = probe.where(tree.args["where"].this.copy())
    if tree.args.get("order") is not None:
        probe.set("order", tree.args["order"].copy())
    if tree.args.get("limit") is not None:
        probe.set("limit", tree.args["limit"].copy())
    return probe.sql(dialect="mysql")


def _has_star(sql: str) -> bool:
    try:
        tree = sqlglot.parse_one(sql, read="mysql")
    except Exception:  # noqa: BLE001
        return True
    return any(isinstance(s, exp.Star) for sel in tree.find_all(exp.Select) for s in sel.expressions)


def _proposals_for(access: TableAccess, t: Table, star: bool) -> list[tuple[Candidate, str]]:
    eq = access.columns("eq", "null")
    ins = [c for c in access.columns("in") if c not in eq]
    joins = [c for c in access.columns("join") if c not in eq + ins]
    ranges = [c for c in access.columns("range", "like_prefix") if c not in eq + ins + joins]
    lookup = eq + ins
    out: list[tuple[Candidate, str]] = []

    def add(cols: list[str], kind: str, why: str) -> None:
        c = _candidate(t, cols, kind)
        if c is not None:
            out.append((c, why))

    if lookup:
        add(lookup, "btree" if len(lookup) == 1 else "composite", f"equality on {', '.join(lookup)}")
    if lookup or joins:
        base = lookup + joins
        add(base, "composite" if len(base) > 1 else "btree",
            f"join key {', '.join(joins)}" + (f" after equality on {', '.join(lookup)}" if lookup else "") if joins
            else f"equality on {', '.join(lookup)}")  # fmt: skip
    for j in joins:
        add([j], "btree", f"join key {j} (the inner side of a nested-loop join looks it up)")
    head = lookup + joins
    if ranges:
        add(head + ranges[:1], "composite" if head else "btree",
            f"range on {ranges[0]}" + (f" after equality on {', '.join(head)}" if head else ""))  # fmt: skip
    sort = access.sort
    if sort and len({d for _, d in sort}) == 1 and not ins and not ranges:
        cols = [c for c, _ in sort if c not in head]
        if cols:
            add(head + cols, "composite" if head or len(cols) > 1 else "btree",
                f"ORDER BY {', '.join(c for c, _ in sort)} read in index order" + (" (no filesort, stops at LIMIT)" if access.limit else "")
                + (f" after equality on {', '.join(head)}" if head else ""))  # fmt: skip
    if access.group and not ranges:
        cols = [c for c in access.group if c not in head]
        if cols:
            add(head + cols, "composite", f"GROUP BY {', '.join(access.group)} in index order (no temporary table)")
    if not star and access.referenced and out:
        best = max(out, key=lambda p: len(p[0].columns))[0]
        rest = sorted(c for c in access.referenced if c not in best.columns and c not in pk_columns(t))
        cover = list(best.columns) + rest
        if rest and len(cover) <= MAX_KEY_PARTS and all(prefix_of(t.column(c)) is None for c in cover if t.column(c)):
            c = _candidate(t, cover, "covering")
            if c is not None:
                out.append((c, f"covering: {', '.join(best.columns)} then {', '.join(rest)}, so the rows are read from the index alone"))
    return out


def pk_columns(t: Table) -> list[str]:
    pk = t.primary_key
    return list(pk.columns) if pk is not None and innodb(t) else []


def _expression_advice(access: TableAccess, t: Table, version_num: int, flavor: str) -> list[tuple[Candidate | None, str]]:
    out: list[tuple[Candidate | None, str]] = []
    for p in access.preds:
        if p.kind not in ("expr_eq", "expr_range") or not p.expr:
            continue
        try:
            text = sqlglot.transpile(p.expr, read="postgres", write="mysql")[0]
        except Exception:  # noqa: BLE001
            continue
        if flavor == "MySQL" and version_num >= FUNCTIONAL_MIN_VERSION:
            cand = Candidate(table=t.qualified, keys=(f"({text})",), columns=(None,), kind="expression")
            out.append((cand, f"functional key part ({text}) for the predicate {p.sql} (MySQL 8.0.13+)"))
        else:
            out.append((None, text))
    return out


def generated_column_ddl(t: Table, expr: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", expr.lower()).strip("_")[:40] or "expr"
    col = f"g_{base}"
    qt = f"{quote_mysql(t.schema_name)}.{quote_mysql(t.name)}"
    return (f"ALTER TABLE {qt} ADD COLUMN {quote_mysql(col)} <type> AS ({expr}) VIRTUAL, "
            f"ADD INDEX {quote_mysql('ix_' + col)[:64]} ({quote_mysql(col)}), ALGORITHM=INPLACE, LOCK=NONE;")  # fmt: skip


def generate(shapes: dict[str, QueryShape], sqls: dict[str, str], snapshot: SchemaSnapshot, *,
             version_num: int, flavor: str) -> tuple[list[Proposal], list[tuple[str, str]], list[Unbuilt]]:  # fmt: skip
    """Candidates over the workload: (proposals, [(signature, served by which existing index)], unbuilt advice)."""
    found: dict[str, Proposal] = {}
    existing: list[tuple[str, str]] = []
    unbuilt: list[Unbuilt] = []
    for qid, shape in shapes.items():
        star = _has_star(sqls[qid])
        for access in shape.accesses:
            t = snapshot.table(access.table)
            if t is None:
                continue
            pairs: list[tuple[Candidate | None, str]] = list(_proposals_for(access, t, star))
            for cand, text in _expression_advice(access, t, version_num, flavor):
                if cand is None:
                    unbuilt.append(Unbuilt(
                        signature=f"{t.qualified} (({text}))",
                        reason=(f"{flavor} has no functional index: add a virtual generated column and index it, then "
                                f"write the query against the column ({generated_column_ddl(t, text)}); not measured here."),
                    ))  # fmt: skip
                else:
                    pairs.append((cand, text))
            for cand, why in pairs:
                if cand is None:
                    continue
                served = served_by(t, cand)
                sig = signature(cand)
                if served is not None:
                    existing.append((sig, f"the existing index {served.name} already leads with these key parts"))
                    continue
                prop = found.setdefault(sig, Proposal(candidate=cand, reason=why))
                if qid not in prop.queries:
                    prop.queries.append(qid)
    props = sorted(found.values(), key=lambda p: (-len(p.queries), len(p.candidate.keys)))[:MAX_CANDIDATES]
    return props, sorted(set(existing)), unbuilt


def signature(c: Candidate) -> str:
    return f"{c.table} ({', '.join(c.keys)})"


def index_name(c: Candidate, taken: set[str]) -> str:
    table = c.table.split(".", 1)[-1]
    parts = [re.sub(r"[^a-z0-9]+", "_", (col or "expr").lower()) for col in c.columns]
    base = f"ix_{table}_{'_'.join(parts)}"[:60]
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base[:57]}_{n}", n + 1
    taken.add(name.lower())
    return name


def add_index_ddl(t: Table, c: Candidate, name: str) -> str:
    online = ", ALGORITHM=INPLACE, LOCK=NONE" if innodb(t) else ""
    return (f"ALTER TABLE {quote_mysql(t.schema_name)}.{quote_mysql(t.name)} ADD INDEX {quote_mysql(name)} "
            f"({', '.join(c.keys)}){online};")  # fmt: skip


def drop_index_ddl(t: Table, name: str) -> str:
    online = ", ALGORITHM=INPLACE, LOCK=NONE" if innodb(t) else ""
    return f"ALTER TABLE {quote_mysql(t.schema_name)}.{quote_mysql(t.name)} DROP INDEX {quote_mysql(name)}{online};"


def supersedes(t: Table, c: Candidate) -> list[str]:
    """Existing non-unique indexes whose key parts lead the candidate's: redundant once it exists."""
    want = tuple((col, prefix_of(t.column(col))) if col else (k, None) for col, k in zip(c.columns, c.keys))
    return [i.name for i in t.indexes if btree(i) and not (i.unique or i.primary)
            and len(key_parts(i)) < len(want) and want[: len(key_parts(i))] == key_parts(i)]  # fmt: skip


def plan_cost(plan: dict) -> float | None:
    """MySQL's EXPLAIN FORMAT=JSON `query_block.cost_info.query_cost` (MariaDB 11.0+: `query_block.cost`)."""
    qb = plan.get("query_block") if isinstance(plan, dict) else None
    if not isinstance(qb, dict):
        return None
    raw = (qb.get("cost_info") or {}).get("query_cost", qb.get("cost"))
    try:
        return float(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


def plan_keys(plan: object) -> set[str]:
    """Every index name a plan reads through (`key` of each table access, index_merge parts too)."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "key" and isinstance(v, str):
                    found.add(v)
                elif k in ("used_key_parts",):
                    continue
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(plan)
    return found


def retarget(sql: str, source: str, scratch: str) -> str:
    """The statement with tables qualified by the `source` database pointed at `scratch` (unqualified
    ones resolve there through USE). Unchanged text when nothing is qualified."""
    tree = sqlglot.parse_one(sql, read="mysql")
    tables = [t for t in tree.find_all(exp.Table) if t.args.get("db") is not None and t.db == source]
    if not tables:
        return sql
    for t in tables:
        t.set("db", exp.to_identifier(scratch, quoted=True))
    return tree.sql(dialect="mysql")
