"""A catalog fingerprint (every user-visible schema fact, keyed by name) and a data fingerprint.

Used to prove reversibility (up then down leaves the shadow's schema exactly as it was) and to
prove that dry runs leave the target untouched. Read-only: catalog queries, and for the data
fingerprint a SELECT per table (only ever run on a shadow).

Deliberately left out: OIDs, relfilenodes, sizes, statistics, sequence positions, and objects
that belong to an extension (the extension's name and version stand for them).
"""

from __future__ import annotations

import psycopg

from dbarchitect.core.migration.dryrun_models import CatalogFingerprint, TableData

_USER_NS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
_NOT_EXT = (
    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = {cls}::regclass AND d.objid = {oid} "
    "AND d.deptype = 'e')"
)

_QUERIES: tuple[str, ...] = (
    # schemas
    f"""SELECT 'schema ' || n.nspname, 'owner=' || pg_get_userbyid(n.nspowner) || ' acl=' || coalesce(n.nspacl::text, '')
        FROM pg_namespace n WHERE {_USER_NS}""",
    # relations
    f"""SELECT 'relation ' || n.nspname || '.' || c.relname,
          concat_ws(' ', 'kind=' || c.relkind::text, 'persistence=' || c.relpersistence::text,
            'options=' || coalesce(c.reloptions::text, ''), 'rls=' || c.relrowsecurity || '/' || c.relforcerowsecurity,
            'replica_identity=' || c.relreplident::text, 'owner=' || pg_get_userbyid(c.relowner),
            'acl=' || coalesce(c.relacl::text, ''), 'am=' || coalesce(am.amname, ''),
            'partition_of=' || coalesce((SELECT i.inhparent::regclass::text FROM pg_inherits i
                                         WHERE i.inhrelid = c.oid AND c.relispartition), ''),
            'bound=' || coalesce(pg_get_expr(c.relpartbound, c.oid), ''),
            'partkey=' || coalesce(CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, ''),
            'inherits=' || coalesce((SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno)
                                     FROM pg_inherits i WHERE i.inhrelid = c.oid AND NOT c.relispartition), ''))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_am am ON am.oid = c.relam
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c') AND {_USER_NS}
          AND {_NOT_EXT.format(cls="'pg_class'", oid="c.oid")}""",
    # columns: logical position among live columns
    f"""SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname,
          concat_ws(' ', 'position=' || row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
            'type=' || format_type(a.atttypid, a.atttypmod), 'not_null=' || a.attnotnull,
            'default=' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), ''), 'identity=' || a.attidentity::text,
            'generated=' || a.attgenerated::text, 'collation=' || coalesce(co.collname, ''),
            'statistics=' || a.attstattarget, 'storage=' || a.attstorage::text, 'acl=' || coalesce(a.attacl::text, ''))
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND {_USER_NS}
          AND {_NOT_EXT.format(cls="'pg_class'", oid="c.oid")}""",
    # constraints (tables and domains)
    f"""SELECT 'constraint ' || n.nspname || '.' || coalesce(c.relname, t.typname) || '.' || con.conname,
          concat_ws(' ', 'type=' || con.contype::text, 'def=' || pg_get_constraintdef(con.oid),
            'validated=' || con.convalidated, 'deferrable=' || con.condeferrable || '/' || con.condeferred)
        FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
        LEFT JOIN pg_class c ON c.oid = con.conrelid LEFT JOIN pg_type t ON t.oid = con.contypid
        WHERE {_USER_NS}""",
    # indexes
    f"""SELECT 'index ' || n.nspname || '.' || c.relname,
          concat_ws(' ', 'def=' || pg_get_indexdef(i.indexrelid), 'valid=' || i.indisvalid,
            'clustered=' || i.indisclustered, 'replident=' || i.indisreplident)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_class'", oid="i.indrelid")}""",
    # views and materialized views
    f"""SELECT 'view ' || n.nspname || '.' || c.relname, pg_get_viewdef(c.oid, true)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND {_USER_NS} AND {_NOT_EXT.format(cls="'pg_class'", oid="c.oid")}""",
    # sequences (parameters, not positions)
    f"""SELECT 'sequence ' || n.nspname || '.' || c.relname,
          concat_ws(' ', 'type=' || format_type(s.seqtypid, NULL), 'start=' || s.seqstart,
            'increment=' || s.seqincrement, 'min=' || s.seqmin, 'max=' || s.seqmax, 'cache=' || s.seqcache,
            'cycle=' || s.seqcycle,
            'owned_by=' || coalesce((SELECT d.refobjid::regclass::text || '.' || a.attname FROM pg_depend d
              JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
                AND d.refclassid = 'pg_class'::regclass LIMIT 1), ''))
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_class'", oid="c.oid")}""",
    # types: enums (labels in order), domains, ranges
    f"""SELECT 'type ' || n.nspname || '.' || t.typname,
          concat_ws(' ', 'typtype=' || t.typtype::text,
            'labels=' || coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e
                                   WHERE e.enumtypid = t.oid), ''),
            'base=' || CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE '' END,
            'not_null=' || t.typnotnull, 'default=' || coalesce(t.typdefault, ''),
            'owner=' || pg_get_userbyid(t.typowner))
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype IN ('e', 'd', 'r') AND {_USER_NS} AND {_NOT_EXT.format(cls="'pg_type'", oid="t.oid")}""",
    # functions and procedures
    f"""SELECT 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
          concat_ws(' ', 'returns=' || coalesce(pg_get_function_result(p.oid), ''), 'kind=' || p.prokind::text,
            'language=' || l.lanname, 'volatility=' || p.provolatile::text, 'strict=' || p.proisstrict,
            'security_definer=' || p.prosecdef, 'parallel=' || p.proparallel::text,
            'config=' || coalesce(p.proconfig::text, ''), 'body_md5=' || md5(coalesce(p.prosrc, '')),
            'owner=' || pg_get_userbyid(p.proowner), 'acl=' || coalesce(p.proacl::text, ''))
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_proc'", oid="p.oid")}""",
    # triggers
    f"""SELECT 'trigger ' || n.nspname || '.' || c.relname || '.' || tg.tgname,
          'def=' || pg_get_triggerdef(tg.oid) || ' enabled=' || tg.tgenabled::text
        FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT tg.tgisinternal AND {_USER_NS}""",
    # row-level security policies
    f"""SELECT 'policy ' || schemaname || '.' || tablename || '.' || policyname,
          concat_ws(' ', 'cmd=' || cmd, 'permissive=' || permissive, 'roles=' || roles::text,
            'using=' || coalesce(qual, ''), 'check=' || coalesce(with_check, ''))
        FROM pg_policies n WHERE {_USER_NS.replace('n.nspname', 'schemaname')}""",
    # rewrite rules other than a view's own
    f"""SELECT 'rule ' || n.nspname || '.' || c.relname || '.' || r.rulename, pg_get_ruledef(r.oid)
        FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE r.rulename <> '_RETURN' AND {_USER_NS}""",
    # extensions
    """SELECT 'extension ' || e.extname, 'version=' || e.extversion || ' schema=' || n.nspname
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace""",
    # comments on user objects (a scratch database's re-created public schema keeps its default comment)
    """SELECT 'comment ' || pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
        FROM pg_description d WHERE d.objoid >= 16384
          AND NOT (d.classoid = 'pg_namespace'::regclass AND d.description = 'standard public schema')
          AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = d.classoid AND x.objid = d.objoid
                          AND x.deptype = 'e')""",
    # event triggers
    """SELECT 'event_trigger ' || evtname, evtevent || ' ' || evtenabled::text || ' ' || evtfoid::regproc::text
        FROM pg_event_trigger""",
    # per-database settings (ALTER DATABASE ... SET, ALTER ROLE ... IN DATABASE ... SET)
    """SELECT 'setting ' || coalesce(pg_get_userbyid(s.setrole), 'all roles') || ' ' || cfg, 'set'
        FROM pg_db_role_setting s, unnest(s.setconfig) cfg
        WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())""",
)


