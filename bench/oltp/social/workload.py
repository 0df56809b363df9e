"""The social workload: a social / content platform (users with soft delete, a follow graph with a few
celebrities followed by a large share of everyone, posts with hashtags (text[]), jsonb metadata and
replies (a self-reference, NULL on most rows), comments, likes, notifications with an unread sliver,
direct-message conversations, moderation reports). Written as an out-of-sample test of the index
advisor (issue 16): its query kinds are the ones the other workloads barely have — a feed that joins
through the follow graph and keeps the newest 20, both directions of two junction tables (only one of
them is the primary key), row-comparison keyset pages, a prefix LIKE on an expression for @-mention
autocomplete, array containment on tags, a trending aggregate over the last hour, a jsonb containment
written as a constant in the SQL, existence checks the primary key already serves.

Each query is what the application sends, with $n parameters and a traffic weight (relative calls
per unit of time). `draw` picks the parameters from the loaded data with a seeded random generator:
a common and a rare value where the distribution is skewed (celebrity and ordinary user, viral and
old post, popular and rare tag or word), the absent key for lookups. The data's "now" is
2026-06-01 00:00 UTC."""

from __future__ import annotations

from bench.oltp.common import Draw, Query

NOW = "2026-06-01 00:00:00+00"
AFTER_NOW = "2026-06-01 00:00:01+00"  # the cursor of a first page


def sizes(scale: float) -> dict:
    return {"scale": scale, "users": max(5000, round(500_000 * scale)), "follows": max(40_000, round(3_000_000 * scale)),
            "posts": max(20_000, round(1_200_000 * scale)), "likes": max(40_000, round(3_000_000 * scale)),
            "comments": max(10_000, round(1_000_000 * scale)), "notifications": max(20_000, round(1_600_000 * scale)),
            "conversations": max(2000, round(150_000 * scale)), "messages": max(15_000, round(1_200_000 * scale)),
            "reports": max(3000, round(200_000 * scale))}  # fmt: skip


def permuted(d: Draw, rank: int, shift: int) -> int:
    """The user id generate.sql gives activity rank `rank` (0 = the most active) of a power-law draw."""
    u = d.sizes["users"]
    return 1 + (rank + shift) * 2654435761 % u


def celebrity(d: Draw) -> int:
    return d.one("SELECT id FROM users WHERE id <= 5 AND deleted_at IS NULL ORDER BY id", pick=True)


