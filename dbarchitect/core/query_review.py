"""review_query: the query anti-pattern rules (family QR) over one or more SQL statements.

Pure: parsing is sqlglot (any dialect it reads; the rules that need PostgreSQL semantics check
`ctx.postgres`), catalog facts come from an optional `SchemaSnapshot`. With a snapshot, rules cite
NOT NULL, keys, types, indexes and table sizes, and stay quiet about tables too small to matter.
"""

from __future__ import annotations

import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from dbarchitect.core.models import Finding, SchemaSnapshot, sort_findings
from dbarchitect.core.n_plus_one import NPlusOne, detect_in_trees
from dbarchitect.core.rules.query._context import QueryContext
from dbarchitect.core.sql.statements import blank
from dbarchitect.core.rulebook import family_modules

DIALECTS = {"postgres": "postgres", "postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql"}


class QueryParseError(ValueError):
    """The SQL could not be parsed in the requested dialect (a user-fixable error)."""


class QueryReview(BaseModel):
    dialect: str
    statements: int = Field(description="How many statements were reviewed.")
    catalog: bool = Field(description="Whether catalog facts (a schema snapshot) informed the review.")
    findings: list[Finding] = Field(default_factory=list)
    rules_run: list[str] = Field(default_factory=list, description="Codes of the rules applied.")
    n_plus_one: list[NPlusOne] = Field(default_factory=list, description="N+1 loops in a statement log, with the batched query.")


def parse_statements(sql: str, dialect: str = "postgres") -> list[tuple[exp.Expression, int]]:
    """Parse `sql` into (statement, 1-based line) pairs; raise QueryParseError with the parser's reason."""
    read = DIALECTS.get(dialect.lower())
    if read is None:
        raise QueryParseError(f"Unsupported dialect {dialect!r}; use one of {', '.join(sorted(DIALECTS))}.")
    if blank(sql):
        raise QueryParseError("No SQL statement found (only whitespace, comments or semicolons).")
    try:
        trees = sqlglot.parse(sql, read=read)
        tokens = sqlglot.Dialect.get_or_raise(read).tokenize(sql)
    except SqlglotError as exc:
        raise QueryParseError(f"Cannot parse the SQL as {read}: {exc}") from exc
    lines, expect_start = [], True
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            expect_start = True
        elif expect_start:
            lines.append(tok.line)
            expect_start = False
    out = []
    for i, tree in enumerate(t for t in trees if t is not None):
        line = lines[i] if i < len(lines) else 1
        if isinstance(tree, (exp.Condition, exp.Alias)) and not isinstance(tree, exp.Query):
            # sqlglot reads a bare word or expression ("xxxx", "foo bar", "1+2") as a tree; no server would run it
            shown = tree.sql(dialect=read)
            shown = shown if len(shown) <= 80 else f"{shown[:80]}… ({len(shown) - 80:,} more characters)"
            raise QueryParseError(f"Statement {i + 1} (line {line}) is not an SQL statement but a bare expression: "
                                  f"{shown!r}. Send the full query (SELECT …).")  # fmt: skip
        out.append((tree, line))
    if not out:
        raise QueryParseError("No SQL statement found.")
    return out


def require_known_tables(statements: list[tuple[exp.Expression, int]], snapshot: SchemaSnapshot) -> None:
    """Raise QueryParseError when a statement reads a table the catalog does not have (a misspelled
    name must not be reviewed as a query that has no findings); the message suggests the closest
    tables. CTE names, functions in FROM, system catalogs and extensions' relations are not checked."""
    from dbarchitect.core.suggest import closest, did_you_mean

    known = {(t.schema_name.lower(), t.name.lower()) for t in snapshot.tables}
    known |= {(v.schema_name.lower(), v.name.lower()) for v in snapshot.views}
    bare = {n for _, n in known}
    prefixes = tuple(f"{e.name.lower()}_" for e in snapshot.extensions) + ("pg_",)
    unknown: list[tuple[int, int, str]] = []
    for number, (tree, line) in enumerate(statements, start=1):
        if not isinstance(tree, (exp.Query, exp.Insert, exp.Update, exp.Delete, exp.Merge)):
            continue  # DDL names operator classes, new tables…: lint_migration's business
        ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            if not isinstance(table.this, exp.Identifier):
                continue  # generate_series(…), a subquery, a parameter
            name, schema = table.name.lower(), (table.db or "").lower()
            if not name or schema in ("pg_catalog", "information_schema", "performance_schema", "mysql", "sys"):
                continue
            if (schema and (schema, name) in known) or (not schema and (name in bare or name in ctes)):
                continue
            if name.startswith(prefixes) or any(e.name.lower() == name for e in snapshot.extensions):
                continue
            unknown.append((number, line, f"{schema}.{name}" if schema else name))
    if not unknown:
        return
    names = sorted({f"{s}.{n}" for s, n in known} | bare)
    parts = []
    for number, line, name in unknown[:5]:
        hint = did_you_mean(closest(name, names), form="aside")
        parts.append(f"statement {number} (line {line}) reads {name[:200]!r}{hint}")
    where = f" {snapshot.database}" if snapshot.database else " the connected database"
    raise QueryParseError(f"Unknown table: {'; '.join(parts)} — no such table or view in{where}, so the query "
                          "was not reviewed against it. Fix the name (describe_schema lists the tables), or pass "
                          "offline=true to review the text alone.")


def review_query(sql: str, dialect: str = "postgres", snapshot: SchemaSnapshot | None = None,
                 engine: str | None = None, check_tables: bool = False) -> QueryReview:  # fmt: skip
    """Run every query rule (with `engine`, those that apply to it) over every statement of `sql`;
    findings sorted most severe first. `check_tables`: a table the snapshot lacks is an error (the
    snapshot is the connected database's, not an illustration)."""
    read = DIALECTS.get(dialect.lower(), dialect)
    modules = [m for m in family_modules("query") if engine is None or m.RULE.applies_to(engine)]
    findings: list[Finding] = []
    statements = parse_statements(sql, dialect)
    if snapshot is not None and check_tables:
        require_known_tables(statements, snapshot)
    for number, (tree, line) in enumerate(statements, start=1):
        ctx = QueryContext(statement=tree, dialect=read, snapshot=snapshot, number=number, line=line)
        for module in modules:
            if hasattr(module, "check"):
                findings.extend(module.check(ctx))
    loops = detect_in_trees([t for t, _ in statements], snapshot, read) if len(statements) > 1 else None
    if loops is not None:
        findings.extend(loops.findings)
    findings = sort_findings(findings, by=("severity", "statement", "code"))
    return QueryReview(
        dialect=read,
        statements=number,
        catalog=snapshot is not None,
        findings=findings,
        rules_run=[m.RULE.code for m in modules],
        n_plus_one=loops.patterns if loops is not None else [],
    )
