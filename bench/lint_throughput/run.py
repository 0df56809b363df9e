"""Time dbarchitect's offline lint against squawk-cli on the same 10,000-statement file, in the same run.

Both run as fresh processes (interpreter/binary start-up included) writing their text report to a
pipe; each is run --repeat times and the median wall time is compared.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent


def _time(cmd: list[str]) -> tuple[float, int, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - start, proc.returncode, len(proc.stdout.splitlines())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--statements", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    squawk = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    if not Path(squawk).exists():
        sys.exit("squawk not found: pip install squawk-cli (bench only)")
    sys.path.insert(0, str(HERE))
    from generate import main as generate

    with tempfile.TemporaryDirectory() as tmp:
        sql = Path(tmp) / "migration.sql"
        generate(str(sql), args.statements)
        runs = {"dbarchitect": [sys.executable, str(HERE / "lint_file.py"), str(sql)],
                "squawk": [squawk, str(sql)]}
        times: dict[str, list[float]] = {name: [] for name in runs}
        lines: dict[str, int] = {}
        for _ in range(args.repeat):
            for name, cmd in runs.items():
                elapsed, rc, n = _time(cmd)
                times[name].append(elapsed)
                lines[name] = n
        version = subprocess.run([squawk, "--version"], capture_output=True, text=True).stdout.strip()
    med = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"statements: {args.statements}, repeats: {args.repeat}, {version}")
    for name in runs:
        print(f"{name:12s} median {med[name]:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times[name])}; "
              f"{lines[name]} output lines)")
    ratio = med["dbarchitect"] / med["squawk"]
    print(f"ratio dbarchitect/squawk: {ratio:.2f}x (target <= 3x): {'PASS' if ratio <= 3 else 'FAIL'}")
    sys.exit(0 if ratio <= 3 else 1)


if __name__ == "__main__":
    main()