def ordinary(d: Draw) -> int:
    """A live user of the long tail (a handful of followers, posts and notifications)."""
    u = d.sizes["users"]
    return d.one("SELECT id FROM users WHERE id BETWEEN $1 AND $1 + 30 AND deleted_at IS NULL ORDER BY id",
                 d.rng.randint(u // 2, u - 31), pick=True)  # fmt: skip


def ordinary_author(d: Draw) -> int:
    u = d.sizes["users"]
    return d.one("SELECT author_id FROM posts WHERE id BETWEEN $1 AND $1 + 200 AND author_id > $2 AND deleted_at IS NULL ORDER BY id",
                 d.rng.randint(1, d.sizes["posts"] - 201), u // 2, pick=True)  # fmt: skip


def heavy_follower(d: Draw) -> int:
    return permuted(d, d.rng.randint(0, 3), 12345)


def light_follower(d: Draw) -> int:
    return d.one("SELECT follower_id FROM follows WHERE follower_id = $1 LIMIT 1",
                 permuted(d, d.rng.randint(d.sizes["users"] // 2, d.sizes["users"] - 1), 12345))  # fmt: skip


def user_row(d: Draw):
    u = d.sizes["users"]
    return d.row("SELECT id, username, email FROM users WHERE id >= $1 AND deleted_at IS NULL ORDER BY id LIMIT 1", d.rng.randint(1, u - 100))


def timeline_cursor(d: Draw, author: int, offset: int):
    row = d.row("SELECT created_at, id FROM posts WHERE author_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC "
                "OFFSET $2 LIMIT 1", author, offset)  # fmt: skip
    return (author, d.timestamp(row[0]), row[1]) if row else (author, AFTER_NOW, 0)


def new_post(d: Draw) -> int:
    """One of the newest posts (recency-skewed likes and comments: thousands each)."""
    return d.sizes["posts"] - d.rng.randint(0, 50)


def old_post(d: Draw) -> int:
    return d.rng.randint(1, d.sizes["posts"] // 10)


def viral_post(d: Draw) -> int:
    top = d.sizes["posts"] // 5000
    return 5000 * d.rng.randint(max(1, top - 5), top - 1)


def quiet_parent(d: Draw) -> int:
    return d.one("SELECT reply_to FROM posts WHERE id > $1 AND reply_to IS NOT NULL AND reply_to % 5000 <> 0 ORDER BY id LIMIT 20",
                 d.rng.randint(10_000, d.sizes["posts"] - 2000), pick=True)  # fmt: skip


def dm_cursor(d: Draw, conversation: int, offset: int):
    row = d.row("SELECT created_at, id FROM messages WHERE conversation_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1",
                conversation, offset)  # fmt: skip
    return (conversation, d.timestamp(row[0]), row[1]) if row else (conversation, AFTER_NOW, 0)


def quiet_conversation(d: Draw) -> int:
    c = d.sizes["conversations"]
    return d.one("SELECT conversation_id FROM messages WHERE id BETWEEN $1 AND $1 + 100 AND conversation_id > $2 ORDER BY id",
                 d.rng.randint(1, d.sizes["messages"] - 101), c // 2, pick=True)  # fmt: skip


def not_liked(d: Draw, user: int) -> tuple:
    p = d.one("SELECT p FROM generate_series($2::bigint - 40, $2::bigint) p WHERE NOT EXISTS "
              "(SELECT 1 FROM likes WHERE user_id = $1 AND post_id = p) ORDER BY p", user, d.sizes["posts"], pick=True)  # fmt: skip
    return (user, p)


def feed_ids(d: Draw, user: int) -> str:
    """20 recent post ids, one of them one the user liked (when there is one)."""
    p = d.sizes["posts"]
    ids = [p - d.rng.randint(0, 3000) for _ in range(19)]
    liked = d.row("SELECT max(post_id) FROM likes WHERE user_id = $1", user)[0]
    return "{" + ",".join(str(i) for i in ids + [liked or p]) + "}"


QUERIES = [
    # --- accounts
    Query("login", 30, "SELECT id, username, deleted_at FROM users WHERE lower(email) = lower($1) LIMIT 1",
          lambda d: [("existing", (user_row(d)[2].upper(),)),
                     ("absent", ("nobody.%d@nowhere.example.com" % d.rng.randint(1, 10**6),))]),
    Query("profile_by_username", 150,
          "SELECT id, username, display_name, bio, created_at FROM users WHERE lower(username) = lower($1) AND deleted_at IS NULL LIMIT 1",
          lambda d: [("existing", (user_row(d)[1].lower(),)), ("absent", ("no_such_user_%d" % d.rng.randint(1, 10**6),))]),
    Query("mention_autocomplete", 60,
          "SELECT id, username, display_name FROM users WHERE lower(username) LIKE $1 AND deleted_at IS NULL "
          "ORDER BY lower(username) LIMIT 10",
          lambda d: [("common prefix", (d.word(1, 2) + "_%",)), ("rare prefix", (d.word(1500, 3000) + "_%",))]),
    # --- the follow graph
    Query("home_feed", 300,
          "SELECT p.id, p.author_id, p.body, p.created_at FROM follows f JOIN posts p ON p.author_id = f.followee_id "
          "WHERE f.follower_id = $1 AND p.deleted_at IS NULL AND p.status = 'published' AND p.visibility <> 'private' "
          "ORDER BY p.created_at DESC LIMIT 20",
          lambda d: [("heavy follower", (heavy_follower(d),)), ("light follower", (light_follower(d),))]),
    Query("profile_timeline", 200,
          "SELECT id, body, hashtags, created_at FROM posts WHERE author_id = $1 AND deleted_at IS NULL "
          "AND (created_at, id) < ($2::timestamptz, $3) ORDER BY created_at DESC, id DESC LIMIT 20",
          lambda d: [("celebrity, page 3", timeline_cursor(d, celebrity(d), 39)),
                     ("ordinary author, first page", (ordinary_author(d), AFTER_NOW, 0))]),
    Query("follower_list", 40,
          "SELECT f.follower_id, u.username, u.display_name, f.created_at FROM follows f JOIN users u ON u.id = f.follower_id "
          "WHERE f.followee_id = $1 ORDER BY f.created_at DESC LIMIT 50",
          lambda d: [("celebrity", (celebrity(d),)), ("ordinary user", (ordinary(d),))]),
    Query("do_i_follow", 250, "SELECT EXISTS (SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2)",
          lambda d: [("follows a celebrity", (heavy_follower(d), 1)), ("does not follow", (light_follower(d), ordinary(d)))]),
    # --- likes
    Query("like_count", 250, "SELECT count(*) FROM likes WHERE post_id = $1",
          lambda d: [("new post", (new_post(d),)), ("old post", (old_post(d),))]),
    Query("did_i_like", 250, "SELECT post_id FROM likes WHERE user_id = $1 AND post_id = ANY($2::bigint[])",
          lambda d: [("active user, a feed page", (lambda u: (u, feed_ids(d, u)))(permuted(d, d.rng.randint(0, 3), 999))),
                     ("ordinary user, a feed page", (lambda u: (u, feed_ids(d, u)))(ordinary(d)))]),
    Query("post_likers", 20,
          "SELECT l.user_id, u.username FROM likes l JOIN users u ON u.id = l.user_id WHERE l.post_id = $1 "
          "ORDER BY l.created_at DESC LIMIT 30",
          lambda d: [("new post", (new_post(d),)), ("old post", (old_post(d),))]),
    # --- notifications
    Query("unread_count", 300, "SELECT count(*) FROM notifications WHERE recipient_id = $1 AND read_at IS NULL",
          lambda d: [("celebrity", (celebrity(d),)), ("ordinary user", (ordinary(d),))]),
    Query("notification_page", 80,
          "SELECT id, actor_id, kind, post_id, created_at, read_at FROM notifications WHERE recipient_id = $1 "
          "ORDER BY created_at DESC LIMIT 20",
          lambda d: [("celebrity", (celebrity(d),)), ("ordinary user", (ordinary(d),))]),
    # --- discovery
    Query("hashtag_page", 60,
          "SELECT id, author_id, body, created_at FROM posts WHERE hashtags @> ARRAY[$1]::text[] AND visibility = 'public' "
          "AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 20",
          lambda d: [("popular tag", (d.word(1, 2),)), ("rare tag", (d.word(2500, 3000),))]),
    Query("trending", 20,
          "SELECT p.id, p.author_id, count(*) AS likes FROM posts p JOIN likes l ON l.post_id = p.id "
          "WHERE p.created_at >= $1::timestamptz AND p.visibility = 'public' AND p.deleted_at IS NULL "
          "GROUP BY p.id, p.author_id ORDER BY likes DESC LIMIT 20",
          lambda d: [("last hour", ("2026-05-31 23:00:00+00",))]),
    Query("reply_thread", 50,
          "SELECT id, author_id, body, created_at FROM posts WHERE reply_to = $1 AND deleted_at IS NULL ORDER BY created_at LIMIT 50",
          lambda d: [("viral post", (viral_post(d),)), ("quiet post", (quiet_parent(d),))]),
    Query("post_comments", 100,
          "SELECT c.id, c.author_id, u.username, c.body, c.created_at FROM comments c JOIN users u ON u.id = c.author_id "
          "WHERE c.post_id = $1 AND c.deleted_at IS NULL ORDER BY c.created_at, c.id LIMIT 50",
          lambda d: [("new post", (new_post(d),)),
                     ("old post", (d.one("SELECT post_id FROM comments WHERE id <= 2000 ORDER BY id", pick=True),))]),
    Query("post_search", 20,
          "SELECT id, author_id, created_at FROM posts WHERE to_tsvector('simple', body) @@ plainto_tsquery('simple', $1) "
          "AND visibility = 'public' AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 20",
          lambda d: [("common word", (d.word(1, 5),)), ("rare word", (d.word(2500, 4000),))]),
    Query("sponsored_feed", 30,
          "SELECT id, author_id, body, metadata FROM posts WHERE metadata @> '{\"sponsored\": true}' AND deleted_at IS NULL "
          "AND created_at >= $1::timestamptz ORDER BY created_at DESC LIMIT 10",
          lambda d: [("last week", ("2026-05-25 00:00:00+00",))]),
    Query("media_tab", 40,
          "SELECT id, body, metadata, created_at FROM posts WHERE author_id = $1 AND metadata @> $2::jsonb AND deleted_at IS NULL "
          "ORDER BY created_at DESC LIMIT 20",
          lambda d: [("celebrity, media", (celebrity(d), '{"media": true}')),
                     ("ordinary author, polls", (ordinary_author(d), '{"poll": {}}'))]),
    # --- moderation
    Query("moderation_queue", 15,
          "SELECT id, post_id, reporter_id, reason, created_at FROM reports WHERE status = 'pending' ORDER BY created_at LIMIT 50",
          lambda d: [("oldest first", ())]),
    Query("open_reports_on_post", 10, "SELECT count(*) FROM reports WHERE post_id = $1 AND status = 'pending'",
          lambda d: [("reported post", (d.one("SELECT post_id FROM reports WHERE status = 'pending' ORDER BY id DESC LIMIT 20", pick=True),)),
                     ("clean post", (old_post(d),))]),
    # --- direct messages
    Query("inbox", 80,
          "SELECT c.id, c.last_message_at, m.last_read_at FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id "
          "WHERE m.user_id = $1 ORDER BY c.last_message_at DESC LIMIT 20",
          lambda d: [("busy user", (permuted(d, d.rng.randint(0, 3), 777),)),
                     ("quiet user", (d.one("SELECT user_id FROM conversation_members WHERE conversation_id = $1 ORDER BY user_id",
                                           quiet_conversation(d), pick=True),))]),
    Query("dm_page", 120,
          "SELECT id, sender_id, body, created_at FROM messages WHERE conversation_id = $1 AND (created_at, id) < ($2::timestamptz, $3) "
          "ORDER BY created_at DESC, id DESC LIMIT 30",
          lambda d: [("busy conversation, page 3", dm_cursor(d, 1, 59)),
                     ("quiet conversation, first page", (quiet_conversation(d), AFTER_NOW, 0))]),
    # --- writes (each pays for the indexes of its table)
    Query("create_post", 40,
          "INSERT INTO posts (author_id, created_at, visibility, status, body, hashtags, metadata) "
          "VALUES ($1, now(), 'public', 'published', $2, $3::text[], $4::jsonb)",
          lambda d: [("new", (ordinary(d), "a new post about " + d.word(1, 60), "{%s}" % d.word(1, 30),
                              '{"client": "ios", "lang": "en"}'))]),
    Query("like_post", 150, "INSERT INTO likes (user_id, post_id, created_at) VALUES ($1, $2, now())",
          lambda d: [("new", not_liked(d, ordinary(d)))]),
    Query("unlike_post", 30, "DELETE FROM likes WHERE user_id = $1 AND post_id = $2",
          lambda d: [("existing", d.row("SELECT user_id, post_id FROM likes WHERE user_id = $1 ORDER BY post_id DESC LIMIT 1",
                                        permuted(d, d.rng.randint(0, 3), 999)))]),
    Query("mark_notifications_read", 60,
          "UPDATE notifications SET read_at = now() WHERE recipient_id = $1 AND read_at IS NULL",
          lambda d: [("celebrity", (celebrity(d),)), ("ordinary user", (ordinary(d),))]),
    Query("send_message", 60,
          "INSERT INTO messages (conversation_id, sender_id, body, created_at) VALUES ($1, $2, $3, now())",
          lambda d: [("new", (1, d.one("SELECT user_id FROM conversation_members WHERE conversation_id = 1 ORDER BY user_id LIMIT 1"),
                              "see you " + d.word(1, 60)))]),
]
