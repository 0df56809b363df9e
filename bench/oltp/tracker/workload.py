"""The tracker workload: a multi-tenant issue tracker (SaaS project tool).

Each query is what the application sends, with $n parameters and a traffic weight (relative calls
per unit of time). `draw` picks the parameters from the loaded data with a seeded random generator:
a common and a rare value where the distribution is skewed, the absent key for lookups."""

from __future__ import annotations

from bench.oltp.common import Draw, Query


def sizes(scale: float) -> dict:
    tenants = max(40, round(2000 * scale))
    issues = max(2000, round(2_000_000 * scale))
    return {"scale": scale, "tenants": tenants, "users": 100 * tenants, "projects": 10 * tenants,
            "issues": issues, "comments": 2 * issues}


def big(d: Draw) -> int:
    return 1  # Zipf sizes: tenant 1 holds about 9 % of the issues at the default scale


def small(d: Draw) -> int:
    t = d.sizes["tenants"]
    return d.rng.randint(t - t // 10, t)


def project_of(d: Draw, tenant: int) -> int:
    return d.one("SELECT id FROM projects WHERE tenant_id = $1 ORDER BY archived, id LIMIT 20", tenant, pick=True)


def assignee_of(d: Draw, tenant: int) -> int:
    return d.one("SELECT assignee_id FROM issues WHERE tenant_id = $1 AND assignee_id IS NOT NULL AND status = 'open' "
                 "ORDER BY id DESC LIMIT 200", tenant, pick=True)  # fmt: skip


def word(d: Draw, lo: int, hi: int) -> str:
    return d.word(lo, hi)


def email_variants(d: Draw):
    u = d.rng.randint(1, d.sizes["users"])
    email = d.one("SELECT email FROM users WHERE id = $1", u)
    return [("existing", (email.lower(),)), ("absent", ("nobody.%d@nowhere.example.com" % d.rng.randint(1, 10**6),))]


def page2(d: Draw, tenant: int, project: int):
    row = d.row("SELECT created_at, id FROM issues WHERE tenant_id = $1 AND project_id = $2 AND deleted_at IS NULL "
                "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 49", tenant, project)  # fmt: skip
    return (tenant, project, d.timestamp(row[0]), row[1]) if row else (tenant, project, "2030-01-01", 0)


def two_tenants(d: Draw, f):
    a, b = big(d), small(d)
    return [("big tenant", f(d, a)), ("small tenant", f(d, b))]


QUERIES = [
    Query("login_by_email", 120,
          "SELECT id, tenant_id, name, role FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL LIMIT 1",
          email_variants),
    Query("tenant_by_name", 10, "SELECT id, plan FROM tenants WHERE lower(name) = lower($1) LIMIT 1",
          lambda d: [("existing", ("tenant %d inc" % small(d),)), ("absent", ("no such tenant",))]),
    Query("project_issues_page1", 200,
          "SELECT id, title, status, priority, created_at FROM issues WHERE tenant_id = $1 AND project_id = $2 "
          "AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 25",
          lambda d: two_tenants(d, lambda d, t: (t, project_of(d, t)))),
    Query("project_issues_next_page", 60,
          "SELECT id, title, status, priority, created_at FROM issues WHERE tenant_id = $1 AND project_id = $2 "
          "AND deleted_at IS NULL AND (created_at, id) < ($3::timestamptz, $4::bigint) "
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
          "AND to_tsvector('english', title || ' ' || body) @@ plainto_tsquery('english', $2) "
          "ORDER BY created_at DESC LIMIT 20",
          lambda d: [("big tenant, rare word", (big(d), word(d, 2000, 3000))),
                     ("small tenant, common word", (small(d), word(d, 1, 10)))]),
    Query("search_title_ilike", 25,
          "SELECT id, title FROM issues WHERE tenant_id = $1 AND title ILIKE $2 AND deleted_at IS NULL LIMIT 20",
          lambda d: [("big tenant, rare fragment", (big(d), "%" + word(d, 800, 1500)[1:6] + "%")),
                     ("small tenant, common word", (small(d), "%" + word(d, 1, 10) + "%"))]),
    Query("attrs_contains", 20,
          "SELECT id, title, tenant_id FROM issues WHERE attrs @> $1::jsonb AND status = 'open' AND deleted_at IS NULL LIMIT 50",
          lambda d: [("rare key", ('{"sla": "platinum"}',)), ("common value", ('{"severity": "blocker", "customer": true}',))]),
    Query("tenant_members", 30,
          "SELECT id, name, email, role FROM users WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY name LIMIT 100",
          lambda d: [("big tenant", (big(d),)), ("small tenant", (small(d),))]),
    Query("tenant_projects", 50,
          "SELECT id, name, created_at FROM projects WHERE tenant_id = $1 AND NOT archived ORDER BY name",
          lambda d: [("big tenant", (big(d),)), ("small tenant", (small(d),))]),
    Query("latest_per_project", 25,
          "SELECT p.id, p.name, l.id AS issue_id, l.title, l.created_at FROM projects p CROSS JOIN LATERAL "
          "(SELECT i.id, i.title, i.created_at FROM issues i WHERE i.project_id = p.id AND i.deleted_at IS NULL "
          "ORDER BY i.created_at DESC LIMIT 3) l "
          "WHERE p.id IN (SELECT id FROM projects WHERE tenant_id = $1 AND NOT archived ORDER BY created_at DESC LIMIT 5)",
          lambda d: [("big tenant", (big(d),)), ("small tenant", (small(d),))]),
    Query("user_recent_comments", 20,
          "SELECT id, issue_id, created_at FROM comments WHERE author_id = $1 AND deleted_at IS NULL "
          "ORDER BY created_at DESC LIMIT 20",
          lambda d: [("existing", (d.rng.randint(1, d.sizes["users"]),))]),
    Query("recently_updated", 40,
          "SELECT id, title, status, updated_at FROM issues WHERE tenant_id = $1 AND updated_at > $2::timestamptz "
          "AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 50",
          lambda d: [("big tenant", (big(d), "2025-09-20")), ("small tenant", (small(d), "2025-06-01"))]),
    Query("stale_open_count", 2,
          "SELECT count(*) FROM issues WHERE status = 'open' AND updated_at < $1::timestamptz AND deleted_at IS NULL",
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
          "INSERT INTO issue_labels (issue_id, label_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
          lambda d: [("new", (d.sizes["issues"] - d.rng.randint(0, 100), 13))]),
    Query("soft_delete_comment", 5,
          "UPDATE comments SET deleted_at = now() WHERE id = $1",
          lambda d: [("existing", (d.rng.randint(1, d.sizes["comments"]),))]),
]
