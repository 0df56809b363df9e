"""design_schema on PostgreSQL: the three example specs run, review clean, and behave as designed."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
import yaml

from dbarchitect.core.design import SchemaSpec, design_schema
from dbarchitect.core.models import Severity
from dbarchitect.live.postgres.schema_review import load_ddl, verify_design

pytestmark = [pytest.mark.anyio, pytest.mark.live]

SPECS = Path(__file__).parents[2] / "fixtures" / "design"


def design(name: str, pg=None):
    """The design of a fixture spec, written for `pg`'s version when given (as the tool does with verify)."""
    version = pg.server_version_num() // 10000 if pg is not None else None
    return design_schema(SchemaSpec.model_validate(yaml.safe_load((SPECS / f"{name}.yaml").read_text())), version)


@pytest.mark.parametrize("name", ["blog", "saas", "ecommerce"])
async def test_design_runs_and_reviews_clean_on_postgres(pg, name):
    d = await verify_design(design(name, pg), admin_dsn=pg.dsn())
    assert d.verified, d.verification
    assert d.review.source == "scratch"
    assert d.review.at_least(Severity.warning) == []
    assert d.review.findings == [], [(f.code, f.object) for f in d.review.findings]
    assert d.review.tables == len(d.tables)


async def test_blog_design_behaves(pg):
    dsn = pg.create_db()
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await load_ddl(conn, design("blog", pg).up_sql)
        cur = await conn.execute(
            "INSERT INTO users (email, username, password_hash) VALUES ('Ann@Example.com', 'ann', 'x') RETURNING id"
        )
        (uid,) = await cur.fetchone()
        with pytest.raises(psycopg.errors.UniqueViolation):
            await conn.execute("INSERT INTO users (email, username, password_hash) VALUES ('ann@example.COM', 'ann2', 'x')")
        await conn.execute("UPDATE users SET deleted_at = now() WHERE id = %s", [uid])
        await conn.execute("INSERT INTO users (email, username, password_hash) VALUES ('ann@example.com', 'ann', 'x')")
        with pytest.raises(psycopg.errors.CheckViolation):
            await conn.execute("INSERT INTO users (email, username, password_hash) VALUES ('not-an-email', 'bob', 'x')")
        await conn.execute(
            "INSERT INTO posts (author_id, title, slug, body) VALUES (%s, 'Partitioning at scale', 'p', 'ranges')", [uid]
        )
        cur = await conn.execute("SELECT count(*) FROM posts WHERE search_vector @@ to_tsquery('english', 'partition')")
        assert (await cur.fetchone())[0] == 1
        with pytest.raises(psycopg.errors.CheckViolation):
            await conn.execute("UPDATE posts SET status = 'deleted'")
        cur = await conn.execute(
            "UPDATE users SET bio = 'hi' WHERE id = %s RETURNING updated_at > created_at OR updated_at = now()", [uid]
        )
        assert (await cur.fetchone())[0] is True


async def test_saas_design_isolates_tenants_under_rls(pg):
    dsn = pg.create_db()
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await load_ddl(conn, design("saas", pg).up_sql)
        await conn.execute("DROP ROLE IF EXISTS saas_app")
        await conn.execute("CREATE ROLE saas_app NOLOGIN")
        await conn.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO saas_app")
        cur = await conn.execute("INSERT INTO organizations (name) VALUES ('a'), ('b') RETURNING id")
        (a,), (b,) = await cur.fetchall()
        await conn.execute("SET ROLE saas_app")
        try:
            await conn.execute(f"SET app.tenant_id = '{a}'")
            await conn.execute("INSERT INTO members (tenant_id, email, display_name) VALUES (%s, 'x@a.io', 'X')", [a])
            with pytest.raises(psycopg.errors.InsufficientPrivilege):  # WITH CHECK: not into another tenant
                await conn.execute("INSERT INTO members (tenant_id, email, display_name) VALUES (%s, 'y@b.io', 'Y')", [b])
            cur = await conn.execute("SELECT count(*) FROM members")
            assert (await cur.fetchone())[0] == 1
            await conn.execute(f"SET app.tenant_id = '{b}'")
            cur = await conn.execute("SELECT count(*) FROM members")
            assert (await cur.fetchone())[0] == 0
            await conn.execute("RESET app.tenant_id")
            cur = await conn.execute("SELECT count(*) FROM organizations")
            assert (await cur.fetchone())[0] == 0  # no tenant set: nothing visible
        finally:
            await conn.execute("RESET ROLE")
        # the composite foreign key keeps a task from pointing at another tenant's project
        cur = await conn.execute("SELECT id FROM members")
        (member,) = await cur.fetchone()
        cur = await conn.execute(
            "INSERT INTO projects (tenant_id, name, owner_id) VALUES (%s, 'p', %s) RETURNING id", [a, member]
        )
        (project,) = await cur.fetchone()
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            await conn.execute("INSERT INTO tasks (tenant_id, title, project_id) VALUES (%s, 't', %s)", [b, project])


async def test_optional_tenant_scoped_key_clears_only_its_column_on_this_version(pg):
    """A member who pinned a project is deleted: the project's pinned_by_id becomes NULL and tenant_id stays.
    15+ writes ON DELETE SET NULL (pinned_by_id); 13/14 cannot name the column, so the design checks the
    key with NO ACTION and a BEFORE DELETE trigger on members clears it (a plain SET NULL would also null
    tenant_id, which is NOT NULL, and the delete would fail)."""
    d = design("saas", pg)
    major = pg.server_version_num() // 10000
    assert bool(re.search(r"REFERENCES [^\n]* SET NULL \(pinned_by_id\)", d.up_sql)) == (major >= 15)
    dsn = pg.create_db()
    procs = "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        (before,) = await (await conn.execute(procs)).fetchone()
        await load_ddl(conn, d.up_sql)
        (org,) = await (await conn.execute("INSERT INTO organizations (name) VALUES ('a') RETURNING id")).fetchone()
        cur = await conn.execute("INSERT INTO members (tenant_id, email, display_name) VALUES (%s, 'o@a.io', 'O'), "
                                 "(%s, 'p@a.io', 'P') RETURNING id", [org, org])  # fmt: skip
        (owner,), (pinner,) = await cur.fetchall()
        cur = await conn.execute("INSERT INTO projects (tenant_id, name, owner_id, pinned_by_id) VALUES (%s, 'p', %s, %s) "
                                 "RETURNING id", [org, owner, pinner])  # fmt: skip
        (project,) = await cur.fetchone()
        await conn.execute("DELETE FROM members WHERE id = %s", [pinner])
        row = await (await conn.execute("SELECT tenant_id, pinned_by_id FROM projects WHERE id = %s", [project])).fetchone()
        assert row == (org, None)
        with pytest.raises(psycopg.errors.ForeignKeyViolation):  # the owner is still RESTRICTed
            await conn.execute("DELETE FROM members WHERE id = %s", [owner])
        await conn.execute("DELETE FROM organizations WHERE id = %s", [org])  # the tenant's cascade still works
        assert (await (await conn.execute("SELECT count(*) FROM projects")).fetchone())[0] == 0
        await load_ddl(conn, d.down_sql)
        assert (await (await conn.execute(procs)).fetchone())[0] == before  # the down DDL drops the trigger functions
