#!/usr/bin/env python
"""Print the differences between two dumps of bench/equivalence/dump.py; exit 1 when they differ.

  python bench/equivalence/compare.py BEFORE.json AFTER.json [--show N] [--strict-fields]

Compared: every lint entry (by id) and the TPC-H section, value by value, lists in order (the order
of findings, picks and rejections is part of the behaviour). Reported separately and not counted as
a difference unless --strict-fields: a field present on one side only (a model that gained or lost
a field). `meta` (source tree, commit, time) and the TPC-H wall time are never compared. An entry
whose *input* differs between the two dumps is reported as such (rerun the second dump with
--inputs-from the first to compare like with like).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NOT_COMPARED = {("tpch", "wall_s"), ("tpch", "server")}
TRACE = "tpch.selection.oracle_calls"  # the order of the oracle's calls: reported, not counted unless --strict-trace


def walk(a, b, path: str, diffs: list, fields: list) -> None:
    """Differences between a and b: (path, a, b) into diffs, (path, side) for one-sided fields into fields."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(a.keys() | b.keys(), key=str):
            p = f"{path}.{k}"
            if k not in b:
                fields.append((p, "only in A"))
            elif k not in a:
                fields.append((p, "only in B"))
            else:
                walk(a[k], b[k], p, diffs, fields)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            diffs.append((f"{path} (length {len(a)} vs {len(b)})", a, b))
            return
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}[{i}]", diffs, fields)
    elif a != b or type(a) is not type(b):
        diffs.append((path, a, b))


def short(v, n: int = 400) -> str:
    s = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return s if len(s) <= n else s[: n - 1] + "…"


def compare(a: dict, b: dict) -> tuple[list, list, list]:
    """(entries missing on one side, value differences, one-sided fields), each as printable tuples."""
    missing, diffs, fields = [], [], []
    for section in ("lint", "tpch"):
        if section not in a and section not in b:
            continue
        if section not in a or section not in b:
            missing.append((section, "A" if section not in a else "B"))
            continue
        if section == "lint":
            for key in sorted(a["lint"].keys() | b["lint"].keys()):
                if key not in b["lint"]:
                    missing.append((f"lint[{key}]", "B"))
                elif key not in a["lint"]:
                    missing.append((f"lint[{key}]", "A"))
                else:
                    walk(a["lint"][key], b["lint"][key], f"lint[{key}]", diffs, fields)
        else:
            x = {k: v for k, v in a["tpch"].items() if ("tpch", k) not in NOT_COMPARED}
            y = {k: v for k, v in b["tpch"].items() if ("tpch", k) not in NOT_COMPARED}
            walk(x, y, "tpch", diffs, fields)
    return missing, diffs, fields


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--show", type=int, default=40, help="print at most this many differences (default 40)")
    p.add_argument("--strict-fields", action="store_true", help="count one-sided fields as differences")
    p.add_argument("--strict-trace", action="store_true", help="count differences in the oracle's call sequence")
    args = p.parse_args(argv)
    a, b = (json.loads(Path(f).read_text()) for f in (args.a, args.b))
    missing, diffs, fields = compare(a, b)
    for name, doc in (("A", a), ("B", b)):
        m = doc.get("meta", {})
        print(f"{name}: {m.get('source_tree')} @ {m.get('commit')}{' (dirty)' if m.get('dirty') else ''}, "
              f"deterministic={m.get('deterministic')}, lint entries {len(doc.get('lint', {}))}, "
              f"tpch {'yes' if 'tpch' in doc else 'no'}")  # fmt: skip
    for where, side in missing:
        print(f"MISSING in {side}: {where}")
    trace = [d for d in diffs if d[0].startswith(TRACE)]
    diffs = [d for d in diffs if not d[0].startswith(TRACE)]
    inputs = [d for d in diffs if ".input" in d[0]]
    for path, _x, _y in inputs:
        print(f"INPUT differs: {path}")
    for path, x, y in [d for d in diffs if ".input" not in d[0]][: args.show]:
        print(f"DIFF {path}\n  A: {short(x)}\n  B: {short(y)}")
    if len(diffs) - len(inputs) > args.show:
        print(f"… {len(diffs) - len(inputs) - args.show} more differences")
    for path, x, y in trace[:3]:
        print(f"TRACE {path}\n  A: {short(x)}\n  B: {short(y)}")
    for path, side in fields[: args.show]:
        print(f"FIELD {path}: {side}")
    if len(fields) > args.show:
        print(f"… {len(fields) - args.show} more one-sided fields")
    if "tpch" in a and "tpch" in b:
        sa, sb = a["tpch"].get("summary", {}), b["tpch"].get("summary", {})
        print(f"TPC-H: A {len(sa.get('ddl', []))} picks, {sa.get('total_size_bytes')} bytes, {sa.get('rejected')} rejected; "
              f"B {len(sb.get('ddl', []))} picks, {sb.get('total_size_bytes')} bytes, {sb.get('rejected')} rejected")  # fmt: skip
    failing = len(missing) + len(diffs) + (len(fields) if args.strict_fields else 0) + (len(trace) if args.strict_trace else 0)
    print(f"{'IDENTICAL' if failing == 0 else 'DIFFERENT'}: {len(missing)} missing entries, "
          f"{len(diffs) - len(inputs)} value differences, {len(inputs)} input differences, "
          f"{len(fields)} one-sided fields{' (counted)' if args.strict_fields else ' (not counted)'}, "
          f"{len(trace)} oracle-call trace differences{' (counted)' if args.strict_trace else ' (not counted)'}")  # fmt: skip
    return 0 if failing == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
