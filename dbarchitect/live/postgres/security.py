"""review_security on a live server: read `SecurityFacts` from the catalog, run the security rules, and
verify each drafted tenant RLS policy on a scratch copy of its table.

Read-only on the target: catalog SELECTs, and for columns named like credentials a sample of at most
20 values (classified as hashed or not; the values never leave this module) in a READ ONLY
transaction with short timeouts. A section the role may not read becomes an `Unchecked` entry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import psycopg
from psycopg import sql as pgsql

from dbarchitect.core.health.facts import Unchecked
from dbarchitect.core.models import Evidence
from dbarchitect.core.security.facts import (
    DefaultAcl, Grant, Policy, SecColumn, SecFunction, SecRole, SecTable, SecurityFacts, SecView, is_sensitive_name,
    looks_hashed,
)
from dbarchitect.core.security.review import SecurityReview, judge
from dbarchitect.core.security.rls import SETTING, tenant_policy_sql

SYSTEM = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'"

Q_RELATIONS = f"""
SELECT c.oid, n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity,
       c.reltuples, coalesce(c.reloptions, '{{}}')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {SYSTEM}
 ORDER BY 2, 3
"""
Q_GRANTS = f"""
SELECT c.oid, coalesce(r.rolname, 'PUBLIC'), array_agg(DISTINCT a.privilege_type ORDER BY a.privilege_type)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {SYSTEM}
 GROUP BY 1, 2
"""
Q_POLICIES = "SELECT schemaname, tablename, policyname, cmd, roles::text[], qual, with_check FROM pg_policies"
Q_COLUMNS = f"""
SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND {SYSTEM}
 ORDER BY a.attrelid, a.attnum
"""
Q_VIEW_TABLES = f"""
SELECT DISTINCT v.oid, tn.nspname || '.' || t.relname
  FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace
  JOIN pg_rewrite rw ON rw.ev_class = v.oid
  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid AND d.refclassid = 'pg_class'::regclass
  JOIN pg_class t ON t.oid = d.refobjid AND t.oid <> v.oid AND t.relkind IN ('r', 'p')
  JOIN pg_namespace tn ON tn.oid = t.relnamespace
 WHERE v.relkind IN ('v', 'm') AND {SYSTEM}
"""
Q_FUNCTIONS = f"""
SELECT n.nspname, quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || coalesce((SELECT string_agg(format_type(u.t, NULL), ', ' ORDER BY u.o) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, o)), '') || ')', pg_get_userbyid(p.proowner), r.rolsuper, p.prosecdef,
       coalesce(p.proconfig, '{{}}'),
       p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_roles r ON r.oid = p.proowner
 WHERE p.prosecdef AND {SYSTEM}
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
 ORDER BY 2
"""
Q_PUBLIC_CREATE = """
SELECT EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
                WHERE n.nspname = 'public' AND a.grantee = 0 AND a.privilege_type = 'CREATE')
