"""Index patterns, decided once for every caller: does an index support a foreign key, which indexes
repeat another, which are a leading prefix of another; and the DDL to drop an index with its undo.

review_schema (SD002, SD017, SD018) and review_indexes (which runs those same rule modules) read
these; the diff planner asks `fk_supporting_index` before warning about a new foreign key, and the
migration lint (MG038) applies `leads_with` to the indexes a migration creates.
Pure: reads a Table, never a server.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from pglast import ast, parse_sql
from pglast.enums import BoolExprType, NullTestType

from dbarchitect.core.models import Index, Table
from dbarchitect.core.rules.schema._common import concurrently, index_keys, qi, qname, qt, usable_indexes

# --------------------------------------------------------------------------------------------
# Foreign keys: the exact leading-column rule
# --------------------------------------------------------------------------------------------


def leads_with(key_columns: Sequence[str | None], columns: Sequence[str]) -> bool:
    """The first len(columns) keys are exactly these columns, in any order (no expression among them).

    A composite key `(post_id, tag_id)` leads with `post_id` but not with `tag_id`; `(tag_id, post_id)`
    leads with `{post_id, tag_id}`. INCLUDE columns are not keys: callers pass key columns only."""
    n = len(columns)
    lead = list(key_columns[:n])
    return n > 0 and len(lead) == n and None not in lead and set(lead) == set(columns)


def _only_not_null_of(predicate: str, columns: Sequence[str]) -> bool:
    """The predicate is `c IS NOT NULL` (or an AND of such) on the given columns only. An equality
    on the column (what the foreign-key check and ON DELETE actions run) implies it, so the planner
    uses such a partial index for them."""
    try:
        where = parse_sql(f"SELECT 1 WHERE {predicate}")[0].stmt.whereClause
    except Exception:  # noqa: BLE001 - an unparsable predicate proves nothing
        return False

    def ok(node) -> bool:
        if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.AND_EXPR:
            return all(ok(a) for a in node.args)
        if isinstance(node, ast.NullTest) and node.nulltesttype == NullTestType.IS_NOT_NULL:
            ref = node.arg
            if isinstance(ref, ast.ColumnRef) and isinstance(ref.fields[-1], ast.String):
                return ref.fields[-1].sval in columns
        return False

    return ok(where)


def fk_supporting_index(table: Table, columns: Sequence[str]) -> Index | None:
    """The first index the foreign-key check can use: valid and ready, btree (or hash for one
    column), leading with exactly the foreign key's columns, and either not partial or partial only
    on `<fk column> IS NOT NULL`."""
    for idx in usable_indexes(table):
        if idx.method not in ("btree", "hash") or (idx.method == "hash" and len(columns) != 1):
            continue
        if idx.predicate and not _only_not_null_of(idx.predicate, columns):
            continue
        if leads_with(idx.columns, columns):
            return idx
    return None


# --------------------------------------------------------------------------------------------
# Duplicates and leading prefixes
# --------------------------------------------------------------------------------------------


def _exclusion(table: Table, index: Index) -> bool:
    return any(c.name == index.constraint and c.kind == "exclude" for c in table.constraints)


def _key_names(index: Index) -> set[str]:
    return {c for c in index.columns if c is not None}


def _subsumes(keep: Index, other: Index) -> bool:
    """`keep` (same method, keys and predicate) serves every read of `other` and enforces at least as much."""
    ki, oi = index_keys(keep).include, index_keys(other).include
    if not oi <= ki | _key_names(keep):
        return False  # other carries INCLUDE columns (index-only scans) keep does not
    if other.unique and not (keep.unique and (keep.nulls_not_distinct or not other.nulls_not_distinct)):
        return False
    return True


def _rank(i: Index) -> tuple:
    """Which copy to keep first: the primary key, a constraint, a unique index (NULLS NOT DISTINCT
    first), the one with the most INCLUDE columns, one that queries use, then by name."""
    return (not i.primary, i.constraint is None, not i.unique, not i.nulls_not_distinct, -len(i.include),
            i.scans == 0, i.name)  # fmt: skip


def duplicate_indexes(table: Table) -> list[tuple[Index, Index]]:
    """(copy to drop, index kept) for every valid index that repeats another one: same method, keys
    (order, opclass, collation, direction) and predicate, INCLUDE columns also held by the kept one,
    uniqueness no stronger. Two copies with different INCLUDE columns are both kept. A partition is
    left out (its indexes are attached to the parent's); a primary key or exclusion constraint is
    never dropped."""
    if table.partition_of:
        return []
    groups: dict[tuple, list[Index]] = defaultdict(list)
    for i in usable_indexes(table):
        k = index_keys(i)
        groups[(k.method, k.keys, k.predicate)].append(i)
    out = []
    for members in groups.values():
        if len(members) < 2:
            continue
        kept: list[Index] = []
        for i in sorted(members, key=_rank):
            keep = next((k for k in kept if _subsumes(k, i)), None)
            if keep is None or i.primary or _exclusion(table, i):
                kept.append(i)
            else:
                out.append((i, keep))
    return out


def redundant_prefix_indexes(table: Table) -> list[tuple[Index, Index]]:
    """(shorter index, longer index) where a valid, non-unique, constraint-free btree's keys are the
    leading keys of a longer valid btree with the same predicate that also holds its INCLUDE columns."""
    if table.partition_of:
        return []
    idx = [(i, index_keys(i)) for i in usable_indexes(table) if i.method == "btree"]
    out = []
    for short, sk in idx:
        if short.unique or short.constraint:
            continue
        for long, lk in idx:
            if long is short or len(lk.keys) <= len(sk.keys) or lk.keys[: len(sk.keys)] != sk.keys:
                continue
            if lk.predicate != sk.predicate or not sk.include <= lk.include | _key_names(long):
                continue
            out.append((short, long))
            break
    return out


# --------------------------------------------------------------------------------------------
# DDL: create or drop an index, with the statement that undoes it
# --------------------------------------------------------------------------------------------


def recreate_sql(table: Table, index: Index) -> str:
    """The index's own definition, built CONCURRENTLY where allowed."""
    d = index.definition or ""
    if table.kind != "partitioned_table":
        d = re.sub(r"^CREATE (UNIQUE )?INDEX ", lambda m: f"CREATE {m.group(1) or ''}INDEX CONCURRENTLY ", d, count=1)
    return d + ";"


def drop_sql(table: Table, index: Index) -> str:
    """Drop the index, or the constraint it backs (an index that backs a constraint cannot be dropped alone)."""
    if index.constraint:
        return f"ALTER TABLE {qt(table)} DROP CONSTRAINT IF EXISTS {qi(index.constraint)};"
    return f"DROP INDEX {concurrently(table)}IF EXISTS {qname(table.schema_name, index.name)};"


def undo_drop_sql(table: Table, index: Index) -> str:
    """What puts back what drop_sql removed: the index, and the constraint it backed."""
    con = next((c for c in table.constraints if c.name == index.constraint), None) if index.constraint else None
    if con is None:
        return recreate_sql(table, index)
    if con.kind in ("unique", "primary_key") and table.kind != "partitioned_table" and index.definition:
        kind = "PRIMARY KEY" if con.kind == "primary_key" else "UNIQUE"
        return (f"{recreate_sql(table, index)} ALTER TABLE {qt(table)} ADD CONSTRAINT {qi(con.name)} {kind} "
                f"USING INDEX {qi(index.name)};")  # fmt: skip
    return f"ALTER TABLE {qt(table)} ADD CONSTRAINT {qi(con.name)} {con.definition};"


def drop_with_undo(table: Table, index: Index) -> str:
    return f"{drop_sql(table, index)}\n-- undo: {undo_drop_sql(table, index)}"


def create_with_undo(table: Table, name: str, keys: Sequence[str]) -> str:
    """CREATE INDEX (CONCURRENTLY where allowed) on the key columns, and the DROP that undoes it."""
    cols = ", ".join(qi(c) for c in keys)
    create = f"CREATE INDEX {concurrently(table)}{qi(name)} ON {qt(table)} ({cols});"
    undo = f"DROP INDEX {concurrently(table)}IF EXISTS {qname(table.schema_name, name)};"
    return f"{create}\n-- undo: {undo}"
