-- Data for the social platform at scale {scale}. The data's "now" is 2026-06-01 00:00 UTC.
-- {users} users (ids in sign-up order; the lowest ids are the celebrities: every Zipf draw below,
-- P(user k) = ln((k+1)/k) / ln(n+1), lands on them; 3 % soft-deleted; mixed-case usernames and e-mails
-- whose first word is Zipf-ranked, so a few prefixes are shared by thousands); about {follows} follows
-- (follower: a power-law activity over a permutation of the ids, followee: half Zipf = celebrities,
-- half uniform; duplicates dropped); {posts} posts over two years (ids in time order; half the authors
-- Zipf; 85 % public; 2 % soft-deleted; 40 % with 1-3 hashtags of Zipf rank, so a handful of tags are
-- everywhere and most are rare; jsonb metadata with client/lang on all, media on 30 %, sponsored on
-- 0.3 %, a poll on 0.5 %; 15 % are replies, a third of those to a "viral" post every 5,000 ids),
-- likes and comments skewed to recent posts, {notifications} notifications (recipients 70 % Zipf,
-- read except a hot sliver of the last two days), {conversations} direct conversations of two users with
-- {messages} messages (half of them in a Zipf-hot few conversations), {reports} moderation reports
-- (the pending ones a small recent fraction). Deterministic: setseed() first, one session.
CREATE TEMP TABLE uw AS
SELECT k, least(3000, floor(exp(random() * ln(3001.0))))::int AS r1, 63 + floor(random() * 5000)::int AS r2, random() AS rb, random() AS rd
FROM generate_series(1, {users}) k;
ANALYZE uw;

INSERT INTO users (id, username, email, display_name, bio, created_at, deleted_at)
SELECT uw.k, initcap(v1.w) || '_' || v2.w || uw.k,
       initcap(v1.w) || '.' || initcap(v2.w) || uw.k || '@' || (ARRAY['Mail', 'Post', 'Inbox', 'Web'])[1 + uw.k % 4] || '.example.com',
       initcap(v1.w) || ' ' || initcap(v2.w),
       CASE WHEN uw.rb < 0.5 THEN s.s END,
       '2019-01-01'::timestamptz + (uw.k::float / {users}) * interval '2678 days',
       CASE WHEN uw.rd < 0.03 THEN '2026-02-01'::timestamptz + uw.rd * interval '1000 days' END
FROM uw JOIN vocab v1 ON v1.r = uw.r1 JOIN vocab v2 ON v2.r = uw.r2 JOIN sent s ON s.i = 1 + (uw.k::bigint * 7919) % 20000;

INSERT INTO follows (follower_id, followee_id, created_at)
SELECT DISTINCT ON (x.follower_id, x.followee_id) x.follower_id, x.followee_id, x.created_at
FROM (SELECT 1 + ((floor({users} * power(random(), 2))::bigint + 12345) * 2654435761 % {users})::int AS follower_id,
             CASE WHEN random() < 0.5 THEN least({users}, floor(exp(random() * ln({users} + 1.0))))::int
                  ELSE 1 + floor(random() * {users})::int END AS followee_id,
             '2026-06-01'::timestamptz - power(random(), 2) * interval '900 days' AS created_at
      FROM generate_series(1, {follows}) g) x
WHERE x.follower_id <> x.followee_id
ORDER BY x.follower_id, x.followee_id, x.created_at;

CREATE TEMP TABLE post_tags AS
SELECT t.p, array_agg(DISTINCT v.w ORDER BY v.w) AS tags
FROM (SELECT p, least(3000, floor(exp(random() * ln(3001.0))))::int AS r
      FROM generate_series(1, {posts}) p, generate_series(1, 3) j
      WHERE (p::bigint * 2654435761 % 100) < CASE j WHEN 1 THEN 40 WHEN 2 THEN 20 ELSE 8 END) t
JOIN vocab v ON v.r = t.r GROUP BY t.p;
ANALYZE post_tags;

