-- dbarchitect sample: a small blog with generated rows and a few deliberate design mistakes
-- that an architect should catch (marked "MISTAKE"). Used by `make demo`, `serve --embedded`
-- and the tests.
SET client_min_messages = warning;

CREATE TABLE users (
    id            serial PRIMARY KEY,                       -- MISTAKE: serial int4 instead of bigint identity
    email         varchar(255) NOT NULL UNIQUE,             -- MISTAKE: case-sensitive uniqueness on email
    username      varchar(50)  NOT NULL UNIQUE,
    display_name  text,
    status        text NOT NULL DEFAULT 'active',           -- MISTAKE: status text without CHECK or enum
    created_at    timestamp NOT NULL DEFAULT now(),         -- MISTAKE: timestamp without time zone
    updated_at    timestamptz NOT NULL DEFAULT now(),       -- MISTAKE: no trigger keeps it current
    deleted_at    timestamptz
);

CREATE TABLE posts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title         text NOT NULL,
    body          text NOT NULL,
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    published_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX posts_user_id_idx ON posts (user_id);
CREATE INDEX posts_user_id_created_idx ON posts (user_id, created_at);   -- MISTAKE: makes posts_user_id_idx redundant

CREATE TABLE tags (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  text NOT NULL UNIQUE
);

CREATE TABLE post_tags (
    post_id  bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id   bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,  -- MISTAKE: no index leads with tag_id
    PRIMARY KEY (post_id, tag_id)
);

CREATE TABLE comments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id     bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,  -- MISTAKE: FK without an index
    user_id     integer REFERENCES users (id),                            -- MISTAKE: FK without an index
    body        text NOT NULL,
    metadata    json,                                                     -- MISTAKE: json instead of jsonb
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (                                                  -- MISTAKE: no primary key, no constraints
    happened_at  timestamp,
    actor        text,
    action       text,
    details      text
);

COMMENT ON TABLE posts IS 'Blog posts; status moves draft -> published -> archived.';

SELECT setseed(0.42);

INSERT INTO users (email, username, display_name, status, created_at)
SELECT format('user%s@example.com', g), format('user%s', g), format('User %s', g),
       CASE WHEN g % 50 = 0 THEN 'banned' WHEN g % 10 = 0 THEN 'inactive' ELSE 'active' END,
       timestamp '2024-01-01' + g * interval '37 minutes'
  FROM generate_series(1, 2000) g;

INSERT INTO posts (user_id, title, body, status, published_at, created_at)
SELECT 1 + (g * 7919) % 2000, format('Post number %s', g), repeat('lorem ipsum ', 20 + g % 30),
       CASE WHEN g % 5 = 0 THEN 'draft' WHEN g % 17 = 0 THEN 'archived' ELSE 'published' END,
       CASE WHEN g % 5 <> 0 THEN timestamptz '2024-02-01' + g * interval '13 minutes' END,
       timestamptz '2024-02-01' + g * interval '13 minutes'
  FROM generate_series(1, 20000) g;

INSERT INTO tags (name) SELECT format('tag-%s', g) FROM generate_series(1, 50) g;

INSERT INTO post_tags (post_id, tag_id)
SELECT DISTINCT p, 1 + (p * k * 31) % 50 FROM generate_series(1, 20000) p, generate_series(1, 2) k;

INSERT INTO comments (post_id, user_id, body, metadata, created_at)
SELECT 1 + (g::bigint * 104729) % 20000, 1 + (g * 31) % 2000, format('Comment %s', g),
       json_build_object('client', CASE WHEN g % 3 = 0 THEN 'web' ELSE 'app' END),
       timestamptz '2024-03-01' + g * interval '2 minutes'
  FROM generate_series(1, 60000) g;

INSERT INTO audit_log SELECT now() - g * interval '1 hour', 'system', 'login', NULL FROM generate_series(1, 500) g;

ANALYZE;
