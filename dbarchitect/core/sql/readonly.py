"""The first layer of `run_query`'s read-only guarantee: a statement is accepted only when
PostgreSQL's own grammar (pglast) shows it is read-only all the way down.

Accepted: exactly one SELECT / VALUES / TABLE / WITH … SELECT, EXPLAIN of such a statement, or SHOW.
Refused, wherever it appears in the tree: INSERT/UPDATE/DELETE/MERGE (including data-modifying
CTEs), SELECT … INTO, FOR UPDATE/SHARE locking clauses, any other statement (COPY, SET, BEGIN/COMMIT,
CALL, DO, DDL…), and calls of functions with side effects (server signalling, configuration, large
objects, file access, dblink, sequences, advisory locks, WAL and replication control, notifications,
functions that execute SQL text). User functions are returned in `functions` so that the live layer
can refuse VOLATILE ones from `pg_proc`.

This is one layer of several: the live layer also uses the extended protocol (one statement per
call), a READ ONLY transaction with statement_timeout, and optionally a least-privilege role.
"""

from __future__ import annotations

from pglast import ast, parse_sql
from pglast.parser import ParseError
from pydantic import BaseModel, Field

# Functions that change state outside the query's result, or run SQL text we cannot inspect.
SIDE_EFFECT_FUNCTIONS = frozenset(
    {
        # configuration and server control
        "set_config", "pg_reload_conf", "pg_rotate_logfile", "pg_promote",
        "pg_log_backend_memory_contexts", "pg_import_system_collations",
        # other sessions
        "pg_terminate_backend", "pg_cancel_backend",
        # sequences
        "nextval", "setval",
        # WAL, backup, recovery
        "pg_switch_wal", "pg_create_restore_point", "pg_backup_start", "pg_backup_stop",
        "pg_start_backup", "pg_stop_backup", "pg_wal_replay_pause", "pg_wal_replay_resume",
        # transaction ids and snapshots (assign an xid or export state)
        "pg_current_xact_id", "txid_current", "pg_export_snapshot",
        # notifications
        "pg_notify",
        # server files
        "pg_read_file", "pg_read_binary_file", "pg_stat_file", "pg_file_write", "pg_file_rename",
        "pg_file_unlink", "pg_file_sync",
        # large objects
        "lo_import", "lo_export", "lo_unlink", "lo_create", "lo_creat", "lo_from_bytea", "lo_put",
        "lo_open", "lowrite", "loread", "lo_truncate", "lo_truncate64", "lo_close", "lo_lseek",
        "lo_lseek64", "lo_tell", "lo_tell64", "lo_get",
        # functions that execute SQL given as text
        "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema", "cursor_to_xml",
        "cursor_to_xmlschema",
        # maintenance with effects
        "pg_truncate_visibility_map", "pg_prewarm",
    }
)  # fmt: skip

SIDE_EFFECT_PREFIXES = (
    "pg_advisory",
    "pg_try_advisory",
    "dblink",
    "pg_ls_",
    "pg_stat_reset",
    "pg_stat_statements_reset",
    "pg_replication_",
    "pg_create_",
    "pg_drop_replication",
    "pg_logical_",
    "pg_copy_",
    "hypopg",
)

_WRITE_NODES = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt)


class ReadOnlyVerdict(BaseModel):
    ok: bool
    reason: str = ""
    statement_kind: str = Field(default="", description="select, explain, show, or the refused kind.")
    functions: list[str] = Field(default_factory=list, description="Called functions, as written (lowercased).")


def walk(node):
    """Yield every pglast AST node below (and including) `node`."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, ast.Node):
            yield cur
            for slot in cur.__slots__:
                child = getattr(cur, slot, None)
                if isinstance(child, (ast.Node, tuple, list)):
                    stack.append(child)
        elif isinstance(cur, (tuple, list)):
            stack.extend(cur)


def function_name(call: ast.FuncCall) -> str:
    return ".".join(part.sval.lower() for part in call.funcname)


def is_side_effect_function(qualified: str) -> bool:
    bare = qualified.rsplit(".", 1)[-1]
    return bare in SIDE_EFFECT_FUNCTIONS or bare.startswith(SIDE_EFFECT_PREFIXES)


def _kind(stmt: ast.Node) -> str:
    name = type(stmt).__name__
    return {
        "SelectStmt": "select",
        "ExplainStmt": "explain",
        "VariableShowStmt": "show",
        "TransactionStmt": "transaction control",
        "VariableSetStmt": "SET",
        "CopyStmt": "COPY",
    }.get(name, name.removesuffix("Stmt").lower())


def check_read_only(sql: str) -> ReadOnlyVerdict:
    """Decide from the parse tree alone whether `sql` is one read-only statement."""
    try:
        stmts = parse_sql(sql)
    except ParseError as exc:
        return ReadOnlyVerdict(ok=False, reason=f"The SQL does not parse: {exc}.", statement_kind="invalid")
    if len(stmts) != 1:
        return ReadOnlyVerdict(
            ok=False,
            reason=f"Exactly one statement is allowed, found {len(stmts)}; send them one at a time.",
            statement_kind="multiple" if stmts else "empty",
        )
    stmt = stmts[0].stmt
    kind = _kind(stmt)
    if not isinstance(stmt, (ast.SelectStmt, ast.ExplainStmt, ast.VariableShowStmt)):
        return ReadOnlyVerdict(
            ok=False,
            reason=f"Only SELECT, VALUES, TABLE, WITH … SELECT, EXPLAIN and SHOW may run; this is {kind}.",
            statement_kind=kind,
        )
    if isinstance(stmt, ast.ExplainStmt) and not isinstance(stmt.query, ast.SelectStmt):
        return ReadOnlyVerdict(
            ok=False,
            reason=f"EXPLAIN is allowed for SELECT statements only; this explains {_kind(stmt.query)}.",
            statement_kind=kind,
        )
    functions: list[str] = []
    for node in walk(stmt):
        if isinstance(node, _WRITE_NODES):
            what = type(node).__name__.removesuffix("Stmt").upper()
            return ReadOnlyVerdict(
                ok=False,
                reason=f"The statement contains {what} (a data-modifying statement, e.g. in a WITH clause).",
                statement_kind=kind,
            )
        if isinstance(node, ast.SelectStmt):
            if node.intoClause is not None:
                return ReadOnlyVerdict(
                    ok=False, reason="SELECT … INTO creates a table; it is not read-only.", statement_kind=kind
                )
            if node.lockingClause:
                return ReadOnlyVerdict(
                    ok=False,
                    reason="FOR UPDATE/FOR SHARE takes row locks; remove the locking clause.",
                    statement_kind=kind,
                )
        elif isinstance(node, ast.FuncCall):
            name = function_name(node)
            if is_side_effect_function(name):
                return ReadOnlyVerdict(
                    ok=False,
                    reason=f"{name}() has side effects outside the query result and is not allowed here.",
                    statement_kind=kind,
                    functions=[name],
                )
            if name not in functions:
                functions.append(name)
        elif isinstance(node, ast.Node) and type(node).__name__.endswith("Stmt") and node is not stmt:
            if not isinstance(node, ast.SelectStmt):
                return ReadOnlyVerdict(
                    ok=False, reason=f"Nested {_kind(node)} is not allowed.", statement_kind=kind
                )
    return ReadOnlyVerdict(ok=True, statement_kind=kind, functions=functions)
