"""The client configuration snippets in README.md (Claude Code, Claude Desktop, Cursor, VS Code)
are valid JSON / shell, and the command and arguments they launch exist."""

import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest

from dbarchitect.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## Connect your assistant\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _blocks(lang: str) -> list[tuple[str, str]]:
    """(the paragraph just before the block, the block) for each ```lang block of the section."""
    found = []
    for m in re.finditer(rf"([^\n]+)\n\n```{lang}\n(.*?)\n```", _section(), re.S):
        found.append((m.group(1), m.group(2)))
    return found


def _check_launch(command: str, args: list[str]) -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts.get(command) == "dbarchitect.cli:main", command
    parsed = build_parser().parse_args(args)  # exits (SystemExit) on an unknown command or option
    assert parsed.command == "serve"


def _check_env(env: dict, inputs: set[str] = frozenset()) -> None:
    for key, value in env.items():
        assert key == "DATABASE_URL" or key.startswith("DBARCHITECT_DB_"), key
        assert not re.search(r"://[^/@\s]*:[^@\s]*@", value), "a password in a snippet's URL"
        for ref in re.findall(r"\$\{input:([^}]+)\}", value):
            assert ref in inputs, ref


def test_every_client_has_a_snippet():
    labels = " ".join(label for label, _ in _blocks("json"))
    for client in ("Claude Desktop", "Cursor", "VS Code", ".mcp.json"):
        assert client in labels, client
    assert any("claude mcp add" in block for _, block in _blocks("sh"))


@pytest.mark.parametrize("label,block", _blocks("json"), ids=lambda v: v[:30] if isinstance(v, str) else None)
def test_json_snippets_launch_dbarchitect(label, block):
    config = json.loads(block)
    vscode = "VS Code" in label
    servers = config["servers" if vscode else "mcpServers"]
    entry = servers["dbarchitect"]
    if vscode:
        assert entry["type"] == "stdio"
    assert set(entry) <= {"type", "command", "args", "env"}
    _check_launch(entry["command"], entry["args"])
    _check_env(entry.get("env", {}), {i["id"] for i in config.get("inputs", [])})


def test_claude_code_commands_launch_dbarchitect():
    lines = [line for _, block in _blocks("sh") for line in block.splitlines() if line.startswith("claude mcp add")]
    assert len(lines) >= 2
    for line in lines:
        words = shlex.split(line, comments=True)
        head, launch = words[: words.index("--")], words[words.index("--") + 1 :]
        assert head[:4] == ["claude", "mcp", "add", "dbarchitect"]
        env = dict(w.split("=", 1) for w in head[4:] if w != "-e")
        _check_env(env)
        _check_launch(launch[0], launch[1:])
