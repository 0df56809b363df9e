-- The tracker's expert index set for MariaDB, written by hand before any advisor ran on this workload
-- (the MariaDB port of ../../oltp/tracker/expert.sql). One line per index: the queries it serves and
-- why this shape. InnoDB appends the primary key to every secondary index ((x) is really (x, id));
-- MariaDB has no partial indexes (the soft-delete / status filters become equality columns:
-- `deleted_at IS NULL` is an index lookup), no INCLUDE, no trigram or JSON indexes (search_title_ilike's
-- '%x%' and attrs_contains' JSON_CONTAINS get no index of their own). The FULLTEXT index
-- search_fulltext needs is in every configuration (schema.sql).
-- login_by_email: equality on email (the _ci collation makes it case-insensitive); an absent e-mail must not scan the users
ALTER TABLE users ADD INDEX users_email (email);
-- tenant_members: tenant, live users, then name for ORDER BY … LIMIT 100 without a sort
ALTER TABLE users ADD INDEX users_tenant_live_name (tenant_id, deleted_at, name);
-- tenant_projects, latest_per_project's newest 5 projects: a tenant's projects newest first
ALTER TABLE projects ADD INDEX projects_tenant_created (tenant_id, created_at);
-- label_counts: a tenant's 15 labels
ALTER TABLE labels ADD INDEX labels_tenant (tenant_id);
-- issues_with_label, label_counts: the junction from the label side ((label_id, issue_id): index-only, issue order)
ALTER TABLE issue_labels ADD INDEX issue_labels_label (label_id);
-- project_issues_page1/next_page (keyset on (created_at, id): id appended by InnoDB), latest_per_project, status_counts:
-- project first (it implies the tenant), live issues, then the ORDER BY column
ALTER TABLE issues ADD INDEX issues_project_live_created (project_id, deleted_at, created_at);
-- my_open_issues: an assignee's open/in-progress live issues (the sort on priority, created_at is over a few rows)
ALTER TABLE issues ADD INDEX issues_assignee_status (assignee_id, status, deleted_at);
-- open_per_assignee: index-only count of a tenant's open live issues per assignee
ALTER TABLE issues ADD INDEX issues_tenant_status_assignee (tenant_id, status, deleted_at, assignee_id);
-- recently_updated; also the small-tenant side of the searches (a tenant's live issues)
ALTER TABLE issues ADD INDEX issues_tenant_live_updated (tenant_id, deleted_at, updated_at);
-- issue_comments: an issue's live comments in order (the foreign key's index, extended by the ORDER BY column)
ALTER TABLE comments ADD INDEX comments_issue_live_created (issue_id, deleted_at, created_at);
-- user_recent_comments: a user's newest live comments
ALTER TABLE comments ADD INDEX comments_author_live_created (author_id, deleted_at, created_at);
-- Not indexed on purpose: tenants (a few hundred rows), stale_open_count (weight 2, reads most open rows anyway),
-- issue_detail and issue_labels_of_issue (primary keys), the writes (each index above costs them).
