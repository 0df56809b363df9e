"""The first layer of `run_query`'s read-only guarantee on MySQL and MariaDB.

The text is scanned by our own tokeniser before any parser sees it, because the server executes
what most tokenisers (sqlglot's included) drop as comments: `/*! … */`, `/*!50700 … */` and
MariaDB's `/*M! … */` / `/*M!100400 … */` run on the server. They are refused. The scanner also
finds the statement's end exactly as the server would (strings with backslash escapes *and*
without, since `NO_BACKSLASH_ESCAPES` is a per-session sql_mode: if the two readings disagree the
statement is refused), so a `;` inside a literal or a comment is fine and a stacked statement is not.

Accepted: exactly one SELECT / WITH … SELECT / TABLE / VALUES / parenthesised SELECT, SHOW,
DESCRIBE/DESC <table>, EXPLAIN of an accepted statement, and MariaDB's ANALYZE [FORMAT=JSON] of
one (it executes the SELECT, nothing else). Refused with a reason: every other statement (DML,
DDL, SET, CALL, DO, HANDLER, XA, PREPARE/EXECUTE, LOCK TABLES, FLUSH, GRANT, INSTALL, SHUTDOWN,
KILL, LOAD, temporary tables…), `INTO OUTFILE/DUMPFILE/@var`, locking reads (`FOR UPDATE`,
`FOR SHARE`, `LOCK IN SHARE MODE`), user-variable assignment (`:=`), sequence access (`NEXT VALUE
FOR`, `PREVIOUS VALUE FOR`, NEXTVAL, SETVAL, LASTVAL), functions with effects (LOAD_FILE, SLEEP,
BENCHMARK, GET_LOCK & co, replication waits), optimizer hints that change session variables or
the time limit (`SET_VAR`, `MAX_EXECUTION_TIME`), and `PROCEDURE ANALYSE`.

Calls of other functions are returned in `functions` so the live layer can refuse stored
functions that modify data (`information_schema.routines.sql_data_access`). The live layer also
runs the statement in `START TRANSACTION READ ONLY` (rolled back) with time limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

# functions that act outside the result: files, sleeping, locks, replication waits, sequences
SIDE_EFFECT_FUNCTIONS = {
    "load_file": "LOAD_FILE reads files on the database server",
    "sleep": "SLEEP holds a connection doing nothing",
    "benchmark": "BENCHMARK burns server CPU on purpose",
    "get_lock": "GET_LOCK takes a named lock other sessions wait on",
    "release_lock": "RELEASE_LOCK changes named locks",
    "release_all_locks": "RELEASE_ALL_LOCKS changes named locks",
    "is_free_lock": "named-lock functions are not analytics",
    "is_used_lock": "named-lock functions are not analytics",
    "master_pos_wait": "replication wait functions block",
    "source_pos_wait": "replication wait functions block",
    "master_gtid_wait": "replication wait functions block",
    "wait_for_executed_gtid_set": "replication wait functions block",
    "wait_until_sql_thread_after_gtids": "replication wait functions block",
    "nextval": "NEXTVAL advances a sequence (a write)",
    "setval": "SETVAL changes a sequence (a write)",
    "lastval": "sequence functions are refused",
    "sys_exec": "sys_exec runs shell commands (a UDF)",
    "sys_eval": "sys_eval runs shell commands (a UDF)",
    "sys_get": "UDF sys_* functions reach outside the database",
    "sys_set": "UDF sys_* functions reach outside the database",
}

_KEYWORDS_BEFORE_PAREN = frozenset(
    "as union in exists values over from join on and or not select where using all any some intersect except "
    "lateral with by partition when then else is like between recursive interval row key index columns path "
    "nested ordinality case distinct table window returning minus having limit offset xor div mod".split()
)

READ_STARTS = {"select", "with", "table", "values", "("}

# first words of statements that are never read-only, with a reason
STATEMENT_REASONS = {
    "insert": "INSERT writes rows", "update": "UPDATE writes rows", "delete": "DELETE writes rows",
    "replace": "REPLACE writes rows", "merge": "MERGE writes rows", "load": "LOAD DATA/XML writes rows",
    "create": "CREATE is DDL", "alter": "ALTER is DDL", "drop": "DROP is DDL", "rename": "RENAME is DDL",
    "truncate": "TRUNCATE deletes every row", "set": "SET changes session or server state",
    "call": "CALL runs a stored procedure, which may write", "do": "DO evaluates expressions for their effects",
    "handler": "HANDLER opens table cursors outside SQL's read paths",
    "xa": "XA controls distributed transactions", "prepare": "PREPARE/EXECUTE runs SQL text the gate cannot see",
    "execute": "PREPARE/EXECUTE runs SQL text the gate cannot see", "deallocate": "prepared statements are refused",
    "lock": "LOCK TABLES blocks other sessions", "unlock": "UNLOCK TABLES changes locks",
    "flush": "FLUSH changes server state", "grant": "GRANT changes privileges", "revoke": "REVOKE changes privileges",
    "install": "INSTALL PLUGIN/SONAME loads code into the server", "uninstall": "UNINSTALL changes server plugins",
    "shutdown": "SHUTDOWN stops the server", "kill": "KILL ends other sessions", "restart": "RESTART restarts the server",
    "start": "transaction control is dbarchitect's own", "begin": "transaction control is dbarchitect's own",
    "commit": "transaction control is dbarchitect's own", "rollback": "transaction control is dbarchitect's own",
    "savepoint": "transaction control is dbarchitect's own", "release": "transaction control is dbarchitect's own",
    "purge": "PURGE deletes binary logs", "reset": "RESET changes server state", "change": "CHANGE MASTER/REPLICATION changes replication",
    "optimize": "OPTIMIZE TABLE rebuilds tables", "repair": "REPAIR TABLE changes tables", "check": "CHECK TABLE is maintenance",
    "checksum": "CHECKSUM TABLE reads whole tables under lock", "backup": "BACKUP STAGE locks the server",
    "use": "USE changes the session's database", "binlog": "BINLOG replays events", "cache": "CACHE INDEX changes server state",
    "signal": "SIGNAL is for stored programs", "resignal": "RESIGNAL is for stored programs", "get": "GET DIAGNOSTICS is refused",
    "clone": "CLONE copies data directories", "import": "IMPORT TABLE changes tables", "help": "HELP is not a query",
}  # fmt: skip


@dataclass
class MySQLVerdict:
    ok: bool
    reason: str = ""
    statement_kind: str = "select"
    functions: list[str] = field(default_factory=list)
    #: the statement without its trailing `;`
    sql: str = ""


@dataclass
class Token:
    kind: str  # word, quoted (backtick identifier), string, number, punct, var (@x / @@x)
    text: str
    start: int

    @property
    def low(self) -> str:
        return self.text.lower()


class GateError(ValueError):
    pass


_WORD = re.compile(r"[A-Za-z0-9_$\x80-\U0010ffff]+")
_VAR = re.compile(r"@@?(?:[A-Za-z0-9_$.]+|`[^`]*`|'[^']*'|\"[^\"]*\")?")


def tokenize(sql: str, *, backslash_escapes: bool = True) -> list[Token]:
    """Tokens as the MySQL server reads them; comments dropped, executable comments refused."""
    out: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace():
            i += 1
            continue
        if sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                raise GateError("an unterminated /* comment")
            body = sql[i + 2 : end]
            if body.startswith("!") or body.startswith("M!"):
                raise GateError(
                    "executable comments (/*! … */, /*!50000 … */, /*M! … */) run on the server although they "
                    "look like comments; write the SQL without them"
                )
            if body.startswith("+") and re.search(r"\b(set_var|max_execution_time)\b", body, re.I):
                raise GateError("optimizer hints SET_VAR and MAX_EXECUTION_TIME change the session's limits")
            i = end + 2
            continue
        if c == "#" or (sql.startswith("--", i) and (i + 2 >= n or sql[i + 2].isspace() or ord(sql[i + 2]) < 32)):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "'\"":
            j = i + 1
            while True:
                if j >= n:
                    raise GateError("an unterminated string literal")
                ch = sql[j]
                if ch == "\\" and backslash_escapes:
                    j += 2
                    continue
                if ch == c:
                    if j + 1 < n and sql[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            out.append(Token("string", sql[i : j + 1], i))
            i = j + 1
            continue
        if c == "`":
            j = i + 1
            while True:
                if j >= n:
                    raise GateError("an unterminated `quoted identifier`")
                if sql[j] == "`":
                    if j + 1 < n and sql[j + 1] == "`":
                        j += 2
                        continue
                    break
                j += 1
            out.append(Token("quoted", sql[i + 1 : j].replace("``", "`"), i))
            i = j + 1
            continue
        if c == "@":
            m = _VAR.match(sql, i)
            assert m
            out.append(Token("var", m.group(0), i))
            i = m.end()
            continue
        m = _WORD.match(sql, i)
        if m:
            word = m.group(0)
            out.append(Token("number" if word[0].isdigit() and not re.search(r"[A-Za-z_$]", word) else "word", word, i))
            i = m.end()
            continue
        if sql.startswith(":=", i):
            out.append(Token("punct", ":=", i))
            i += 2
            continue
        out.append(Token("punct", c, i))
        i += 1
    return out


def _shape(tokens: list[Token]) -> list[tuple[str, int]]:
    return [(t.kind, t.start) for t in tokens]


def _refuse(reason: str) -> MySQLVerdict:
    return MySQLVerdict(ok=False, reason=reason)


def _split_statement(sql: str) -> tuple[list[Token], int]:
    tokens = tokenize(sql, backslash_escapes=True)
    try:
        other = tokenize(sql, backslash_escapes=False)
    except GateError:
        other = []
    if _shape(tokens) != _shape(other):
        raise GateError(
            "a backslash inside a string literal makes where the statement ends depend on the server's "
            "sql_mode (NO_BACKSLASH_ESCAPES); double the quote ('') instead of escaping it"
        )
    semis = [k for k, t in enumerate(tokens) if t.kind == "punct" and t.text == ";"]
    if semis:
        first = semis[0]
        if any(k != first for k in semis) or first != len(tokens) - 1:
            raise GateError("several statements (stacked with ';') are refused; send one statement per call")
        return tokens[:-1], tokens[first].start
    return tokens, len(sql)


def _strip_explain(tokens: list[Token]) -> tuple[list[Token], str]:
    """EXPLAIN/DESCRIBE/ANALYZE prefixes and their options; returns the inner tokens and the kind."""
    head = tokens[0].low
    rest = tokens[1:]
    kind = "explain" if head in ("explain", "describe", "desc") else "analyze"
    while rest:
        w = rest[0].low if rest[0].kind == "word" else ""
        if w in ("extended", "partitions"):
            rest = rest[1:]
        elif w == "analyze" and kind == "explain":
            kind = "explain analyze"
            rest = rest[1:]
        elif w == "format" and len(rest) >= 3 and rest[1].text == "=":
            rest = rest[3:]
        else:
            break
    return rest, kind


def check_mysql_read_only(sql: str) -> MySQLVerdict:
    """Decide whether one MySQL/MariaDB statement may run on the read-only path."""
    try:
        tokens, end = _split_statement(sql)
    except GateError as exc:
        return _refuse(f"{exc}.")
    if not tokens:
        return _refuse("the statement is empty.")
    body = sql[:end].strip()
    head = tokens[0]
    first = head.low if head.kind in ("word", "punct") else ""
    kind = "select"
    inner = tokens
    if first in ("explain", "describe", "desc", "analyze"):
        inner, kind = _strip_explain(tokens)
        if not inner:
            return _refuse(f"{first.upper()} needs a statement or a table.")
        nxt = inner[0].low if inner[0].kind in ("word", "punct") else ""
        if first == "analyze" and nxt == "table":
            return _refuse("ANALYZE TABLE rewrites index statistics; run_query only reads.")
        if nxt in READ_STARTS:
            pass
        elif kind == "explain" and inner[0].kind in ("word", "quoted") and all(
            t.kind in ("word", "quoted") or t.text == "." for t in inner
        ) and len(inner) <= 4:
            return _finish(tokens, body, "describe", parse=False)
        elif nxt in STATEMENT_REASONS:
            return _refuse(
                f"{first.upper()} of {nxt.upper()} is refused ({STATEMENT_REASONS[nxt]}; MariaDB's ANALYZE and "
                "MySQL's EXPLAIN ANALYZE execute the statement). Use explain_query for plans of writes."
            )
        else:
            return _refuse(f"{first.upper()} {inner[0].text} is not a read-only statement run_query accepts.")
        if first == "analyze":
            kind = "analyze"
    elif first == "show":
        return _finish(tokens, body, "show", parse=False)
    elif first not in READ_STARTS:
        why = STATEMENT_REASONS.get(first)
        label = head.text.upper() if head.kind == "word" else head.text
        if why:
            return _refuse(f"{label} is not read-only: {why}. run_query runs one SELECT, WITH … SELECT, SHOW, DESCRIBE or EXPLAIN.")
        return _refuse(f"a statement starting with {label!r} is not accepted; run_query runs one SELECT, WITH … SELECT, SHOW, DESCRIBE or EXPLAIN.")
    return _finish(inner, body, kind, parse=True, inner_sql=sql[inner[0].start : end])


def check_mysql_explainable(sql: str) -> MySQLVerdict:
    """What `EXPLAIN` (never ANALYZE) may be given: a statement run_query accepts, or one INSERT,
    REPLACE, UPDATE or DELETE — EXPLAIN plans those without running them. The same token checks
    apply (no executable comments, one statement, no side-effect functions, no locking reads)."""
    try:
        tokens, end = _split_statement(sql)
    except GateError as exc:
        return _refuse(f"{exc}.")
    if tokens and tokens[0].low in ("insert", "replace", "update", "delete"):
        return _finish(tokens, sql[:end].strip(), tokens[0].low, parse=False, allow_into=tokens[0].low in ("insert", "replace"))
    return check_mysql_read_only(sql)


def _finish(tokens: list[Token], body: str, kind: str, *, parse: bool, inner_sql: str = "", allow_into: bool = False) -> MySQLVerdict:
    functions: list[str] = []
    words = tokens
    for k, t in enumerate(words):
        low = t.low
        nxt = words[k + 1] if k + 1 < len(words) else None
        nxt2 = words[k + 2] if k + 2 < len(words) else None
        if t.kind == "punct" and t.text == ":=":
            return _refuse("assigning user variables (:=) changes session state; select the expression instead.")
        if t.kind == "var" and nxt is not None and nxt.text == "=" and k > 0 and words[k - 1].low == "set":
            return _refuse("SET changes session state.")
        if t.kind != "word":
            if t.kind == "quoted" and nxt is not None and nxt.text == "(":
                if low in SIDE_EFFECT_FUNCTIONS:
                    return _refuse(f"{low.upper()}() is refused: {SIDE_EFFECT_FUNCTIONS[low]}.")
                functions.append(_qualified(words, k))
            continue
        if low in ("outfile", "dumpfile") or (low == "into" and not (allow_into and k <= 2)):
            return _refuse("SELECT … INTO (OUTFILE, DUMPFILE or @variables) writes files or session state; run_query returns rows instead.")
        if low == "for" and nxt is not None and nxt.low in ("update", "share"):
            return _refuse(f"FOR {nxt.text.upper()} takes row locks that block writers; read without a locking clause.")
        if low == "lock" and nxt is not None and nxt.low == "in":
            return _refuse("LOCK IN SHARE MODE takes row locks that block writers; read without a locking clause.")
        if low in ("next", "previous") and nxt is not None and nxt.low == "value" and nxt2 is not None and nxt2.low == "for":
            return _refuse(f"{low.upper()} VALUE FOR reads or advances a sequence; sequence access is refused.")
        if low == "procedure" and k > 0:
            return _refuse("SELECT … PROCEDURE runs a procedure over the result.")
        if nxt is not None and nxt.text == "(":
            if low in SIDE_EFFECT_FUNCTIONS:
                return _refuse(f"{low.upper()}() is refused: {SIDE_EFFECT_FUNCTIONS[low]}.")
            if low not in _KEYWORDS_BEFORE_PAREN:
                functions.append(_qualified(words, k))
    if parse:
        problem = _tree_problem(inner_sql)
        if problem:
            return _refuse(problem)
    return MySQLVerdict(ok=True, statement_kind=kind, functions=sorted(set(functions)), sql=body)


def _qualified(words: list[Token], k: int) -> str:
    """The call name at k, with its `schema.` qualifier when written as `schema.name(`."""
    name = words[k].text
    if k >= 2 and words[k - 1].text == "." and words[k - 2].kind in ("word", "quoted"):
        return f"{words[k - 2].text}.{name}"
    return name


_WRITE_NODES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter,
                exp.Set, exp.Command, exp.Into, exp.Lock, exp.TruncateTable)  # fmt: skip


def _tree_problem(sql: str) -> str | None:
    """sqlglot's reading of the statement: None when it is a read, else the reason.

    sqlglot does not know every MySQL construct; when it cannot parse a statement whose tokens
    passed, the statement is left to the server inside the READ ONLY transaction."""
    try:
        trees = sqlglot.parse(sql, read="mysql")
    except (ParseError, TokenError):
        return None
    trees = [t for t in trees if t is not None]
    if len(trees) != 1:
        return "several statements are refused; send one statement per call."
    tree = trees[0]
    if isinstance(tree, exp.Describe):
        tree = tree.this
    for node in tree.walk():
        if isinstance(node, _WRITE_NODES):
            if isinstance(node, exp.Command) and tree is node and node.name.lower() in ("values", "table"):
                continue
            return f"the statement contains {type(node).__name__.upper()}, which is not read-only."
        if isinstance(node, exp.Select) and node.args.get("locks"):
            return "locking reads (FOR UPDATE / FOR SHARE) are refused."
    return None
