"""Fixtures for the dry-run tests: a target database with rows, and a no-residue check."""

import anyio
import pytest

from dbarchitect.live.postgres.shadow import list_shadows

SETUP = """
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email varchar(50) NOT NULL UNIQUE,
  nick varchar(30),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'banned')),
  n int,
  score positive_int,
  mood mood NOT NULL,
  created timestamp NOT NULL DEFAULT '2024-01-01'
);
CREATE INDEX users_n_idx ON users (n);
CREATE TABLE orders (
  id serial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  total numeric(10, 2) CHECK (total > 0),
  note text
);
CREATE TABLE order_lines (
  order_id int NOT NULL REFERENCES orders (id),
  line int NOT NULL,
  qty int NOT NULL CHECK (qty BETWEEN 4 AND 5),
  PRIMARY KEY (order_id, line)
);
CREATE VIEW active_users AS SELECT id, email FROM users WHERE status = 'active';
CREATE MATERIALIZED VIEW order_totals AS SELECT user_id, sum(total) AS total FROM orders GROUP BY user_id;
CREATE UNIQUE INDEX order_totals_user ON order_totals (user_id);
INSERT INTO users (email, mood, n) SELECT 'u' || g || '@x', 'ok', g FROM generate_series(1, 20) g;
INSERT INTO orders (user_id, total) SELECT 1 + g % 20, g FROM generate_series(1, 50) g;
ANALYZE;
"""


@pytest.fixture(scope="module")
def target(pg) -> str:
    """A target database with real rows; the dry runs copy its schema and must never change it."""
    return pg.create_db(SETUP)


@pytest.fixture
def no_shadows_left(pg):
    """Fails the test when a shadow database survives it."""
    yield
    left = anyio.run(list_shadows, pg.dsn())
    assert left == [], f"shadow databases left behind: {left}"
