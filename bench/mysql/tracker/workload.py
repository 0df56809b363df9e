"""The tracker workload on MariaDB: bench/oltp/tracker/workload.py's 26 queries with the same names,
weights and parameter draws (imported, not copied), the statements MySQL writes differently translated
by hand: `lower(x) = lower($1)` → `x = $1` and `ILIKE` → `LIKE` (utf8mb4_general_ci compares
case-insensitively), `to_tsvector(…) @@ plainto_tsquery(…)` → `MATCH (title, body) AGAINST ($2)`,
`attrs @> $1::jsonb` → `JSON_CONTAINS(attrs, $1)`, `ON CONFLICT DO NOTHING` → `INSERT IGNORE`, casts
dropped; latest_per_project's `CROSS JOIN LATERAL (… LIMIT 3)` (MariaDB has no LATERAL, and no LIMIT in
an IN subquery) → ROW_NUMBER() over the issues of the tenant's 5 newest projects."""

from __future__ import annotations

from bench.mysql.common import port
from bench.oltp.tracker import workload as pg
from bench.oltp.tracker.workload import sizes

__all__ = ["QUERIES", "sizes"]

QUERIES = port(pg.QUERIES, {
    "login_by_email": "SELECT id, tenant_id, name, role FROM users WHERE email = $1 AND deleted_at IS NULL LIMIT 1",
    "tenant_by_name": "SELECT id, plan FROM tenants WHERE name = $1 LIMIT 1",
    "project_issues_next_page":
        "SELECT id, title, status, priority, created_at FROM issues WHERE tenant_id = $1 AND project_id = $2 "
        "AND deleted_at IS NULL AND (created_at, id) < ($3, $4) ORDER BY created_at DESC, id DESC LIMIT 25",
    "search_fulltext":
        "SELECT id, title FROM issues WHERE tenant_id = $1 AND deleted_at IS NULL "
        "AND MATCH (title, body) AGAINST ($2) ORDER BY created_at DESC LIMIT 20",
    "search_title_ilike":
        "SELECT id, title FROM issues WHERE tenant_id = $1 AND title LIKE $2 AND deleted_at IS NULL LIMIT 20",
    "attrs_contains":
        "SELECT id, title, tenant_id FROM issues WHERE JSON_CONTAINS(attrs, $1) AND status = 'open' "
        "AND deleted_at IS NULL LIMIT 50",
    "latest_per_project":
        "SELECT x.id, x.name, x.issue_id, x.title, x.created_at FROM ("
        "SELECT p.id, p.name, i.id AS issue_id, i.title, i.created_at, "
        "row_number() OVER (PARTITION BY i.project_id ORDER BY i.created_at DESC) AS rn "
        "FROM (SELECT id, name FROM projects WHERE tenant_id = $1 AND NOT archived ORDER BY created_at DESC LIMIT 5) p "
        "JOIN issues i ON i.project_id = p.id WHERE i.deleted_at IS NULL) x WHERE x.rn <= 3",
    "recently_updated":
        "SELECT id, title, status, updated_at FROM issues WHERE tenant_id = $1 AND updated_at > $2 "
        "AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 50",
    "stale_open_count": "SELECT count(*) FROM issues WHERE status = 'open' AND updated_at < $1 AND deleted_at IS NULL",
    "label_issue": "INSERT IGNORE INTO issue_labels (issue_id, label_id) VALUES ($1, $2)",
})  # fmt: skip