INSERT INTO posts (id, author_id, created_at, visibility, status, body, hashtags, metadata, reply_to, deleted_at)
SELECT g.p, g.author, g.created,
       CASE WHEN g.r1 < 0.85 THEN 'public' WHEN g.r1 < 0.97 THEN 'followers' ELSE 'private' END,
       CASE WHEN g.r2 < 0.975 THEN 'published' WHEN g.r2 < 0.99 THEN 'hidden' ELSE 'removed' END,
       s.s || CASE WHEN t.tags IS NOT NULL THEN ' #' || array_to_string(t.tags, ' #') ELSE '' END,
       coalesce(t.tags, ARRAY[]::text[]),
       jsonb_strip_nulls(jsonb_build_object(
         'client', CASE WHEN g.r5 < 0.40 THEN 'ios' WHEN g.r5 < 0.75 THEN 'android' WHEN g.r5 < 0.95 THEN 'web' ELSE 'api' END,
         'lang', CASE WHEN g.r6 < 0.60 THEN 'en' WHEN g.r6 < 0.75 THEN 'es' WHEN g.r6 < 0.85 THEN 'de' WHEN g.r6 < 0.95 THEN 'pt' ELSE 'ja' END,
         'media', CASE WHEN g.r4 < 0.30 THEN true END,
         'sponsored', CASE WHEN g.r7 < 0.003 THEN true END,
         'poll', CASE WHEN g.r7 > 0.995 THEN jsonb_build_object('options', 2 + g.p % 3, 'closes_at', (g.created + interval '1 day')::text) END)),
       CASE WHEN g.r3 < 0.15 AND g.p > 5000
            THEN CASE WHEN g.r8 < 0.33 THEN ((g.p - 1) / 5000) * 5000
                      ELSE g.p - 1 - floor(power(g.r4, 3) * least(g.p - 2, 200000))::bigint END END,
       CASE WHEN g.p::bigint * 40503 % 100 < 2 THEN g.created + interval '3 days' END
FROM (SELECT p, CASE WHEN random() < 0.5 THEN least({users}, floor(exp(random() * ln({users} + 1.0))))::int
                     ELSE 1 + floor(random() * {users})::int END AS author,
             '2024-06-01'::timestamptz + (p::float / {posts}) * interval '730 days' AS created,
             random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6, random() AS r7, random() AS r8
      FROM generate_series(1, {posts}) p) g
JOIN sent s ON s.i = 1 + (g.p::bigint * 7919) % 20000
LEFT JOIN post_tags t ON t.p = g.p;

-- likes: the post recency-skewed (the newest posts collect most), the user a power-law activity; duplicates dropped
INSERT INTO likes (user_id, post_id, created_at)
SELECT DISTINCT ON (x.user_id, x.post_id) x.user_id, x.post_id,
       '2024-06-01'::timestamptz + (x.post_id::float / {posts}) * interval '730 days' + x.r * ('2026-06-01'::timestamptz
         - ('2024-06-01'::timestamptz + (x.post_id::float / {posts}) * interval '730 days'))
FROM (SELECT 1 + ((floor({users} * power(random(), 2))::bigint + 999) * 2654435761 % {users})::int AS user_id,
             {posts} - floor({posts} * power(random(), 2))::bigint AS post_id, random() AS r
      FROM generate_series(1, {likes}) g) x
ORDER BY x.user_id, x.post_id, x.r;

INSERT INTO comments (post_id, author_id, body, created_at, deleted_at)
SELECT x.post_id, x.author, s.s,
       '2024-06-01'::timestamptz + (x.post_id::float / {posts}) * interval '730 days' + x.r * ('2026-06-01'::timestamptz
         - ('2024-06-01'::timestamptz + (x.post_id::float / {posts}) * interval '730 days')),
       CASE WHEN x.rd < 0.03 THEN '2026-05-01'::timestamptz END
FROM (SELECT g, {posts} - floor({posts} * power(random(), 2))::bigint AS post_id,
             1 + ((floor({users} * power(random(), 1.5))::bigint + 4242) * 2654435761 % {users})::int AS author,
             power(random(), 0.3) AS r, random() AS rd
      FROM generate_series(1, {comments}) g) x
JOIN sent s ON s.i = 1 + (x.g::bigint * 104729) % 20000
ORDER BY 4;

INSERT INTO notifications (recipient_id, actor_id, kind, post_id, created_at, read_at)
SELECT x.recipient, x.actor, x.kind, CASE WHEN x.kind <> 'follow' THEN x.post END, x.created,
       CASE WHEN x.created > '2026-05-30'::timestamptz AND x.r < 0.6 THEN NULL
            WHEN x.r2 < 0.003 THEN NULL
            ELSE least('2026-06-01'::timestamptz, x.created + x.r * interval '2 days') END
