"""`dbarchitect lint-migration` works like a CI linter: exit codes and machine formats."""

import json
import subprocess
import sys


def run(tmp_path, sql, *args):
    f = tmp_path / "m.sql"
    f.write_text(sql)
    return subprocess.run(
        [sys.executable, "-m", "dbarchitect", "lint-migration", str(f), *args], capture_output=True, text=True, timeout=60
    )


def test_error_finding_exits_1_with_fix(tmp_path):
    proc = run(tmp_path, "CREATE INDEX i ON orders (customer_id);\n")
    assert proc.returncode == 1
    assert "MG012 create-index-non-concurrently" in proc.stdout and "CREATE INDEX CONCURRENTLY" in proc.stdout


def test_safe_migration_exits_0(tmp_path):
    # CONCURRENTLY needs a runner without a transaction: the argument or a marker in the file says so
    sql = "SET lock_timeout = '3s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (customer_id);\n"
    proc = run(tmp_path, sql, "--runner", "autocommit")
    assert proc.returncode == 0, proc.stdout
    assert run(tmp_path, "-- +goose NO TRANSACTION\n" + sql).returncode == 0
    proc = run(tmp_path, sql)  # the default runner wraps the file in a transaction: CONCURRENTLY fails there
    assert proc.returncode == 1 and "non-transactional-in-transaction" in proc.stdout


def test_json_sarif_github(tmp_path):
    sql = "ALTER TABLE orders ADD COLUMN x int DEFAULT random();\n"
    data = json.loads(run(tmp_path, sql, "--format", "json").stdout)
    assert data[0]["statements"][0]["rewrites"] == ["public.orders"]
    sarif = json.loads(run(tmp_path, sql, "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    gh = run(tmp_path, sql, "--format", "github").stdout
    assert gh.startswith("::error file=") and "line=1" in gh


def test_version_gate(tmp_path):
    sql = "SET lock_timeout = '3s';\nALTER TABLE orders ADD COLUMN x int NOT NULL DEFAULT 0;\n"
    assert run(tmp_path, sql, "--pg-version", "10").returncode == 1  # rewrites before PostgreSQL 11
    assert run(tmp_path, sql, "--pg-version", "15").returncode == 0


def test_unreadable_file_and_bad_version(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "dbarchitect", "lint-migration", str(tmp_path / "nope.sql")],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 2 and "cannot read" in proc.stderr
    proc = run(tmp_path, "SELECT 1;", "--pg-version", "9")
    assert proc.returncode == 2 and "error:" in proc.stderr


PLAN = """ Sort  (cost=1456.90..1456.91 rows=3 width=27) (actual time=14.2..14.2 rows=3 loops=1)
   Sort Key: c.created_at
   ->  Seq Scan on comments c  (cost=0.00..1456.88 rows=3 width=27) (actual time=0.1..14.1 rows=3 loops=1)
         Filter: (post_id = 9798)
         Rows Removed by Filter: 59997
 Planning Time: 0.4 ms
 Execution Time: 14.3 ms
"""


def test_explain_plan_from_a_file_offline(tmp_path):
    f = tmp_path / "plan.txt"
    f.write_text(PLAN)
    proc = subprocess.run([sys.executable, "-m", "dbarchitect", "explain-plan", f"@{f}"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "PL008" in proc.stdout and "CREATE INDEX CONCURRENTLY ON comments (post_id)" in proc.stdout
