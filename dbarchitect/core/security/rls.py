"""Drafting a tenant-isolation RLS policy (pure text); live/postgres/security.py verifies the draft on a
scratch copy of the table."""

from __future__ import annotations

from dbarchitect.core.sql.ident import quote_ident as qi
from dbarchitect.core.sql.ident import quote_qualified as qname

SETTING = "app.tenant_id"


def policy_name(table: str) -> str:
    return f"{table}_tenant_isolation"[:63]


def tenant_policy_sql(schema: str, table: str, column: str, column_type: str, setting: str = SETTING) -> str:
    name = qname(schema, table)
    cond = f"{qi(column)} = current_setting('{setting}', true)::{column_type}"
    return (
        f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;  -- ACCESS EXCLUSIVE lock, brief, catalog only\n"
        f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY;   -- the owner is filtered too\n"
        f"CREATE POLICY {qi(policy_name(table))} ON {name}\n"
        f"    USING ({cond})\n"
        f"    WITH CHECK ({cond});\n"
        f"-- each request: BEGIN; SET LOCAL {setting} = '<tenant>'; ...; COMMIT;"
    )
