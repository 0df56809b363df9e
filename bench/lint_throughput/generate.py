"""Write a deterministic 10,000-statement migration mixing safe and dangerous DDL, DML and session commands."""

from __future__ import annotations

import sys
from pathlib import Path

TEMPLATES = [
    "CREATE TABLE t{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, "
    "created_at timestamptz DEFAULT now());",
    "ALTER TABLE orders ADD COLUMN c{i} integer;",
    "CREATE INDEX idx_{i} ON orders (customer_id, created_at);",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_c{i} ON orders (status);",
    "ALTER TABLE orders ALTER COLUMN c{i} TYPE bigint;",
    "ALTER TABLE users ADD CONSTRAINT fk_{i} FOREIGN KEY (org_id) REFERENCES orgs (id);",
    "UPDATE orders SET status = 'x' WHERE id < {i};",
    "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    "DROP INDEX idx_{i};",
    "ALTER TABLE users ADD COLUMN u{i} uuid DEFAULT gen_random_uuid();",
    "ALTER TABLE users ADD CONSTRAINT ck_{i} CHECK (age > 0) NOT VALID;",
    "ALTER TABLE users VALIDATE CONSTRAINT ck_{i};",
    "SET lock_timeout = '3s';",
    "ALTER TABLE users RENAME COLUMN n{i} TO m{i};",
    "CREATE TABLE p{i} (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), payload json);",
    "REFRESH MATERIALIZED VIEW daily_{i};",
]


def main(path: str, count: int = 10_000) -> None:
    lines = [TEMPLATES[i % len(TEMPLATES)].format(i=i) for i in range(count)]
    Path(path).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "migration_10k.sql")
