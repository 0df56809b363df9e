-- The tracker's expert index set, written by hand before any advisor ran on this workload.
-- One line per index: the queries it serves and why this shape.
CREATE EXTENSION IF NOT EXISTS pg_trgm;  -- for the trigram index below (needs CREATE on the database)
-- login_by_email: expression lookup; LIMIT 1 on a rare or absent e-mail must not scan 200k users; partial = only live users
CREATE INDEX users_lower_email ON users (lower(email)) WHERE deleted_at IS NULL;
-- tenant_members: tenant first, then name for the ORDER BY … LIMIT 100 without a sort; partial for the soft-delete filter
CREATE INDEX users_tenant_name ON users (tenant_id, name) WHERE deleted_at IS NULL;
-- tenant_projects, latest_per_project's inner subquery: a tenant's projects (newest first)
CREATE INDEX projects_tenant_created ON projects (tenant_id, created_at);
-- label_counts: a tenant's 15 labels (30k-row table, but every dashboard asks)
CREATE INDEX labels_tenant ON labels (tenant_id);
-- issues_with_label, label_counts: the junction from the rare side; (label_id, issue_id) gives an index-only scan in issue order
CREATE INDEX issue_labels_label_issue ON issue_labels (label_id, issue_id);
-- project_issues_page1/next_page (keyset: row comparison on (created_at, id)), latest_per_project, status_counts:
-- project first (it implies the tenant), then the ORDER BY columns; partial = the soft-delete filter every query has
CREATE INDEX issues_project_created_id ON issues (project_id, created_at, id) WHERE deleted_at IS NULL;
-- my_open_issues: an assignee's open work in ORDER BY order; partial: only open/in-progress live issues (16 %)
CREATE INDEX issues_assignee_open ON issues (assignee_id, priority, created_at) WHERE status IN ('open', 'in_progress') AND deleted_at IS NULL;
-- open_per_assignee: index-only count of a tenant's open issues per assignee; partial: 12 % of the rows
CREATE INDEX issues_tenant_open_assignee ON issues (tenant_id, assignee_id) WHERE status = 'open' AND deleted_at IS NULL;
-- recently_updated; also the small-tenant side of the searches (a few hundred rows to filter)
CREATE INDEX issues_tenant_updated ON issues (tenant_id, updated_at) WHERE deleted_at IS NULL;
-- search_fulltext: GIN on exactly the query's expression (the planner matches the expression text)
CREATE INDEX issues_fts ON issues USING gin (to_tsvector('english', title || ' ' || body));
-- search_title_ilike: ILIKE '%x%' can only use trigrams
CREATE INDEX issues_title_trgm ON issues USING gin (title gin_trgm_ops);
-- attrs_contains: jsonb @> with the smaller, faster jsonb_path_ops; partial: the query always asks open, live issues
CREATE INDEX issues_attrs_open ON issues USING gin (attrs jsonb_path_ops) WHERE status = 'open' AND deleted_at IS NULL;
-- issue_comments: an issue's comments in order (the foreign key's index, extended by the ORDER BY column)
CREATE INDEX comments_issue_created ON comments (issue_id, created_at) WHERE deleted_at IS NULL;
-- user_recent_comments: a user's newest comments without scanning 4M rows
CREATE INDEX comments_author_created ON comments (author_id, created_at) WHERE deleted_at IS NULL;
-- Not indexed on purpose: tenants (2,000 rows: tenant_by_name is already fast), stale_open_count (weight 2, reads
-- most open rows anyway), issue_detail and issue_labels_of_issue (primary keys), the writes (each index above costs them).
