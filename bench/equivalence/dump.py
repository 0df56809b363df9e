#!/usr/bin/env python
"""Dump what a refactoring must not change, as one JSON file: the migration lint on a fixed corpus
(offline, no catalog) and, with --tpch-dsn, the index advisor on TPC-H SF1's 22 queries.

Run it with the source tree under test first on PYTHONPATH; this script only needs to be importable
from any tree (it goes through the tool functions in `dbarchitect/tools/*.py` with an `App`, whose
names and parameters stay put while the modules behind them move):

  PYTHONPATH=/work/wt/base python bench/equivalence/dump.py --out before-lint.json
  PYTHONPATH=/work/wt/base python bench/equivalence/dump.py --no-lint --tpch-dsn "$(cat TPCH_DSN)" --out before-tpch.json
  PYTHONPATH=.             python bench/equivalence/dump.py --inputs-from before-lint.json --out after-lint.json
  python bench/equivalence/dump.py --compare before-lint.json after-lint.json     # = compare.py

Sections:
- `lint`: `tools.migration.lint_migration(app, sql, pg_version=…, assume_in_transaction=…, offline=True)`
  on every `*.sql` under tests/fixtures/migrations/ and every case of
  tests/fixtures/rules/migration/*.yaml (a case's `setup` and `timezone` need a catalog or a session
  and are not used offline; they are kept in the case's input for the record). Per entry: the input,
  the findings in the order the report gives them (every field: rule, code, statement, line,
  severity, message, fix, object, evidence), the per-statement predictions, parse_error, or the
  error the tool raised.
- `tpch`: `tools.index.recommend_indexes(app, queries=[q01 … q22 as written], connection="tpch")`
  with statement_timeout 60 s — the call bench/tpch/run.py makes (same queries, read the same way;
  default budget, no max_indexes; on a fresh `CREATE DATABASE … TEMPLATE` copy of the loaded
  database, dropped afterwards) — through the tool's App path. The whole IndexAdvice except its
  wall time (`elapsed_s`): recommendations with DDL, sizes, helps; rejected candidates with reasons;
  costs; costings. And `tpch.selection`, recorded around `dbarchitect.core.indexing.select.select`
  while it exists (None otherwise, or with --no-trace): every candidate's fate — picks, *all*
  rejections with their reasons in order (the tool lists 13 and counts the rest), sizes, costs — and
  the oracle's calls in order (`oracle_calls`; compare.py reports those as a trace, not a difference).

Determinism. The advisor iterates frozensets of pydantic models whose hashes, on Python < 3.12,
include hash(None) — an address, so set order changes with address-space randomisation, and with it
the order hypothetical indexes are created in (and so the planner's tie-breaks). The script
therefore re-executes itself under `setarch -R` (no ASLR) with PYTHONHASHSEED=0 unless
--no-reexec is given or setarch is missing (noted in `meta.deterministic`).
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
REEXEC_FLAG = "DBARCHITECT_EQUIV_REEXEC"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", help="the JSON file to write (stdout when omitted)")
    p.add_argument("--fixtures", default=str(REPO / "tests" / "fixtures"),
                   help="the tests/fixtures directory holding migrations/ and rules/migration/ (default: this tree's)")  # fmt: skip
    p.add_argument("--inputs-from", metavar="DUMP_JSON",
                   help="replay exactly the lint inputs and TPC-H queries recorded in an earlier dump")
    p.add_argument("--tpch-dsn", help="a loaded TPC-H SF1 database with HypoPG (bench/tpch/run.py --load-only)")
    p.add_argument("--copy-name", default="tpch1_equiv", help="the fresh copy the advisor runs on (dropped afterwards)")
    p.add_argument("--no-copy", action="store_true", help="run the advisor on --tpch-dsn itself, not on a fresh copy")
    p.add_argument("--tpch-queries", default=str(REPO / "bench" / "tpch" / "queries"))
    p.add_argument("--no-lint", action="store_true", help="skip the lint section")
    p.add_argument("--no-trace", action="store_true", help="do not record the core selection behind the TPC-H advice")
    p.add_argument("--no-reexec", action="store_true", help="do not re-execute under setarch -R / PYTHONHASHSEED=0")
    p.add_argument("--compare", nargs=2, metavar=("A", "B"), help="print the differences between two dumps")
    return p.parse_args(argv)


def reexec_deterministic() -> bool:
    """Re-execute this script without ASLR and with a fixed hash seed; returns False when it cannot
    (then the current process goes on)."""
    if os.environ.get(REEXEC_FLAG) or not shutil.which("setarch"):
        return False
    env = {**os.environ, REEXEC_FLAG: "1", "PYTHONHASHSEED": "0"}
    cmd = ["setarch", platform.machine(), "-R", sys.executable, *sys.argv]
    probe = subprocess.run(["setarch", platform.machine(), "-R", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return False
    raise SystemExit(subprocess.run(cmd, env=env, check=False).returncode)


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------


def lint_inputs(fixtures: Path) -> dict[str, dict]:
    """Every lint input of the corpus, keyed by a stable id, in a stable order."""
    import yaml

    out: dict[str, dict] = {}
    for path in sorted((fixtures / "migrations").rglob("*.sql")):
        rel = path.relative_to(fixtures).as_posix()
        out[rel] = {"sql": path.read_text(), "pg_version": None, "assume_in_transaction": False}
    for path in sorted((fixtures / "rules" / "migration").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        for name, case in (doc.get("cases") or {}).items():
            rel = f"rules/migration/{path.stem}:{name}"
            entry = {"sql": case["sql"], "pg_version": case.get("pg_version"),
                     "assume_in_transaction": bool(case.get("assume_in_transaction"))}  # fmt: skip
            unused = {k: case[k] for k in ("setup", "timezone") if case.get(k)}
            if unused:
                entry["not_used_offline"] = unused
            out[rel] = entry
    return out


def tpch_queries(directory: Path) -> list[dict]:
    """The 22 queries as bench/tpch/run.py reads them (stripped, without the final semicolon)."""
    return [{"name": Path(f).stem, "sql": Path(f).read_text().strip().rstrip(";")}
            for f in sorted(glob.glob(str(directory / "*.sql")))]  # fmt: skip


# --------------------------------------------------------------------------------------------
# the tools
# --------------------------------------------------------------------------------------------


def make_app(connections: dict[str, str], **limits):
    from dbarchitect.app import App
    from dbarchitect.config import load_settings

    return App(load_settings(env={}, extra_dsns=connections.items(), use_embedded_scratch=False, **limits))


async def close(app) -> None:
    if callable(getattr(app, "close", None)):
        await app.close()


def model(obj) -> dict:
    return obj.model_dump(mode="json") if hasattr(obj, "model_dump") else obj


async def dump_lint(inputs: dict[str, dict]) -> dict[str, dict]:
    from dbarchitect.tools.migration import lint_migration

    app = make_app({})
    out: dict[str, dict] = {}
    try:
        for key, inp in inputs.items():
            entry: dict = {"input": inp}
            try:
                runner = "transaction" if inp["assume_in_transaction"] else "autocommit"  # the tool's runner argument
                report = model(await lint_migration(app, sql=inp["sql"], pg_version=inp["pg_version"],
                                                    runner=runner, offline=True))  # fmt: skip
            except Exception as exc:  # noqa: BLE001 — a raised error is a result to compare too
                entry["error"] = f"{type(exc).__name__}: {exc}"
            else:
                entry["findings"] = report.get("findings", [])
                entry["statements"] = report.get("statements", [])
                for k in ("parse_error", "pg_version", "assume_in_transaction", "catalog"):
                    entry[k] = report.get(k)
            out[key] = entry
    finally:
        await close(app)
    return out


class SelectTrace:
    """Records the core greedy selection behind the tool, when `dbarchitect.core.indexing.select.select`
    exists: every candidate's fate (picks, all rejections with their reasons, in order — the tool lists
    only some), sizes, base and final costs, and the oracle's calls in order. Installed before the
    tools are imported (the advisor imports `select` by name)."""

    def __init__(self) -> None:
        self.runs: list[dict] = []
        self.installed = False
        try:
            import dbarchitect.core.indexing.select as mod
        except ImportError:
            return
        if not callable(getattr(mod, "select", None)):
            return
        self.installed = True
        original = mod.select
        runs = self.runs

        async def traced(*args, **kw):
            calls: list = []
            if "oracle" in kw:
                kw["oracle"] = _Recording(kw["oracle"], calls)
            elif len(args) >= 5:  # select(queries, shapes, cset, snapshot, oracle, ...)
                args = (*args[:4], _Recording(args[4], calls), *args[5:])
            sel = await original(*args, **kw)
            runs.append(selection_doc(sel, calls))
            return sel

        mod.select = traced


def _sigs(cands) -> list[str]:
    return sorted(c.signature for c in cands)


class _Recording:
    """The oracle, with each call and its answer appended to `calls` (only the methods it has)."""

    def __init__(self, oracle, calls: list) -> None:
        self._oracle, self._calls = oracle, calls
        if getattr(oracle, "rows", None) is not None:
            self.rows = self._rows

    async def cost(self, query, indexes):
        try:
            r = await self._oracle.cost(query, indexes)
        except Exception as exc:
            self._calls.append(["cost", query.id, _sigs(indexes), f"error: {exc}"])
            raise
        self._calls.append(["cost", query.id, _sigs(indexes), r.cost, _sigs(r.used)])
        return r

    async def size(self, candidate):
        try:
            r = await self._oracle.size(candidate)
        except Exception as exc:
            self._calls.append(["size", candidate.signature, f"error: {exc}"])
            raise
        self._calls.append(["size", candidate.signature, r])
        return r

    async def _rows(self, table, predicates):
        try:
            r = await self._oracle.rows(table, predicates)
        except Exception as exc:
            self._calls.append(["rows", table, list(predicates), f"error: {exc}"])
            raise
        self._calls.append(["rows", table, list(predicates), r])
        return r


def selection_doc(sel, calls: list) -> dict:
    def get(name, default):
        return getattr(sel, name, default)

    return {
        "picks": [{"index": p.candidate.signature, "size": p.size, "benefit": p.benefit, "charge": p.charge,
                   "helps": {q: list(v) for q, v in p.helps.items()}} for p in get("picks", [])],
        "rejected": [{"index": c.signature, "benefit": v[0], "reason": v[1]} for c, v in get("rejected", {}).items()],
        "risky": _sigs(get("risky", ())),
        "skipped": dict(get("skipped", {})),
        "costings": get("costings", None),
        "default_budget": get("default_budget", None),
        "base": dict(get("base", {})),
        "final": {q: {"cost": pc.cost, "used": _sigs(pc.used)} for q, pc in get("final", {}).items()},
        "sizes": {c.signature: s for c, s in get("sizes", {}).items()},
        "oracle_sizes": {c.signature: s for c, s in get("oracle_sizes", {}).items()},
        "dedup_sized": _sigs(get("dedup_sized", ())),
        "oracle_calls": calls,
    }  # fmt: skip


def fresh_copy(dsn: str, name: str) -> str:
    """`CREATE DATABASE name TEMPLATE <dsn's database>` (dropped first), as bench/tpch/run.py runs each
    advisor on a fresh copy: same data and pg_statistic, but zeroed pg_stat counters, so the write
    charge (pg_stat_user_tables) does not drift with the template's own history. Returns its DSN."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(dsn)
    template = params.get("dbname") or "tpch1"
    with psycopg.connect(make_conninfo(**{**params, "dbname": "postgres"}), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return make_conninfo(**{**params, "dbname": name})


def drop_copy(dsn: str, name: str) -> None:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    with psycopg.connect(make_conninfo(**{**conninfo_to_dict(dsn), "dbname": "postgres"}), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')


async def dump_tpch(dsn: str, queries: list[dict], trace: SelectTrace | None = None) -> dict:
    from dbarchitect.tools.index import recommend_indexes

    app = make_app({"tpch": dsn}, statement_timeout_ms=60_000)
    try:
        t0 = time.perf_counter()
        advice = model(await recommend_indexes(app, queries=[q["sql"] for q in queries], connection="tpch"))
        wall = time.perf_counter() - t0
        try:
            info = await app.db("tpch").info()
        except Exception:  # noqa: BLE001 — only for the record
            info = None
    finally:
        await close(app)
    advice.pop("elapsed_s", None)
    advice.pop("validation", None)
    return {"input": {"queries": queries}, "advice": advice,
            "summary": {"ddl": [r["ddl"] for r in advice.get("recommendations", [])],
                        "total_size_bytes": advice.get("total_size_bytes"),
                        "rejected": len(advice.get("rejected", []))},
            "server": getattr(info, "version", None), "wall_s": round(wall, 2),
            "selection": (trace.runs[0] if len(trace.runs) == 1 else {"runs": trace.runs})
            if trace and trace.installed else None}  # fmt: skip


def source_meta() -> dict:
    import dbarchitect

    root = Path(dbarchitect.__file__).resolve().parents[1]
    rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, check=False)  # fmt: skip
    return {"source_tree": str(root), "commit": rev.stdout.strip() or None, "dirty": bool(dirty.stdout.strip()),
            "python": platform.python_version(), "pythonhashseed": os.environ.get("PYTHONHASHSEED"),
            "deterministic": bool(os.environ.get(REEXEC_FLAG)),
            "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}  # fmt: skip


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.compare:
        sys.path.insert(0, str(HERE))
        from compare import main as compare_main

        raise SystemExit(compare_main(args.compare))
    if not args.no_reexec:
        reexec_deterministic()
    earlier = json.loads(Path(args.inputs_from).read_text()) if args.inputs_from else None
    doc: dict = {"meta": source_meta()}
    trace = SelectTrace() if args.tpch_dsn and not args.no_trace else None  # before any tool is imported
    if not args.no_lint:
        if earlier and earlier.get("lint"):
            inputs = {k: v["input"] for k, v in earlier["lint"].items()}
        else:
            inputs = lint_inputs(Path(args.fixtures))
        doc["lint"] = asyncio.run(dump_lint(inputs))
    if args.tpch_dsn:
        if earlier and earlier.get("tpch"):
            qs = earlier["tpch"]["input"]["queries"]
        else:
            qs = tpch_queries(Path(args.tpch_queries))
        target = args.tpch_dsn if args.no_copy else fresh_copy(args.tpch_dsn, args.copy_name)
        try:
            doc["tpch"] = asyncio.run(dump_tpch(target, qs, trace))
        finally:
            if not args.no_copy:
                drop_copy(args.tpch_dsn, args.copy_name)
    text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if args.out:
        Path(args.out).write_text(text)
        parts = ([f"{len(doc['lint'])} lint inputs"] if "lint" in doc else []) + (["TPC-H advice"] if "tpch" in doc else [])
        print(f"wrote {args.out}: {', '.join(parts) or 'nothing'}", file=sys.stderr)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
