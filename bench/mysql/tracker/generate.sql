-- Data for the tracker at scale {scale} (the MariaDB port of ../../oltp/tracker/generate.sql: the
-- same sizes per scale, skew, soft deletes and status mixes): {tenants} tenants with Zipf sizes
-- (tenant t's share of users, projects and issues ~ ln((t+1)/t): a few huge tenants, a long tail),
-- about {users} users and {projects} projects (each tenant's ids contiguous), 15 labels per tenant
-- (Zipf popularity), {issues} issues, about 1.5 labels per issue, {comments} comments. Runs after
-- ../words.sql; every random draw is h(tag, x) = conv(left(md5(concat(tag, x)), 8), 16, 10) / 2^32 (the same data every
-- load); a Zipf draw over N values is least(N, floor(exp(h * ln(N + 1)))).
CREATE TABLE _tr (t int PRIMARY KEY, ucnt int, pcnt int, ustart int, pstart int);
INSERT INTO _tr
SELECT t, ucnt, pcnt, sum(ucnt) OVER (ORDER BY t) - ucnt + 1, sum(pcnt) OVER (ORDER BY t) - pcnt + 1
FROM (SELECT seq AS t, greatest(3, round({users} * ln((seq + 1.0) / seq) / ln({tenants} + 1))) AS ucnt,
             greatest(1, round({projects} * ln((seq + 1.0) / seq) / ln({tenants} + 1))) AS pcnt
      FROM seq_1_to_{tenants}) x;

INSERT INTO tenants (id, name, plan, created_at)
SELECT seq, concat('Tenant ', seq, IF(seq % 7 = 0, ' GmbH', ' Inc')),
       elt(IF(seq <= 10, 4, 1 + seq % 3), 'free', 'team', 'business', 'enterprise'), '2020-01-01' + INTERVAL seq HOUR
FROM seq_1_to_{tenants};

INSERT INTO users (id, tenant_id, email, name, role, created_at, deleted_at)
SELECT g.u, g.t, concat(upper(left(v1.w, 1)), substr(v1.w, 2), '.', g.u, '@Tenant', g.t, '.example.COM'),
       concat(upper(left(v2.w, 1)), substr(v2.w, 2), ' ', upper(left(v3.w, 1)), substr(v3.w, 2)),
       elt(1 + (g.u % 10 = 0) + (g.u % 10 = 1) * 2, 'member', 'admin', 'viewer'),
       '2020-06-01' + INTERVAL floor(conv(left(md5(concat('uc', g.u)), 8), 16, 10) / 4294967296 * 900 * 86400) SECOND,
       IF(conv(left(md5(concat('ud', g.u)), 8), 16, 10) / 4294967296 < 0.04, '2024-01-01' + INTERVAL floor(conv(left(md5(concat('ue', g.u)), 8), 16, 10) / 4294967296 * 300 * 86400) SECOND, NULL)
FROM (SELECT _tr.t, _tr.ustart + k.seq AS u FROM _tr JOIN seq_0_to_{users} k ON k.seq < _tr.ucnt) g
JOIN _vocab v1 ON v1.r = 1 + g.u % 60 JOIN _vocab v2 ON v2.r = 1 + (g.u * 7) % 300 JOIN _vocab v3 ON v3.r = 1 + (g.u * 13) % 500;

INSERT INTO projects (id, tenant_id, name, archived, created_at)
SELECT _tr.pstart + k.seq, _tr.t, concat('Project ', _tr.pstart + k.seq), conv(left(md5(concat('pa', _tr.pstart + k.seq)), 8), 16, 10) / 4294967296 < 0.15,
       '2021-01-01' + INTERVAL floor(conv(left(md5(concat('pc', _tr.pstart + k.seq)), 8), 16, 10) / 4294967296 * 400 * 86400) SECOND
FROM _tr JOIN seq_0_to_{projects} k ON k.seq < _tr.pcnt;

INSERT INTO labels (id, tenant_id, name, color)
SELECT (t.seq - 1) * 15 + k.seq, t.seq,
       elt(k.seq, 'bug','feature','backend','ui','customer','performance','docs','security','regression',
                  'infra','design','mobile','good-first-issue','legal','accessibility'), concat('#', lpad(lower(hex(k.seq * 999)), 6, '0'))
FROM seq_1_to_{tenants} t JOIN seq_1_to_15 k;

-- issues: ids in creation order over about three years; status and priority with few values;
-- 3 % soft-deleted; attrs with common and rare keys (sla = platinum in 0.2 %)
INSERT INTO issues (id, tenant_id, project_id, author_id, assignee_id, status, priority, title, body, attrs,
                    created_at, updated_at, deleted_at)
SELECT g.i, g.t,
       _tr.pstart + floor(conv(left(md5(concat('ip', g.i)), 8), 16, 10) / 4294967296 * _tr.pcnt),
       _tr.ustart + floor(conv(left(md5(concat('ia', g.i)), 8), 16, 10) / 4294967296 * _tr.ucnt),
       IF(conv(left(md5(concat('ih', g.i)), 8), 16, 10) / 4294967296 < 0.7, _tr.ustart + floor(conv(left(md5(concat('iu', g.i)), 8), 16, 10) / 4294967296 * _tr.ucnt), NULL),
       CASE WHEN g.s < 0.12 THEN 'open' WHEN g.s < 0.16 THEN 'in_progress' WHEN g.s < 0.95 THEN 'closed' ELSE 'wontfix' END,
       1 + floor(conv(left(md5(concat('ir1', g.i)), 8), 16, 10) / 4294967296 * conv(left(md5(concat('ir2', g.i)), 8), 16, 10) / 4294967296 * 4),
       concat(upper(left(substring_index(s1.s, ' ', 1), 1)), substr(substring_index(s1.s, ' ', 1), 2), ' ', substr(s1.s, 1, 48)),
       concat(s2.s, '. ', s3.s, '. ', s4.s, '.'),
       concat('{{"severity": "', elt(least(4, floor(exp(conv(left(md5(concat('j1', g.i)), 8), 16, 10) / 4294967296 * ln(5)))), 'minor','major','critical','blocker'),
              '", "component": "c', least(60, floor(exp(conv(left(md5(concat('j2', g.i)), 8), 16, 10) / 4294967296 * ln(61)))),
              '", "source": "', elt(1 + floor(conv(left(md5(concat('j3', g.i)), 8), 16, 10) / 4294967296 * conv(left(md5(concat('j4', g.i)), 8), 16, 10) / 4294967296 * 4), 'web','email','api','slack'), '"',
              IF(conv(left(md5(concat('j5', g.i)), 8), 16, 10) / 4294967296 < 0.08, ', "customer": true', ''),
              IF(conv(left(md5(concat('j6', g.i)), 8), 16, 10) / 4294967296 < 0.002, ', "sla": "platinum"', ''), '}}'),
       g.created, g.created + INTERVAL floor(conv(left(md5(concat('iv1', g.i)), 8), 16, 10) / 4294967296 * conv(left(md5(concat('iv2', g.i)), 8), 16, 10) / 4294967296 * 200 * 86400) SECOND,
       IF(conv(left(md5(concat('id', g.i)), 8), 16, 10) / 4294967296 < 0.03, g.created + INTERVAL 30 DAY, NULL)
FROM (SELECT seq AS i, least({tenants}, floor(exp(conv(left(md5(concat('it', seq)), 8), 16, 10) / 4294967296 * ln({tenants} + 1)))) AS t,
             conv(left(md5(concat('is', seq)), 8), 16, 10) / 4294967296 AS s,
             '2023-01-01' + INTERVAL floor(seq / {issues} * 1000 * 86400 + conv(left(md5(concat('ic', seq)), 8), 16, 10) / 4294967296 * 6 * 3600) SECOND AS created,
             1 + floor(conv(left(md5(concat('k1', seq)), 8), 16, 10) / 4294967296 * 20000) AS k1, 1 + floor(conv(left(md5(concat('k2', seq)), 8), 16, 10) / 4294967296 * 20000) AS k2,
             1 + floor(conv(left(md5(concat('k3', seq)), 8), 16, 10) / 4294967296 * 20000) AS k3, 1 + floor(conv(left(md5(concat('k4', seq)), 8), 16, 10) / 4294967296 * 20000) AS k4
      FROM seq_1_to_{issues}) g
JOIN _tr ON _tr.t = g.t JOIN _sent s1 ON s1.i = g.k1 JOIN _sent s2 ON s2.i = g.k2 JOIN _sent s3 ON s3.i = g.k3
JOIN _sent s4 ON s4.i = g.k4;

-- 0-3 labels per issue, Zipf over the tenant's 15 labels
INSERT IGNORE INTO issue_labels (issue_id, label_id)
SELECT i.id, (i.tenant_id - 1) * 15 + least(15, floor(exp(conv(left(md5(concat('il', i.id, '-', k.seq)), 8), 16, 10) / 4294967296 * ln(16))))
FROM issues i JOIN seq_1_to_3 k ON k.seq <= i.id % 4;

-- comments, more on recent issues; 2 % soft-deleted
SET @max_user = (SELECT max(id) FROM users);
INSERT INTO comments (id, issue_id, author_id, body, created_at, deleted_at)
SELECT g.c, g.iss, 1 + floor(conv(left(md5(concat('ca', g.c)), 8), 16, 10) / 4294967296 * @max_user), concat(s1.s, '. ', s2.s, '.'),
       '2023-01-01' + INTERVAL floor(g.iss / {issues} * 1000 * 86400 + conv(left(md5(concat('cc', g.c)), 8), 16, 10) / 4294967296 * 20 * 86400) SECOND,
       IF(conv(left(md5(concat('cd', g.c)), 8), 16, 10) / 4294967296 < 0.02, '2026-01-01', NULL)
FROM (SELECT seq AS c, greatest(1, {issues} - floor({issues} * pow(conv(left(md5(concat('ci', seq)), 8), 16, 10) / 4294967296, 1.6))) AS iss,
             1 + floor(conv(left(md5(concat('c1', seq)), 8), 16, 10) / 4294967296 * 20000) AS k1, 1 + floor(conv(left(md5(concat('c2', seq)), 8), 16, 10) / 4294967296 * 20000) AS k2
      FROM seq_1_to_{comments}) g
JOIN _sent s1 ON s1.i = g.k1 JOIN _sent s2 ON s2.i = g.k2;

-- The application's FULLTEXT index (search_fulltext's MATCH needs it; built once after the load)
ALTER TABLE issues ADD FULLTEXT INDEX issues_fulltext (title, body);
DROP TABLE _tr, _vocab, _sent;
