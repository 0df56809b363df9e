"""How sizes and counts are worded, the same in every report: `8 kB`, `1.5 MB`, `12 GB`; `20 k`, `1.5 M`.

Units follow PostgreSQL's `pg_size_pretty` (bytes, kB, MB, GB, TB; 1 kB = 1024 bytes); one decimal
below 10 of a unit, none from 10 on.
"""

from __future__ import annotations


def human_bytes(n: float) -> str:
    """`512 bytes`, `1.5 kB`, `120 MB`, `13 GB`."""
    size = float(n)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if abs(size) < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "bytes" or abs(size) >= 10 else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover - the loop always returns


def human_count(n: float) -> str:
    """`9999`, `20 k`, `1.5 M`, `40 M`, `2 G`."""
    if n >= 1e9:
        return f"{n / 1e9:.1f} G".replace(".0 ", " ")
    if n >= 1e6:
        return f"{n / 1e6:.0f} M" if n >= 1e7 else f"{n / 1e6:.1f} M".replace(".0 ", " ")
    if n >= 1e4:
        return f"{n / 1e3:.0f} k"
    return f"{int(n)}"
