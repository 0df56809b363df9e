"""Benchmark: explain a 500-node plan (JSON and text), median of N runs. Target: < 100 ms.

    .venv/bin/python bench/plan_explain/bench.py [--runs 30] [--nodes 500]

The plan is built from the real plans of the test corpus (tests/fixtures/plans): their trees are
grafted under one Append until the node count is reached, so every kind of node the corpus holds
(parallel joins, spilling sorts and hashes, CTEs, InitPlans, memoize, bitmaps...) is in it and
every insight rule has work to do. The text form is the corpus's own text plans grafted the same
way, so both parsers are measured on PostgreSQL's real output.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dbarchitect.core.plan import explain_plan, parse_plan  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "plans"
_TOP = ("Planning", "Planning Time", "Execution Time", "Trigger", "JIT", "Settings", "Query Identifier",
        "  Functions", "  Options", "  Timing", "  Buffers", "  I/O Timings")  # fmt: skip


def _corpus() -> list[tuple[dict, str, int]]:
    out = []
    for path in sorted(CORPUS.glob("*.json")):
        if path.name.startswith("_"):
            continue
        doc = json.loads(path.read_text())
        text = path.with_suffix(".txt").read_text()
        out.append((doc[0]["Plan"], text, len(parse_plan(doc).nodes)))
    return out


def _text_subtree(text: str) -> list[str]:
    """The plan lines of a text plan (no top-level sections), re-indented as a child of an Append."""
    lines = []
    for i, line in enumerate(text.splitlines()):
        if not line.strip() or (i > 0 and line.startswith(_TOP)):
            continue
        lines.append(("  ->  " if i == 0 else "      ") + line)
    return lines


def build(nodes: int) -> tuple[list, str, int]:
    members: list[dict] = []
    text_lines: list[str] = []
    count = 1
    corpus = _corpus()
    i = 0
    while count < nodes:
        plan, text, size = corpus[i % len(corpus)]
        i += 1
        if count + size > nodes:
            fits = [c for c in corpus if count + c[2] <= nodes]
            if not fits:
                break
            plan, text, size = min(fits, key=lambda c: c[2])
        member = dict(plan)
        member["Parent Relationship"] = "Member"
        members.append(member)
        text_lines += _text_subtree(text)
        count += size
    total = sum(float(m.get("Actual Total Time", 0)) for m in members)
    cost = sum(float(m.get("Total Cost", 0)) for m in members)
    root = {"Node Type": "Append", "Parallel Aware": False, "Async Capable": False, "Startup Cost": 0.0,
            "Total Cost": round(cost, 2), "Plan Rows": 1, "Plan Width": 8, "Actual Startup Time": 0.0,
            "Actual Total Time": round(total, 3), "Actual Rows": 1, "Actual Loops": 1, "Plans": members}
    doc = [{"Plan": root, "Planning Time": 1.0, "Execution Time": round(total + 1, 3)}]
    header = (f"Append  (cost=0.00..{cost:.2f} rows=1 width=8) (actual time=0.000..{total:.3f} rows=1 loops=1)")
    text = "\n".join([header, *text_lines, "Planning Time: 1.000 ms", f"Execution Time: {total + 1:.3f} ms"]) + "\n"
    return doc, text, count


def measure(plan, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        explain_plan(plan)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--nodes", type=int, default=500)
    args = ap.parse_args()
    doc, text, count = build(args.nodes)
    pj, pt = parse_plan(doc), parse_plan(text)
    assert len(pj.nodes) == len(pt.nodes) == count, (len(pj.nodes), len(pt.nodes), count)
    explain_plan(doc)  # warm-up: imports, rule discovery, caches
    explain_plan(text)
    rj = explain_plan(doc)
    print(f"plan: {count} nodes, {len(json.dumps(doc)) // 1024} KiB JSON, {len(text) // 1024} KiB text; "
          f"{len(rj.insights)} insights, tree of {rj.tree_nodes_shown} lines")
    worst = 0.0
    for label, plan in (("json", doc), ("text", text), ("json (string)", json.dumps(doc))):
        t = measure(plan, args.runs)
        med = statistics.median(t)
        worst = max(worst, med)
        print(f"{label:14s} median {med:6.1f} ms   p90 {sorted(t)[int(0.9 * (len(t) - 1))]:6.1f} ms   "
              f"min {min(t):6.1f} ms   ({args.runs} runs)")
    print(f"target < 100 ms median: {'met' if worst < 100 else 'MISSED'}")
    return 0 if worst < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
