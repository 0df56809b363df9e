-- Data for the tracker at scale {scale}: {tenants} tenants with Zipf sizes (tenant t's share of
-- users, projects and issues ~ ln((t+1)/t): a few huge tenants, a long tail), about {users} users and
-- {projects} projects (each tenant's ids contiguous), 15 labels per tenant (Zipf popularity),
-- {issues} issues, about 1.5 labels per issue, {comments} comments. Deterministic: setseed() first,
-- one session.
CREATE TEMP TABLE tr AS
SELECT t, ucnt, pcnt, sum(ucnt) OVER w - ucnt + 1 AS ustart, sum(pcnt) OVER w - pcnt + 1 AS pstart
FROM (SELECT t, greatest(3, round({users} * ln((t + 1.0) / t) / ln({tenants} + 1)))::int AS ucnt,
             greatest(1, round({projects} * ln((t + 1.0) / t) / ln({tenants} + 1)))::int AS pcnt
      FROM generate_series(1, {tenants}) t) x
WINDOW w AS (ORDER BY t);
ANALYZE tr;

INSERT INTO tenants (id, name, plan, created_at)
SELECT t, 'Tenant ' || t || CASE WHEN t % 7 = 0 THEN ' GmbH' ELSE ' Inc' END,
       (ARRAY['free','team','business','enterprise'])[CASE WHEN t <= 10 THEN 4 ELSE 1 + t % 3 END],
       '2020-01-01'::timestamptz + t * interval '1 hour'
FROM generate_series(1, {tenants}) t;

INSERT INTO users (id, tenant_id, email, name, role, created_at, deleted_at)
SELECT u, t, initcap(v1.w) || '.' || u || '@Tenant' || t || '.example.COM', initcap(v2.w) || ' ' || initcap(v3.w),
       (ARRAY['member','admin','viewer'])[1 + (u % 10 = 0)::int + (u % 10 = 1)::int * 2],
       '2020-06-01'::timestamptz + random() * interval '900 days',
       CASE WHEN random() < 0.04 THEN '2024-01-01'::timestamptz + random() * interval '300 days' END
FROM (SELECT tr.t, tr.ustart + k AS u FROM tr, generate_series(0, tr.ucnt - 1) k) g
JOIN vocab v1 ON v1.r = 1 + g.u % 60 JOIN vocab v2 ON v2.r = 1 + (g.u * 7) % 300 JOIN vocab v3 ON v3.r = 1 + (g.u * 13) % 500;

INSERT INTO projects (id, tenant_id, name, archived, created_at)
SELECT tr.pstart + k, tr.t, 'Project ' || (tr.pstart + k), random() < 0.15, '2021-01-01'::timestamptz + random() * interval '400 days'
FROM tr, generate_series(0, tr.pcnt - 1) k;

INSERT INTO labels (id, tenant_id, name, color)
SELECT (t - 1) * 15 + k, t,
       (ARRAY['bug','feature','backend','ui','customer','performance','docs','security','regression',
              'infra','design','mobile','good-first-issue','legal','accessibility'])[k], '#' || lpad(to_hex(k * 999), 6, '0')
FROM generate_series(1, {tenants}) t, generate_series(1, 15) k;

-- issues: ids in creation order over about three years; status and priority with few values;
-- 3 % soft-deleted; attrs with common and rare keys (sla = platinum in 0.2 %)
INSERT INTO issues (id, tenant_id, project_id, author_id, assignee_id, status, priority, title, body, attrs,
                    created_at, updated_at, deleted_at)
SELECT g.i, g.t,
       tr.pstart + floor(random() * tr.pcnt)::int,
       tr.ustart + floor(random() * tr.ucnt)::int,
       CASE WHEN random() < 0.7 THEN tr.ustart + floor(random() * tr.ucnt)::int END,
       CASE WHEN g.s < 0.12 THEN 'open' WHEN g.s < 0.16 THEN 'in_progress' WHEN g.s < 0.95 THEN 'closed' ELSE 'wontfix' END,
       1 + floor(random() * random() * 4)::int,
       initcap(split_part(s1.s, ' ', 1)) || ' ' || substr(s1.s, 1, 48),
       s2.s || '. ' || s3.s || '. ' || s4.s || '.',
       jsonb_strip_nulls(jsonb_build_object(
         'severity', (ARRAY['minor','major','critical','blocker'])[least(4, floor(exp(random() * ln(5))))::int],
         'component', 'c' || least(60, floor(exp(random() * ln(61))))::int,
         'source', (ARRAY['web','email','api','slack'])[1 + floor(random() * random() * 4)::int],
         'customer', CASE WHEN random() < 0.08 THEN true END,
         'sla', CASE WHEN random() < 0.002 THEN 'platinum' END)),
       g.created, g.created + random() * random() * interval '200 days',
       CASE WHEN random() < 0.03 THEN g.created + interval '30 days' END
FROM (SELECT i, least({tenants}, floor(exp(random() * ln({tenants} + 1))))::int AS t, random() AS s,
             '2023-01-01'::timestamptz + (i::float / {issues}) * interval '1000 days' + random() * interval '6 hours' AS created,
             1 + floor(random() * 20000)::int AS k1, 1 + floor(random() * 20000)::int AS k2,
             1 + floor(random() * 20000)::int AS k3, 1 + floor(random() * 20000)::int AS k4
      FROM generate_series(1, {issues}) i) g
JOIN tr ON tr.t = g.t JOIN sent s1 ON s1.i = g.k1 JOIN sent s2 ON s2.i = g.k2 JOIN sent s3 ON s3.i = g.k3
JOIN sent s4 ON s4.i = g.k4;

-- 0-3 labels per issue, Zipf over the tenant's 15 labels
INSERT INTO issue_labels (issue_id, label_id)
SELECT i.id, (i.tenant_id - 1) * 15 + least(15, floor(exp(random() * ln(16))))::int
FROM issues i, generate_series(1, (i.id % 4)::int) k
ON CONFLICT DO NOTHING;

-- comments, more on recent issues; 2 % soft-deleted
INSERT INTO comments (id, issue_id, author_id, body, created_at, deleted_at)
SELECT g.c, g.iss, 1 + floor(random() * (SELECT max(id) FROM users))::bigint, s1.s || '. ' || s2.s || '.',
       '2023-01-01'::timestamptz + (g.iss::float / {issues}) * interval '1000 days' + random() * interval '20 days',
       CASE WHEN random() < 0.02 THEN '2026-01-01'::timestamptz END
FROM (SELECT c, greatest(1, {issues} - floor({issues} * power(random(), 1.6)))::bigint AS iss,
             1 + floor(random() * 20000)::int AS k1, 1 + floor(random() * 20000)::int AS k2
      FROM generate_series(1, {comments}) c) g
JOIN sent s1 ON s1.i = g.k1 JOIN sent s2 ON s2.i = g.k2;
