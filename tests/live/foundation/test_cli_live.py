"""The CLI against a real database: draft-migration, dry-run, review-schema, explain."""

import os
import subprocess
import sys


def run(pg, dsn, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DBARCHITECT_"))}
    env.update(DATABASE_URL=dsn, DBARCHITECT_SCRATCH_DSN=pg.dsn())
    return subprocess.run([sys.executable, "-m", "dbarchitect", *args], capture_output=True, text=True, env=env, timeout=180)


def test_draft_migration_from_files_with_a_rename(pg, tmp_path):
    old, new = tmp_path / "old.sql", tmp_path / "new.sql"
    old.write_text("CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);\n")
    new.write_text("CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, full_name text);\n")
    proc = run(pg, pg.dsn(), "draft-migration", "--target", str(new), "--from", str(old), "--rename", "users.name=full_name")
    assert proc.returncode == 0, proc.stderr
    assert "RENAME COLUMN name TO full_name" in proc.stdout and "converges: yes" in proc.stdout
    assert "DROP COLUMN" not in proc.stdout.split("-- down migration")[0]


def test_dry_run_and_review_schema_on_the_sample(pg, blog_dsn, tmp_path):
    up, down = tmp_path / "up.sql", tmp_path / "down.sql"
    up.write_text("ALTER TABLE comments ADD COLUMN edited_at timestamptz;\n")
    down.write_text("ALTER TABLE comments DROP COLUMN edited_at;\n")
    proc = run(pg, blog_dsn, "dry-run", str(up), "--down", str(down))
    assert proc.returncode == 0, proc.stderr
    assert "Dry run ran cleanly" in proc.stdout and "Reversible: up then down restored the schema exactly" in proc.stdout
    proc = run(pg, blog_dsn, "review-schema", "--min-severity", "warning", "--rules", "SD002,SD001", "--json")
    assert proc.returncode == 0, proc.stderr
    assert '"foreign-key-without-index"' in proc.stdout


def test_explain_with_analyze(pg, blog_dsn):
    proc = run(pg, blog_dsn, "explain", "SELECT * FROM comments WHERE post_id = 42", "--analyze")
    assert proc.returncode == 0, proc.stderr
    assert "PL008" in proc.stdout and "HypoPG" in proc.stdout


def test_recommend_indexes_from_the_command_line(pg, blog_dsn):
    proc = run(pg, blog_dsn, "recommend-indexes", "--query", "SELECT * FROM comments WHERE post_id = 17")
    assert proc.returncode == 0, proc.stderr
    assert "CREATE INDEX CONCURRENTLY comments_post_id_idx ON public.comments (post_id)" in proc.stdout