FROM (SELECT CASE WHEN random() < 0.7 THEN least({users}, floor(exp(random() * ln({users} + 1.0))))::int
                  ELSE 1 + floor(random() * {users})::int END AS recipient,
             1 + floor(random() * {users})::int AS actor,
             (ARRAY['like', 'like', 'like', 'like', 'like', 'follow', 'follow', 'reply', 'mention', 'repost'])[1 + floor(random() * 10)::int] AS kind,
             {posts} - floor({posts} * power(random(), 2))::bigint AS post,
             '2025-06-01'::timestamptz + (n::float / {notifications}) * interval '365 days' AS created, random() AS r, random() AS r2
      FROM generate_series(1, {notifications}) n) x;

-- conversation c is between cm.u1 (a power-law activity: a few users are in hundreds) and cm.u2 (uniform)
CREATE TEMP TABLE cm AS
SELECT c, u1, CASE WHEN u2 = u1 THEN u1 % {users} + 1 ELSE u2 END AS u2
FROM (SELECT c, 1 + ((floor({users} * power(((c * 2654435761) % 4294967296)::float8 / 4294967296.0, 2))::bigint + 777) * 2654435761 % {users})::int AS u1,
             1 + ((c * 40503 + 11) % {users})::int AS u2
      FROM generate_series(1, {conversations}::bigint) c) y;
ANALYZE cm;

INSERT INTO messages (id, conversation_id, sender_id, body, created_at)
SELECT g.m, g.c, CASE WHEN g.r < 0.5 THEN cm.u1 ELSE cm.u2 END, s.s,
       '2025-06-01'::timestamptz + (g.m::float / {messages}) * interval '365 days'
FROM (SELECT m, CASE WHEN random() < 0.5 THEN least({conversations}, floor(exp(random() * ln({conversations} + 1.0))))::bigint
                     ELSE 1 + floor(random() * {conversations})::bigint END AS c, random() AS r
      FROM generate_series(1, {messages}) m) g
JOIN cm ON cm.c = g.c JOIN sent s ON s.i = 1 + (g.m::bigint * 7907) % 20000;

INSERT INTO conversations (id, created_at, last_message_at)
SELECT cm.c, coalesce(a.first_at - interval '1 hour', '2025-05-01'::timestamptz), coalesce(a.last_at, '2025-05-01'::timestamptz)
FROM cm LEFT JOIN (SELECT conversation_id, min(created_at) AS first_at, max(created_at) AS last_at FROM messages GROUP BY 1) a
  ON a.conversation_id = cm.c;

INSERT INTO conversation_members (conversation_id, user_id, joined_at, last_read_at)
SELECT c.id, CASE WHEN j = 1 THEN cm.u1 ELSE cm.u2 END, c.created_at,
       CASE WHEN random() < 0.9 THEN c.last_message_at ELSE c.last_message_at - interval '1 hour' END
FROM conversations c JOIN cm ON cm.c = c.id, generate_series(1, 2) j;

INSERT INTO reports (post_id, reporter_id, reason, status, created_at, resolved_at, moderator_id)
SELECT x.post, x.reporter, x.reason, x.status, x.created,
       CASE WHEN x.status <> 'pending' THEN x.created + x.r * interval '3 days' END,
       CASE WHEN x.status <> 'pending' THEN 1 + floor(x.r * 500)::int END
FROM (SELECT y.*, CASE WHEN (y.created > '2026-05-29'::timestamptz AND y.r < 0.7) OR y.r2 < 0.002 THEN 'pending'
                       WHEN y.r < 0.6 THEN 'dismissed' ELSE 'actioned' END AS status
      FROM (SELECT {posts} - floor({posts} * power(random(), 2))::bigint AS post, 1 + floor(random() * {users})::int AS reporter,
                   (ARRAY['spam', 'spam', 'spam', 'spam', 'spam', 'abuse', 'abuse', 'misinformation', 'nudity', 'other'])[1 + floor(random() * 10)::int] AS reason,
                   '2025-06-01'::timestamptz + (n::float / {reports}) * interval '365 days' AS created, random() AS r, random() AS r2
            FROM generate_series(1, {reports}) n) y) x;