async def catalog_fingerprint(conn: psycopg.AsyncConnection) -> CatalogFingerprint:
    """Read the fingerprint in one REPEATABLE READ snapshot when the connection is idle (a consistent view)."""
    entries: dict[str, str] = {}

    async def read() -> None:
        for q in _QUERIES:
            for key, value in await (await conn.execute(q)).fetchall():
                entries[key] = value if value is not None else ""

    if conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE and conn.autocommit:
        await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            await read()
        finally:
            await conn.execute("ROLLBACK")
    else:
        await read()
    return CatalogFingerprint(entries=entries)


_DATA_TABLES = f"""
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname || '.' || c.relname,
       array_agg(quote_ident(a.attname) ORDER BY a.attnum), array_agg(a.attname::text ORDER BY a.attnum)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind = 'r' AND {_USER_NS}
GROUP BY 1, 2
"""


async def data_fingerprint(conn: psycopg.AsyncConnection) -> dict[str, TableData]:
    """Row count and per-column multiset hash for every ordinary table (foreign tables excluded).

    For shadows only: it reads every row (a shadow holds a handful).
    """
    out: dict[str, TableData] = {}
    for ident, name, qcols, cols in await (await conn.execute(_DATA_TABLES)).fetchall():
        parts = ["count(*)"] + [
            f"md5(coalesce(string_agg(coalesce({q}::text, '\\N'), E'\\x1f' ORDER BY {q}::text), ''))" for q in qcols
        ]
        row = await (await conn.execute(f"SELECT {', '.join(parts)} FROM ONLY {ident}")).fetchone()
        out[name] = TableData(rows=row[0], columns=dict(zip(cols, row[1:], strict=True)))
    return out
