"""The tracker workload on MariaDB: bench/oltp/tracker/workload.py's 26 queries with the same names,
weights and parameter draws, in MySQL syntax. Translated by hand where MySQL differs:
`lower(x) = lower($1)` → `x = $1` and `ILIKE` → `LIKE` (utf8mb4_general_ci compares case-insensitively),
`to_tsvector(…) @@ plainto_tsquery(…)` → `MATCH (title, body) AGAINST ($2)`, `attrs @> $1::jsonb` →
`JSON_CONTAINS(attrs, $1)`, `ON CONFLICT DO NOTHING` → `INSERT IGNORE`, casts dropped, `OFFSET n LIMIT 1`
→ `LIMIT 1 OFFSET n`; latest_per_project's `CROSS JOIN LATERAL (… LIMIT 3)` (MariaDB has no LATERAL, and
no LIMIT in an IN subquery) → ROW_NUMBER() over the issues of the tenant's 5 newest projects."""

from __future__ import annotations

from bench.mysql.common import Draw, Query
from bench.oltp.tracker.workload import assignee_of, big, project_of, sizes, small, two_tenants, word

__all__ = ["QUERIES", "sizes"]


def email_variants(d: Draw):
    u = d.rng.randint(1, d.sizes["users"])
    email = d.one("SELECT email FROM users WHERE id = $1", u)
    return [("existing", (email.lower(),)), ("absent", ("nobody.%d@nowhere.example.com" % d.rng.randint(1, 10**6),))]


def page2(d: Draw, tenant: int, project: int):
    row = d.row("SELECT created_at, id FROM issues WHERE tenant_id = $1 AND project_id = $2 AND deleted_at IS NULL "
                "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 49", tenant, project)  # fmt: skip
    return (tenant, project, str(row[0]), row[1]) if row else (tenant, project, "2030-01-01", 0)