"""
Q_DEFAULT_ACL = """
SELECT pg_get_userbyid(d.defaclrole), n.nspname, d.defaclobjtype::text, coalesce(r.rolname, 'PUBLIC'),
       array_agg(DISTINCT a.privilege_type ORDER BY a.privilege_type)
  FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
  CROSS JOIN LATERAL aclexplode(d.defaclacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
 WHERE a.grantee <> d.defaclrole
 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
"""
Q_ROLES = """
SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcanlogin, oid = 10
  FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' ORDER BY 1
"""
Q_AUTHID = """
SELECT rolname, CASE WHEN rolpassword IS NULL THEN 'none' WHEN rolpassword LIKE 'md5%' THEN 'md5'
                     WHEN rolpassword LIKE 'SCRAM-SHA-256$%' THEN 'scram-sha-256' ELSE 'other' END
  FROM pg_authid
"""
OBJTYPES = {"r": "tables", "S": "sequences", "f": "functions", "T": "types", "n": "schemas"}
SAMPLE = 20


async def _rows(conn, sql, params=None):
    return await (await conn.execute(sql, params)).fetchall()


async def read_security_facts(conn: psycopg.AsyncConnection) -> SecurityFacts:
    db, version, user, pwenc = (await _rows(conn, "SELECT current_database(), current_setting('server_version_num')::int, "
                                                  "current_user, current_setting('password_encryption')"))[0]
    facts = SecurityFacts(database=db, version_num=version, current_user=user, password_encryption=pwenc)

    async def section(name, fn, grant=None):
        try:
            await fn()
        except psycopg.errors.InsufficientPrivilege as exc:
            facts.unchecked.append(Unchecked(check=name, reason=f"permission denied: {str(exc).strip()}", grant=grant))
        except psycopg.Error as exc:
            facts.unchecked.append(Unchecked(check=name, reason=str(exc).strip()))

    by_oid: dict[int, SecTable] = {}

    async def relations():
        rels = await _rows(conn, Q_RELATIONS)
        views: dict[int, SecView] = {}
        for oid, schema, name, kind, owner, rls, force, tuples, options in rels:
            if kind in ("v", "m"):
                invoker = any(o.split("=", 1)[0] == "security_invoker" and o.split("=", 1)[1].lower() in ("true", "on", "1", "yes")
                              for o in options if "=" in o)
                views[oid] = SecView(schema_name=schema, name=name, owner=owner, security_invoker=invoker)
            else:
                by_oid[oid] = SecTable(schema_name=schema, name=name, owner=owner, rls=rls, force_rls=force, rows=tuples)
        for oid, grantee, privs in await _rows(conn, Q_GRANTS):
            if oid in by_oid:
                by_oid[oid].grants.append(Grant(grantee=grantee, privileges=list(privs)))
        for oid, name, typ in await _rows(conn, Q_COLUMNS):
            if oid in by_oid:
                by_oid[oid].columns.append(SecColumn(name=name, type=typ))
        index = {(t.schema_name, t.name): t for t in by_oid.values()}
        for schema, table, pname, cmd, roles, qual, check in await _rows(conn, Q_POLICIES):
            if (schema, table) in index:
                index[(schema, table)].policies.append(Policy(name=pname, command=cmd, roles=list(roles or []), using=qual, check=check))
        for oid, table in await _rows(conn, Q_VIEW_TABLES):
            if oid in views:
                views[oid].tables.append(table)
        facts.tables = list(by_oid.values())
        facts.views = list(views.values())

    async def functions():
        facts.functions = [SecFunction(schema_name=r[0], signature=r[1], owner=r[2], owner_superuser=r[3],
                                       security_definer=r[4], config=list(r[5]), public_execute=r[6])
                           for r in await _rows(conn, Q_FUNCTIONS)]

    async def grants():
        facts.public_schema_create = (await _rows(conn, Q_PUBLIC_CREATE))[0][0]
        for role, schema, objtype, grantee, privs in await _rows(conn, Q_DEFAULT_ACL):
            entry = next((d for d in facts.default_acls if (d.role, d.schema_name, d.object_type) ==
                          (role, schema, OBJTYPES.get(objtype, objtype))), None)
            if entry is None:
                entry = DefaultAcl(role=role, schema_name=schema, object_type=OBJTYPES.get(objtype, objtype))
                facts.default_acls.append(entry)
            entry.grants.append(Grant(grantee=grantee, privileges=list(privs)))

    async def roles():
        facts.roles = [SecRole(name=r[0], superuser=r[1], bypassrls=r[2], createrole=r[3], login=r[4], bootstrap=r[5])
                       for r in await _rows(conn, Q_ROLES)]
        try:
            kinds = dict(await _rows(conn, Q_AUTHID))
        except psycopg.errors.InsufficientPrivilege:
            facts.authid_readable = False
            facts.unchecked.append(Unchecked(
                check="passwords", reason="pg_authid is readable by superusers only: stored password hashes (MD5 or SCRAM) "
                "were not checked; password_encryption was checked instead",
                grant="-- run review_security as a superuser, or check: SELECT rolname FROM pg_authid WHERE rolpassword LIKE 'md5%';"))
            return
        for r in facts.roles:
            r.password = kinds.get(r.name)

    async def samples():
        for t in facts.tables:
            for c in t.columns:
                if not is_sensitive_name(c.name):
                    continue
                values = await _sample(conn, t, c.name)
                if values is None:
                    facts.unchecked.append(Unchecked(check=f"sample of {t.qualified}.{c.name}",
                                                     reason="no SELECT privilege on the column: could not tell whether it holds hashes",
                                                     grant=f"GRANT SELECT ({c.name}) ON {t.qualified} TO {user};"))
                    continue
                c.sampled, c.hashed = len(values), sum(looks_hashed(v) for v in values)

    await section("tables", relations)
    await section("functions", functions)
    await section("grants", grants)
    await section("roles", roles)
    await section("sensitive columns", samples)
    return facts


async def _sample(conn: psycopg.AsyncConnection, t: SecTable, column: str) -> list[str] | None:
    query = pgsql.SQL("SELECT {c}::text FROM {s}.{t} WHERE {c} IS NOT NULL LIMIT {n}").format(
        c=pgsql.Identifier(column), s=pgsql.Identifier(t.schema_name), t=pgsql.Identifier(t.name), n=pgsql.Literal(SAMPLE))
    await conn.execute("BEGIN READ ONLY")
    try:
        await conn.execute("SET LOCAL statement_timeout = '2s'; SET LOCAL lock_timeout = '500ms'")
        return [r[0] for r in await _rows(conn, query)]
    except psycopg.errors.InsufficientPrivilege:
        return None
    except psycopg.Error:
        return None
    finally:
        await conn.execute("ROLLBACK")


# ---------------------------------------------------------------------------------------------------
# verifying a drafted tenant policy on a scratch copy of the table (schema only)
# ---------------------------------------------------------------------------------------------------

_TENANT_VALUES = {"uuid": ("00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b")}


def _tenant_values(column_type: str) -> tuple[str, str]:
    if column_type in _TENANT_VALUES:
        return _TENANT_VALUES[column_type]
    if column_type in ("integer", "bigint", "smallint", "numeric"):
        return ("1", "2")
    return ("tenant-a", "tenant-b")


async def verify_tenant_policy(scratch_dsn: str, table: SecTable) -> Evidence:
    """Create the table's columns (schema only) on a scratch database, apply the drafted policy, and show
    that a non-owner role sees only its tenant's rows and cannot insert another tenant's. All in one
    transaction that is rolled back (the probe role included)."""
    col = table.tenant_column()
    a, b = _tenant_values(col.type.split("(")[0])
    ident = pgsql.Identifier(table.schema_name, table.name)
    cols = pgsql.SQL(", ").join(pgsql.SQL("{} {}").format(pgsql.Identifier(c.name), pgsql.SQL(c.type)) for c in table.columns)
    probe = pgsql.Identifier("dbarchitect_rls_probe")
    seen: dict[str, list[str]] = {}
    async with await psycopg.AsyncConnection.connect(scratch_dsn) as conn:
        try:
            await conn.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(table.schema_name)))
            await conn.execute(pgsql.SQL("CREATE TABLE {} ({})").format(ident, cols))
            for v in (a, a, b):
                await conn.execute(pgsql.SQL("INSERT INTO {} ({}) VALUES (%s)").format(ident, pgsql.Identifier(col.name)), (v,))
            await conn.execute(tenant_policy_sql(table.schema_name, table.name, col.name, col.type))
            await conn.execute(pgsql.SQL("CREATE ROLE {} NOLOGIN").format(probe))
            await conn.execute(pgsql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(pgsql.Identifier(table.schema_name), probe))
            await conn.execute(pgsql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(ident, probe))
            await conn.execute(pgsql.SQL("SET ROLE {}").format(probe))
            for v in (a, b):
                await conn.execute("SELECT set_config(%s, %s, true)", (SETTING, v))
                rows = await _rows(conn, pgsql.SQL("SELECT {}::text FROM {}").format(pgsql.Identifier(col.name), ident))
                seen[v] = [r[0] for r in rows]
            await conn.execute("SELECT set_config(%s, %s, true)", (SETTING, a))
            refused = False
            await conn.execute("SAVEPOINT other_tenant")
            try:
                await conn.execute(pgsql.SQL("INSERT INTO {} ({}) VALUES (%s)").format(ident, pgsql.Identifier(col.name)), (b,))
            except psycopg.errors.InsufficientPrivilege:
                refused = True
            await conn.execute("ROLLBACK TO SAVEPOINT other_tenant")
        finally:
            await conn.rollback()
    ok = seen.get(a) == [a, a] and seen.get(b) == [b] and refused
    detail = (f"Verified on a scratch copy of {table.qualified} (schema only, 2 rows of tenant {a}, 1 of tenant {b}): with "
              f"{SETTING} = '{a}' a non-owner role saw {len(seen.get(a, []))} rows, all tenant {a}'s; with '{b}' it saw "
              f"{len(seen.get(b, []))}, tenant {b}'s; inserting a row of tenant {b} as tenant {a} was "
              f"{'refused' if refused else 'ACCEPTED'}." if ok or seen else "The draft could not be verified.")
    return Evidence(kind="dry_run", detail=detail if ok else "NOT verified: " + detail,
                    data={"verified": ok, "rows_seen": seen, "cross_tenant_insert_refused": refused})


async def security_review(db, scratch: Callable[[], Awaitable[str | None]]) -> SecurityReview:
    """review_security for a `Database`; each drafted tenant policy is verified on a scratch database when
    one exists (`scratch()` is asked only when there is a draft to verify: it may start a local server)."""
    from dbarchitect.live.postgres.schema_review import ScratchUnavailable, scratch_database

    facts = await db.run(read_security_facts)
    review = judge(facts)
    drafts = [f for f in review.findings if f.rule == "tenant-table-without-rls"]
    scratch_dsn = await scratch() if drafts else None
    if drafts and scratch_dsn is None:
        review.unchecked.append(Unchecked(check="RLS policy drafts", reason="no scratch database available to verify "
                                          "the drafted policies; configure DBARCHITECT_SCRATCH_DSN"))
    elif drafts:
        try:
            async with scratch_database(scratch_dsn) as dsn:
                for f in drafts:
                    table = facts.table(f.object or "")
                    if table is not None:
                        f.evidence.append(await verify_tenant_policy(dsn, table))
        except (ScratchUnavailable, psycopg.Error) as exc:
            review.unchecked.append(Unchecked(check="RLS policy drafts", reason=f"could not verify on a scratch database: {exc}"))
    return review
