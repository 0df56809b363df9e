"""Reader of tests/fixtures/rewrites/*.sql: input/expected pairs under `-- title:` headers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "rewrites"
SCHEMA = FIXTURES / "_schema.sql"


@dataclass
class Pair:
    file: str
    title: str
    rewrite: str
    safety: str
    execute: bool
    input: str
    expected: str

    @property
    def id(self) -> str:
        return f"{self.file}:{self.title}"


def load_pairs() -> list[Pair]:
    pairs = []
    for path in sorted(FIXTURES.glob("*.sql")):
        if path.name.startswith("_"):
            continue
        for block in path.read_text().split("-- title:")[1:]:
            head, _, rest = block.partition("-- input\n")
            source, _, expected = rest.partition("-- expected\n")
            meta = {"title": head.splitlines()[0].strip()}
            for line in head.splitlines()[1:]:
                if line.startswith("-- ") and ":" in line:
                    key, _, value = line[3:].partition(":")
                    meta[key.strip()] = value.strip()
            pairs.append(Pair(
                file=path.stem, title=meta["title"], rewrite=meta["rewrite"], safety=meta["safety"],
                execute=meta.get("execute", "false") == "true",
                input=source.strip().rstrip(";"), expected=expected.strip().rstrip(";"),
            ))
    return pairs