QUERIES = [
    Query("login_by_email", 120,
          "SELECT id, tenant_id, name, role FROM users WHERE email = $1 AND deleted_at IS NULL LIMIT 1",
          email_variants),
    Query("tenant_by_name", 10, "SELECT id, plan FROM tenants WHERE name = $1 LIMIT 1",
          lambda d: [("existing", ("tenant %d inc" % small(d),)), ("absent", ("no such tenant",))]),
    Query("project_issues_page1", 200,
          "SELECT id, title, status, priority, created_at FROM issues WHERE tenant_id = $1 AND project_id = $2 "
          "AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 25",
          lambda d: two_tenants(d, lambda d, t: (t, project_of(d, t)))),
    Query("project_issues_next_page", 60,
          "SELECT id, title, status, priority, created_at FROM issues WHERE tenant_id = $1 AND project_id = $2 "
          "AND deleted_at IS NULL AND (created_at, id) < ($3, $4) "
          "ORDER BY created_at DESC, id DESC LIMIT 25",
          lambda d: two_tenants(d, lambda d, t: page2(d, t, project_of(d, t)))),
    Query("my_open_issues", 150,
          "SELECT id, title, status, priority, created_at FROM issues WHERE tenant_id = $1 AND assignee_id = $2 "
          "AND status IN ('open', 'in_progress') AND deleted_at IS NULL ORDER BY priority, created_at DESC LIMIT 50",
          lambda d: two_tenants(d, lambda d, t: (t, assignee_of(d, t)))),
    Query("issue_detail", 300,
          "SELECT i.id, i.title, i.body, i.status, i.attrs, u.name AS author FROM issues i "
          "JOIN users u ON u.id = i.author_id WHERE i.id = $1",
          lambda d: [("existing", (d.rng.randint(1, d.sizes["issues"]),))]),
    Query("issue_comments", 300,
          "SELECT c.id, c.body, c.created_at, u.name FROM comments c JOIN users u ON u.id = c.author_id "
          "WHERE c.issue_id = $1 AND c.deleted_at IS NULL ORDER BY c.created_at LIMIT 100",
          lambda d: [("recent issue", (d.sizes["issues"] - d.rng.randint(0, 50),)),
                     ("old issue", (d.rng.randint(1, d.sizes["issues"] // 4),))]),
    Query("issue_labels_of_issue", 250,
          "SELECT l.id, l.name, l.color FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = $1",
          lambda d: [("existing", (d.rng.randint(1, d.sizes["issues"]),))]),
    Query("issues_with_label", 40,
          "SELECT i.id, i.title, i.status FROM issue_labels il JOIN issues i ON i.id = il.issue_id "
          "WHERE il.label_id = $1 AND i.deleted_at IS NULL ORDER BY il.issue_id DESC LIMIT 50",
          lambda d: [("common label", ((big(d) - 1) * 15 + 1,)), ("rare label", ((small(d) - 1) * 15 + 14,))]),
    Query("label_counts", 15,
          "SELECT l.name, count(*) FROM labels l JOIN issue_labels il ON il.label_id = l.id "
          "WHERE l.tenant_id = $1 GROUP BY l.name ORDER BY count(*) DESC",
          lambda d: [("big tenant", (big(d),)), ("small tenant", (small(d),))]),
    Query("status_counts", 40,
          "SELECT status, count(*) FROM issues WHERE tenant_id = $1 AND project_id = $2 AND deleted_at IS NULL GROUP BY status",
          lambda d: two_tenants(d, lambda d, t: (t, project_of(d, t)))),
    Query("open_per_assignee", 20,
          "SELECT assignee_id, count(*) FROM issues WHERE tenant_id = $1 AND status = 'open' AND deleted_at IS NULL "
          "GROUP BY assignee_id ORDER BY count(*) DESC LIMIT 10",
          lambda d: [("big tenant", (big(d),)), ("small tenant", (small(d),))]),
    Query("search_fulltext", 30,
          "SELECT id, title FROM issues WHERE tenant_id = $1 AND deleted_at IS NULL "
          "AND MATCH (title, body) AGAINST ($2) ORDER BY created_at DESC LIMIT 20",
          lambda d: [("big tenant, rare word", (big(d), word(d, 2000, 3000))),
                     ("small tenant, common word", (small(d), word(d, 1, 10)))]),
    Query("search_title_ilike", 25,
          "SELECT id, title FROM issues WHERE tenant_id = $1 AND title LIKE $2 AND deleted_at IS NULL LIMIT 20",
          lambda d: [("big tenant, rare fragment", (big(d), "%" + word(d, 800, 1500)[1:6] + "%")),
                     ("small tenant, common word", (small(d), "%" + word(d, 1, 10) + "%"))]),
    Query("attrs_contains", 20,
          "SELECT id, title, tenant_id FROM issues WHERE JSON_CONTAINS(attrs, $1) AND status = 'open' AND deleted_at IS NULL LIMIT 50",
          lambda d: [("rare key", ('{"sla": "platinum"}',)), ("common value", ('{"severity": "blocker", "customer": true}',))]),
    Query("tenant_members", 30,
          "SELECT id, name, email, role FROM users WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY name LIMIT 100",
          lambda d: [("big tenant", (big(d),)), ("small tenant", (small(d),))]),
    Query("tenant_projects", 50,
          "SELECT id, name, created_at FROM projects WHERE tenant_id = $1 AND NOT archived ORDER BY name",
          lambda d: [("big tenant", (big(d),)), ("small tenant", (small(d),))]),
    Query("latest_per_project", 25,
          "SELECT x.id, x.name, x.issue_id, x.title, x.created_at FROM ("
          "SELECT p.id, p.name, i.id AS issue_id, i.title, i.created_at, "
          "row_number() OVER (PARTITION BY i.project_id ORDER BY i.created_at DESC) AS rn "
          "FROM (SELECT id, name FROM projects WHERE tenant_id = $1 AND NOT archived ORDER BY created_at DESC LIMIT 5) p "
          "JOIN issues i ON i.project_id = p.id WHERE i.deleted_at IS NULL) x WHERE x.rn <= 3",
          lambda d: [("big tenant", (big(d),)), ("small tenant", (small(d),))]),
    Query("user_recent_comments", 20,
          "SELECT id, issue_id, created_at FROM comments WHERE author_id = $1 AND deleted_at IS NULL "
          "ORDER BY created_at DESC LIMIT 20",
          lambda d: [("existing", (d.rng.randint(1, d.sizes["users"]),))]),
    Query("recently_updated", 40,
          "SELECT id, title, status, updated_at FROM issues WHERE tenant_id = $1 AND updated_at > $2 "
          "AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 50",
          lambda d: [("big tenant", (big(d), "2025-09-20")), ("small tenant", (small(d), "2025-06-01"))]),
    Query("stale_open_count", 2,
          "SELECT count(*) FROM issues WHERE status = 'open' AND updated_at < $1 AND deleted_at IS NULL",
          lambda d: [("cutoff", ("2023-06-01",))]),
    Query("create_issue", 20,
          "INSERT INTO issues (tenant_id, project_id, author_id, status, priority, title, body, attrs, created_at, updated_at) "
          "VALUES ($1, $2, $3, 'open', 2, $4, $5, '{\"source\": \"web\"}', now(), now())",
          lambda d: [("new", (big(d), project_of(d, big(d)), d.one("SELECT id FROM users WHERE tenant_id = 1 ORDER BY id LIMIT 1"),
                              "Checkout crash on mobile", "Steps to reproduce: open the page, press the button."))]),
    Query("update_status", 60,
          "UPDATE issues SET status = $2, updated_at = now() WHERE id = $1",
          lambda d: [("close", (d.rng.randint(1, d.sizes["issues"]), "closed"))]),
    Query("add_comment", 80,
          "INSERT INTO comments (issue_id, author_id, body, created_at) VALUES ($1, $2, $3, now())",
          lambda d: [("new", (d.sizes["issues"] - d.rng.randint(0, 100), d.rng.randint(1, d.sizes["users"]),
                              "Confirmed on the latest release."))]),
    Query("label_issue", 30,
          "INSERT IGNORE INTO issue_labels (issue_id, label_id) VALUES ($1, $2)",
          lambda d: [("new", (d.sizes["issues"] - d.rng.randint(0, 100), 13))]),
    Query("soft_delete_comment", 5,
          "UPDATE comments SET deleted_at = now() WHERE id = $1",
          lambda d: [("existing", (d.rng.randint(1, d.sizes["comments"]),))]),
]
