"""Precision and recall per label on the migration corpus: dbarchitect's lint with its defaults (live catalog,
runner model from the file) and squawk on the same cases, in the same run, against what PostgreSQL 15 did.

    .venv/bin/python bench/migration_corpus/run.py --squawk /work/tools/squawk/node_modules/.bin/squawk

Each case: a fresh database with the corpus setup (a throwaway local cluster, the tests' spawner), the lint
reads its catalog and probes its rows (read-only), squawk reads the file, then the migration runs and
observe.py records the truth. Prints JSON (per label: precision, recall, tp/fp/fn) and the misses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import yaml

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from labels import lint_labels, score, squawk_labels  # noqa: E402
from observe import LABELS, observe  # noqa: E402

from dbarchitect.core.migration.engine import lint  # noqa: E402
from dbarchitect.live.postgres.cluster import LocalCluster  # noqa: E402
from dbarchitect.live.postgres.lint_context import build_lint_context  # noqa: E402


def _squawk(binary: str, sql: str) -> set[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as f:
        f.write(sql)
        f.flush()
        out = subprocess.run([binary, "--reporter", "json", "--pg-version", "15", f.name],
                             capture_output=True, text=True, timeout=60).stdout
    try:
        return {v["rule_name"] for v in json.loads(out or "[]")}
    except json.JSONDecodeError:
        return {"parse-error"} if out.strip() else set()


async def _lint(dsn: str, case, offline: bool = False) -> tuple[set[str], list[str]]:
    if offline:
        from dbarchitect.core.migration.context import LintContext

        ctx = LintContext()
    else:
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            ctx = await build_lint_context(conn, case["sql"])
    matviews = {n for n, f in ctx.relations.items() if f.kind == "materialized_view"}
    report = lint(case["sql"], context=ctx, runner=case.get("runner_argument"))
    return lint_labels(report, matviews), sorted({f.rule for f in report.findings})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT / "tests" / "fixtures" / "migration_corpus" / "cases.yaml"))
    ap.add_argument("--squawk", default="squawk")
    ap.add_argument("--offline", action="store_true", help="lint without the catalog (no connection)")
    args = ap.parse_args()
    corpus = yaml.safe_load(Path(args.corpus).read_text())
    try:
        version = subprocess.run([args.squawk, "--version"], capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:  # not installed: dbarchitect's scores alone, squawk's reported as missing
        version = None
    cluster = LocalCluster.temporary().start()
    rows = {"dbarchitect": [], "squawk": []}
    misses = []
    try:
        for i, (name, case) in enumerate(sorted(corpus["cases"].items())):
            db = f"c{i}"
            with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{db}"')
            dsn = psycopg.conninfo.make_conninfo(cluster.dsn(), dbname=db)
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(corpus["setup"] + "\n" + (case.get("setup") or ""))
            ours, rules = asyncio.run(_lint(dsn, case, args.offline))
            theirs = squawk_labels(_squawk(args.squawk, case["sql"])) if version is not None else set()
            truth, _notes = observe(dsn, case["sql"], case.get("runner", "transaction"))
            rows["dbarchitect"].append((truth, ours))
            rows["squawk"].append((truth, theirs))
            if ours != truth:
                misses.append({"case": name, "truth": sorted(truth), "dbarchitect": sorted(ours), "rules": rules})
    finally:
        cluster.stop()
    print(json.dumps({"cases": len(rows["dbarchitect"]), "squawk_version": version, "offline": args.offline,
                      "dbarchitect": score(rows["dbarchitect"], LABELS), "squawk": score(rows["squawk"], LABELS) if version is not None else None,
                      "dbarchitect_disagreements": misses}, indent=1))


if __name__ == "__main__":
    main()
