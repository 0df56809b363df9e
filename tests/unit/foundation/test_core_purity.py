"""core/ is pure: importing every module under dbarchitect.core pulls in neither mcp nor psycopg."""

import subprocess
import sys

CODE = """
import importlib, pkgutil, sys
import dbarchitect.core as core
for info in pkgutil.walk_packages(core.__path__, 'dbarchitect.core.'):
    importlib.import_module(info.name)
bad = sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'psycopg', 'psycopg_pool'))
print(','.join(bad))
"""


def test_core_imports_neither_mcp_nor_psycopg():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"dbarchitect.core imported: {out.stdout.strip()}"


def test_only_server_imports_mcp():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[3] / "dbarchitect"
    offenders = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("server/") or rel == "demo.py":  # the demo is an MCP client by design
            continue
        if re.search(r"^\s*(from|import)\s+mcp\b", path.read_text(), re.M):
            offenders.append(rel)
    assert offenders == []
