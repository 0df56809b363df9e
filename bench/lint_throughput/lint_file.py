"""Lint one file offline and print the text report, as `dbarchitect lint-migration FILE` would."""

from __future__ import annotations

import sys
from pathlib import Path

from dbarchitect.core.migration.engine import lint
from dbarchitect.core.migration.render import render

if __name__ == "__main__":
    path = sys.argv[1]
    report = lint(Path(path).read_text(), source=path)
    sys.stdout.write(render([report], "text"))
    sys.exit(1 if report.has_errors else 0)
