"""Catalog facts for the migration lint, read for exactly the objects a migration touches.

A handful of batched queries (relations, columns, constraints, indexes, dependent views, functions,
casts, domains, enums), each filtered to the names the migration mentions. Read-only: nothing here
writes to the server.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import psycopg
from psycopg.rows import dict_row

from dbarchitect.core.migration.context import (
    ColumnFacts,
    ConstraintFacts,
    IndexFacts,
    LintContext,
    RelationFacts,
)
from dbarchitect.core.migration.names import touched_names
from dbarchitect.core.migration.parse import ParsedMigration

_KIND = {"r": "table", "p": "partitioned_table", "m": "materialized_view", "v": "view", "f": "foreign_table"}
_CONTYPE = {"p": "primary_key", "f": "foreign_key", "u": "unique", "c": "check", "x": "exclude", "t": "trigger",
            "n": "not_null"}
_VOL = {"i": "immutable", "s": "stable", "v": "volatile"}
_NOT_NULL = re.compile(r'(?:\(|^|\s)((?:"[^"]+")|[A-Za-z_][A-Za-z0-9_$]*) IS NOT NULL')


async def _rows(conn: psycopg.AsyncConnection, sql: str, params=None) -> list[dict]:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(sql, params)
        return await cur.fetchall()


# A write rate averaged over less than this (statistics reset or server started recently, e.g. right
# after a bulk load) says more about the load than about the table's traffic: not reported.
MIN_RATE_WINDOW_S = 3600


async def build_lint_context(
    conn: psycopg.AsyncConnection,
    migration: ParsedMigration | str | Sequence[str],
    *,
    timezone: str | None = None,
    probe_timeout_ms: int | None = None,
) -> LintContext:
    """Read the catalog facts the lint needs for the relations, indexes and functions the migration names.

    `migration` is the ParsedMigration the lint will use (or its text, or its statements, parsed here).

    `timezone` overrides the session TimeZone the migration runner will use (default: this session's).
    `probe_timeout_ms` bounds each read-only probe of existing rows (live/postgres/data_probes.py; 0: none run).
    """
    head = (await _rows(conn, """
        SELECT current_setting('server_version_num')::int AS v,
               coalesce((current_schemas(false))[1], 'public') AS schema,
               current_setting('TimeZone') AS tz, current_setting('lock_timeout') AS lock_timeout,
               (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset,
               extract(epoch FROM now() - coalesce(
                   (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()),
                   pg_postmaster_start_time())) AS stats_age
    """))[0]
    ctx = LintContext(server_version_num=head["v"], default_schema=head["schema"], timezone=timezone or head["tz"],
                      session_lock_timeout=head["lock_timeout"] not in ("0", "0ms", ""))
    names = touched_names(ParsedMigration.of(migration), head["schema"])
    rels, index_names, funcs = names.relations, names.indexes, names.functions
    stats_age = float(head["stats_age"] or 0)

    # Indexes named by the migration -> their tables.
    if index_names:
        for r in await _rows(conn, """
            SELECT n.nspname || '.' || ic.relname AS index, tn.nspname || '.' || t.relname AS table
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
            JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
            WHERE n.nspname || '.' || ic.relname = ANY(%s)
        """, (sorted(index_names),)):
            ctx.index_tables[r["index"]] = r["table"]
            rels.add(r["table"])

    if rels:
        await _relations(conn, ctx, sorted(rels), stats_age)
    ctx.known_missing = sorted(r for r in rels if r not in ctx.relations)

    if funcs:
        for r in await _rows(conn, """
            SELECT n.nspname AS schema, p.proname AS name, p.provolatile AS vol
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.proname = ANY(%s)
        """, (sorted(funcs),)):
            order = ["immutable", "stable", "volatile"]
            vol = _VOL[r["vol"]]
            for key in (r["name"], f"{r['schema']}.{r['name']}"):
                prev = ctx.functions.get(key)
                if prev is None or order.index(vol) > order.index(prev):
                    ctx.functions[key] = vol  # type: ignore[assignment]

    ctx.binary_coercible = [(r["s"], r["t"]) for r in await _rows(conn, """
        SELECT s.typname AS s, t.typname AS t FROM pg_cast c
        JOIN pg_type s ON s.oid = c.castsource JOIN pg_type t ON t.oid = c.casttarget
        WHERE c.castmethod = 'b'
    """)]
    ctx.domains_with_constraints = [r["name"] for r in await _rows(conn, """
        SELECT DISTINCT n.nspname || '.' || t.typname AS name FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_constraint c ON c.contypid = t.oid
        WHERE t.typtype = 'd' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    """)]
    for r in await _rows(conn, """
        SELECT n.nspname || '.' || t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') GROUP BY 1
    """):
        ctx.enums[r["name"]] = list(r["labels"])
    await _other_names(conn, ctx, names)
    if probe_timeout_ms != 0:
        from dbarchitect.live.postgres.data_probes import DEFAULT_PROBE_TIMEOUT_MS, probe_data

        await probe_data(conn, ctx, ParsedMigration.of(migration), probe_timeout_ms or DEFAULT_PROBE_TIMEOUT_MS)
    return ctx


async def _relations(conn: psycopg.AsyncConnection, ctx: LintContext, names: list[str], stats_age: float) -> None:
    rows = await _rows(conn, """
        SELECT c.oid, n.nspname || '.' || c.relname AS name, c.relkind,
               -- an ALTER of an inheritance/partition parent recurses: its children's sizes and rows count
               pg_relation_size(c.oid) + kids.size AS size, pg_total_relation_size(c.oid) + kids.total AS total,
               -- never vacuumed/analyzed: -1 on 14+, but 0 (with relpages 0) on 13: unknown either way, so n_live_tup
               (CASE WHEN (c.reltuples < 0 OR (c.reltuples = 0 AND c.relpages = 0)) AND kids.reltuples = 0 THEN -1
                     ELSE greatest(c.reltuples, 0) + kids.reltuples END)::bigint
                   AS reltuples, s.n_live_tup + kids.live AS n_live_tup,
               coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0) AS writes,
               coalesce(s.seq_scan, 0) AS seq_scan, coalesce(s.idx_scan, 0) AS idx_scan,
               (SELECT pn.nspname || '.' || p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                  JOIN pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid LIMIT 1) AS parent,
               ARRAY(SELECT DISTINCT rn.nspname || '.' || rc.relname FROM pg_constraint fk
                       JOIN pg_class rc ON rc.oid = fk.conrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                     WHERE fk.contype = 'f' AND fk.confrelid = c.oid) AS referenced_by,
               ARRAY(SELECT tgname FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal) AS triggers,
               (SELECT amname FROM pg_am WHERE oid = c.relam) AS am,
               (SELECT spcname FROM pg_tablespace WHERE oid = CASE c.reltablespace WHEN 0 THEN
                  (SELECT dattablespace FROM pg_database WHERE datname = current_database()) ELSE c.reltablespace END)
                   AS tablespace, c.relpersistence = 'u' AS unlogged,
               (SELECT dn.nspname || '.' || d.relname FROM pg_partitioned_table pt JOIN pg_class d ON d.oid = pt.partdefid
                  JOIN pg_namespace dn ON dn.oid = d.relnamespace WHERE pt.partrelid = c.oid) AS default_partition,
               CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
        CROSS JOIN LATERAL (
            WITH RECURSIVE tree(relid) AS (
                SELECT inhrelid FROM pg_inherits WHERE inhparent = c.oid
                UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree ON i.inhparent = tree.relid)
            SELECT coalesce(sum(pg_relation_size(k.oid)), 0) AS size, coalesce(sum(pg_total_relation_size(k.oid)), 0) AS total,
                   coalesce(sum(greatest(k.reltuples, 0)), 0) AS reltuples, coalesce(sum(ks.n_live_tup), 0) AS live
              FROM tree JOIN pg_class k ON k.oid = tree.relid LEFT JOIN pg_stat_user_tables ks ON ks.relid = k.oid) kids
        WHERE n.nspname || '.' || c.relname = ANY(%s) AND c.relkind IN ('r', 'p', 'm', 'v', 'f')
    """, (names,))
    if not rows:
        return
    by_oid: dict[int, RelationFacts] = {}
    for r in rows:
        rows_est = r["reltuples"] if r["reltuples"] is not None and r["reltuples"] >= 0 else (r["n_live_tup"] or 0)
        if rows_est == 0 and (r["reltuples"] is None or r["reltuples"] < 0) and (r["size"] or 0) > 0:
            rows_est = -1  # never analyzed and no live-tuple count yet (before 15 it lags), but it has pages: unknown
        facts = RelationFacts(
            name=r["name"], kind=_KIND[r["relkind"]], size_bytes=r["size"], total_bytes=r["total"], rows=rows_est,
            writes=r["writes"], writes_per_second=(r["writes"] / stats_age) if stats_age >= MIN_RATE_WINDOW_S and r["writes"] else None,
            seq_scans=r["seq_scan"], idx_scans=r["idx_scan"], partition_parent=r["parent"],
            referenced_by=list(r["referenced_by"]), triggers=list(r["triggers"]),
            access_method=r["am"], unlogged=bool(r["unlogged"]), default_partition=r["default_partition"],
            partition_key=r["partkey"],
        )
        by_oid[r["oid"]] = facts
        ctx.relations[facts.name] = facts
        ctx.names.tablespaces[facts.name] = r["tablespace"]
    oids = list(by_oid)

    for r in await _rows(conn, """
        SELECT i.inhparent AS oid, n.nspname || '.' || c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE i.inhparent = ANY(%s) AND c.relispartition
    """, ([o for o, f in by_oid.items() if f.kind == "partitioned_table"],)):
        by_oid[r["oid"]].partition_bounds[r["name"]] = r["bound"]

    attnames: dict[tuple[int, int], str] = {}
    for r in await _rows(conn, """
        SELECT a.attrelid AS oid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
               t.typname, a.atttypmod, a.attnotnull, a.atthasdef,
               ARRAY(SELECT DISTINCT vn.nspname || '.' || v.relname FROM pg_depend d
                       JOIN pg_rewrite rw ON rw.oid = d.objid JOIN pg_class v ON v.oid = rw.ev_class
                       JOIN pg_namespace vn ON vn.oid = v.relnamespace
                     WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
                       AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND v.oid <> a.attrelid) AS views,
               ARRAY(SELECT DISTINCT rn.nspname || '.' || rc.relname FROM pg_constraint fk
                       JOIN pg_class rc ON rc.oid = fk.conrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                     WHERE fk.contype = 'f' AND fk.confrelid = a.attrelid AND a.attnum = ANY(fk.confkey)) AS refs
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum
    """, (oids,)):
        attnames[(r["oid"], r["attnum"])] = r["attname"]
        by_oid[r["oid"]].columns[r["attname"]] = ColumnFacts(
            name=r["attname"], type=r["type"], type_name=r["typname"], typmod=r["atttypmod"],
            not_null=r["attnotnull"], has_default=r["atthasdef"], views=list(r["views"]),
            referenced_by=list(r["refs"]),
        )
    for facts in by_oid.values():
        facts.dependent_views = sorted({v for c in facts.columns.values() for v in c.views})

    for r in await _rows(conn, """
        SELECT c.conrelid AS oid, c.conname, c.contype, c.convalidated, c.conkey,
               pg_get_constraintdef(c.oid) AS def,
               (SELECT rn.nspname || '.' || rc.relname FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                 WHERE rc.oid = c.confrelid) AS ref,
               (SELECT ins.nspname || '.' || ic.relname FROM pg_class ic JOIN pg_namespace ins ON ins.oid = ic.relnamespace
                 WHERE ic.oid = c.conindid) AS index
        FROM pg_constraint c WHERE c.conrelid = ANY(%s)
    """, (oids,)):
        facts = by_oid[r["oid"]]
        cols = [attnames.get((r["oid"], k), str(k)) for k in (r["conkey"] or [])]
        kind = _CONTYPE.get(r["contype"], "check")
        facts.constraints.append(ConstraintFacts(
            name=r["conname"], kind=kind, columns=cols, validated=r["convalidated"], definition=r["def"],
            references=r["ref"], index=r["index"]))
        if kind == "check" and r["convalidated"] and " OR " not in r["def"].upper():
            for m in _NOT_NULL.finditer(r["def"]):
                name = m.group(1).strip('"')
                if name in facts.columns:
                    facts.columns[name].proven_not_null = True

    for r in await _rows(conn, """
        SELECT i.indrelid AS oid, n.nspname || '.' || ic.relname AS name, i.indkey::int[] AS keys,
               i.indnkeyatts AS nkeys, i.indisunique, i.indisprimary, i.indisvalid,
               (SELECT conname FROM pg_constraint WHERE conindid = i.indexrelid AND contype IN ('p','u','x')
                 LIMIT 1) AS constraint, pg_relation_size(i.indexrelid) AS size
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
        WHERE i.indrelid = ANY(%s)
    """, (oids,)):
        facts = by_oid[r["oid"]]
        cols = [attnames.get((r["oid"], k)) if k else None for k in list(r["keys"])[: r["nkeys"]]]
        facts.indexes.append(IndexFacts(
            name=r["name"], columns=cols, unique=r["indisunique"], primary=r["indisprimary"],
            valid=r["indisvalid"], constraint=r["constraint"], size_bytes=r["size"]))
        ctx.index_tables.setdefault(r["name"], facts.name)

    # What each view / materialized view reads: the relations its rewrite rule depends on, views expanded
    # to their own reads (the rewriter locks both) and partitioned tables to their partitions (the planner
    # locks and scans those).
    view_oids = [oid for oid, f in by_oid.items() if f.kind in ("view", "materialized_view")]
    if view_oids:
        for r in await _rows(conn, """
            WITH RECURSIVE reads(root, rel) AS (
                SELECT rw.ev_class, d.refobjid FROM pg_rewrite rw
                JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                 AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> rw.ev_class
                WHERE rw.ev_class = ANY(%s)
              UNION
                SELECT r.root, x.rel FROM reads r JOIN pg_class c ON c.oid = r.rel
                CROSS JOIN LATERAL (
                    SELECT d.refobjid FROM pg_rewrite rw
                    JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                     AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> rw.ev_class
                    WHERE c.relkind = 'v' AND rw.ev_class = c.oid
                  UNION ALL
                    SELECT i.inhrelid FROM pg_inherits i WHERE c.relkind = 'p' AND i.inhparent = c.oid
                ) x(rel)
            )
            SELECT DISTINCT r.root AS oid, n.nspname || '.' || c.relname AS name, c.relkind
            FROM reads r JOIN pg_class c ON c.oid = r.rel JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE r.rel <> r.root AND c.relkind IN ('r', 'p', 'm', 'v', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
        """, (view_oids,)):
            by_oid[r["oid"]].base_relations[r["name"]] = _KIND[r["relkind"]]  # type: ignore[assignment]


async def _other_names(conn: psycopg.AsyncConnection, ctx: LintContext, names) -> None:
    """Types, schemas, roles, extensions, operator classes and casts the migration names: do they exist?"""
    from dbarchitect.core.sql.ident import quote_ident

    cat = ctx.names
    if names.types:
        for r in await _rows(conn, "SELECT n, to_regtype(n) IS NOT NULL AS ok FROM unnest(%s::text[]) n",
                             (sorted(names.types),)):
            cat.types[r["n"]] = r["ok"]
    if names.schemas:
        for r in await _rows(conn, "SELECT n, to_regnamespace(quote_ident(n)) IS NOT NULL AS ok "
                                   "FROM unnest(%s::text[]) n", (sorted(names.schemas),)):
            cat.schemas[r["n"]] = r["ok"]
    roles = sorted(n for n in names.roles if n.lower() != "public")
    if roles:
        for r in await _rows(conn, "SELECT n, to_regrole(quote_ident(n)) IS NOT NULL AS ok FROM unnest(%s::text[]) n",
                             (roles,)):
            cat.roles[r["n"]] = r["ok"]
    if names.extensions:
        found = {r["name"]: r["installed"] for r in await _rows(conn, """
            SELECT name, installed_version IS NOT NULL AS installed FROM pg_available_extensions
            WHERE name = ANY(%s)""", (sorted(names.extensions),))}
        for n in names.extensions:
            cat.extensions[n] = "missing" if n not in found else ("installed" if found[n] else "available")
    if names.opclasses:
        found = {r["opcname"] for r in await _rows(conn, "SELECT opcname FROM pg_opclass WHERE opcname = ANY(%s)",
                                                   (sorted(names.opclasses),))}
        cat.opclasses = {n: n in found for n in names.opclasses}
    if names.access_methods:
        cat.default_opclasses = [(r["am"], r["t"]) for r in await _rows(conn, """
            SELECT a.amname AS am, t.typname AS t FROM pg_opclass o JOIN pg_am a ON a.oid = o.opcmethod
            JOIN pg_type t ON t.oid = o.opcintype WHERE o.opcdefault AND a.amname = ANY(%s)""",
            (sorted(names.access_methods),))]
    cat.assignment_casts = [(r["s"], r["t"]) for r in await _rows(conn, """
        SELECT s.typname AS s, t.typname AS t FROM pg_cast c
        JOIN pg_type s ON s.oid = c.castsource JOIN pg_type t ON t.oid = c.casttarget
        WHERE c.castcontext IN ('a', 'i') AND s.typname NOT LIKE 'reg%%' AND t.typname NOT LIKE 'reg%%'""")]
    typnames = {c.type_name for f in ctx.relations.values() for c in f.columns.values()}
    typnames |= {t.strip('"').split(".")[-1].removesuffix("[]") for t in names.types}
    cat.type_categories = {r["typname"]: r["c"] for r in await _rows(conn, """
        SELECT DISTINCT ON (typname) typname, typcategory::text AS c FROM pg_type
        WHERE typname = ANY(%s) OR (typnamespace = 'pg_catalog'::regnamespace AND typtype = 'b'
                                    AND typcategory NOT IN ('A', 'Z') AND typname NOT LIKE 'reg%%')
        ORDER BY typname, typnamespace""", (sorted(typnames),))}
    for d in sorted(names.domains):
        cat.domain_columns[d] = [r["col"] for r in await _rows(conn, """
            SELECT n.nspname || '.' || c.relname || '.' || a.attname AS col FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p', 'm')
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE a.atttypid = to_regtype(%s) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1""",
            (".".join(quote_ident(p) for p in d.split(".", 1)),))]
    cat.checked = True
