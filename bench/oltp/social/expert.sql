-- The social workload's expert index set, written by hand before any advisor ran on this workload.
-- One line per index: the queries it serves and why this shape. (Locale C.UTF-8: a plain btree cannot serve LIKE 'x%'.)
-- login: the very expression compared; no deleted_at filter in the query (a deleted account must be told so), so not partial
CREATE INDEX users_lower_email ON users (lower(email));
-- profile_by_username (=) and mention_autocomplete (LIKE 'prefix%'): text_pattern_ops serves both operators; partial = live users
CREATE INDEX users_lower_username ON users (lower(username) text_pattern_ops) WHERE deleted_at IS NULL;
-- follower_list: the primary key leads with the follower; the reverse direction, newest first, follower_id carried for the join
CREATE INDEX follows_followee_created ON follows (followee_id, created_at, follower_id);
-- profile_timeline (row-comparison keyset, backward scan), media_tab (containment checked on the author's newest rows),
-- home_feed for a light follower (a few authors, each author's newest posts), the author foreign key
CREATE INDEX posts_author_created ON posts (author_id, created_at, id) WHERE deleted_at IS NULL;
-- home_feed for a heavy follower (walk the newest posts, probe the follow key), trending (last hour range),
-- hashtag_page and post_search for common tags/words (walk newest first until 20 match)
CREATE INDEX posts_created ON posts (created_at) WHERE deleted_at IS NULL;
-- sponsored_feed: the constant containment written in the SQL; 0.3 % of posts: tiny partial in the order the query reads
CREATE INDEX posts_sponsored ON posts (created_at) WHERE metadata @> '{"sponsored": true}' AND deleted_at IS NULL;
-- hashtag_page for a rare tag: array containment needs a GIN
CREATE INDEX posts_hashtags ON posts USING gin (hashtags);
-- post_search for a rare word: the query's own expression
CREATE INDEX posts_body_fts ON posts USING gin (to_tsvector('simple', body));
-- reply_thread: 85 % of posts are not replies: partial; oldest first within a thread
CREATE INDEX posts_reply_to ON posts (reply_to, created_at) WHERE reply_to IS NOT NULL;
-- like_count (index-only count per post), post_likers (newest likers without a sort), trending (likes per recent post)
CREATE INDEX likes_post_created ON likes (post_id, created_at);
-- post_comments: a post's live comments in page order
CREATE INDEX comments_post_created ON comments (post_id, created_at, id) WHERE deleted_at IS NULL;
-- notification_page: a recipient's newest; the recipient foreign key
CREATE INDEX notifications_recipient_created ON notifications (recipient_id, created_at);
-- unread_count and mark_notifications_read: the unread sliver (< 1 %) only: tiny, and the UPDATE leaves it
CREATE INDEX notifications_unread ON notifications (recipient_id) WHERE read_at IS NULL;
-- inbox: the primary key leads with the conversation; a user's memberships
CREATE INDEX conversation_members_user ON conversation_members (user_id);
-- dm_page: row-comparison keyset within a conversation, backward scan
CREATE INDEX messages_conversation_created ON messages (conversation_id, created_at, id);
-- moderation_queue: the pending sliver in queue order
CREATE INDEX reports_pending_queue ON reports (created_at) WHERE status = 'pending';
-- open_reports_on_post: pending reports of one post
CREATE INDEX reports_pending_post ON reports (post_id) WHERE status = 'pending';
-- Not indexed on purpose: follows (follower_id, …) and likes (user_id, …) are the primary keys (home_feed's follow list,
-- do_i_follow, did_i_like, unlike_post); a jsonb GIN on posts.metadata (media_tab narrows by author first, sponsored is a
-- partial); the foreign keys to users from comments / notifications.actor_id / messages.sender_id / reports.reporter_id
-- (users are soft-deleted, never deleted); conversations.last_message_at (the inbox sorts a user's few conversations).
