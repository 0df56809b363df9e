"""Prefix LIKE on an expression (`lower(username) LIKE 'abc%'`): the pattern_ops index it needs, and the
ordered walk that filters the prefix row by row priced as the executor runs it."""

from __future__ import annotations

import pytest

from dbarchitect.core.indexing.candidates import generate, pattern_ops
from dbarchitect.core.indexing.expr_stats import expression_of, without_opclass
from dbarchitect.core.indexing.limit import LimitInput, ScanNode, executor_cost, share_before_prefix
from dbarchitect.core.indexing.models import Candidate, ColumnStats, WorkloadQuery
from dbarchitect.core.indexing.select import PlanCost, select
from dbarchitect.core.indexing.shape import analyze, like_prefix_text
from dbarchitect.core.indexing.size import btree_size
from dbarchitect.core.models import SchemaSnapshot

from tests.unit.index.kit import pk, table

USERS = table("users", [("id", "bigint"), ("username", "text"), ("display_name", "text"), ("deleted_at", "timestamptz"),
                        ("handle", "character varying(40)")], 500_000, indexes=[pk("users")])  # fmt: skip
SNAP = SchemaSnapshot(tables=[USERS])
# usernames spread over the alphabet: 'a…' first, 'z…' last (mixed case: lower() maps them)
BOUNDS = [f"{chr(ord('A') + i // 4)}{chr(ord('a') + i % 26)}user{i}" for i in range(101)]
STATS = {("public.users", "username"): ColumnStats(table="public.users", column="username", n_distinct=-1.0,
                                                   avg_width=12, histogram_bounds=BOUNDS)}  # fmt: skip

AUTOCOMPLETE = ("SELECT id, username, display_name FROM users WHERE lower(username) LIKE 'u%' AND deleted_at IS NULL "
                "ORDER BY lower(username) LIMIT 10")  # fmt: skip


def preds(sql):
    return [(p.kind, p.column, p.expr, p.value, p.param) for a in analyze(sql, SNAP).accesses for p in a.preds]


def test_a_constant_prefix_on_an_expression_is_a_prefix_predicate():
    assert ("like_prefix", None, "LOWER(username)", "u%", False) in preds(AUTOCOMPLETE)
    assert preds("SELECT id FROM users WHERE lower(username) LIKE $1 || '%'") == [
        ("like_prefix", None, "LOWER(username)", None, True)]


def test_infix_and_bare_parameter_patterns_stay_trigram_searches():
    assert preds("SELECT id FROM users WHERE lower(username) LIKE '%err%'")[0][0] == "like_infix"
    assert preds("SELECT id FROM users WHERE username LIKE $1") == [("like_infix", "username", None, None, False)]
    # a bare parameter on an expression: an infix search, and a prefix search of unknown text
    assert preds("SELECT id FROM users WHERE lower(username) LIKE $1") == [
        ("like_infix", None, "LOWER(username)", None, False), ("like_prefix", None, "LOWER(username)", None, True)]
    assert preds("SELECT id FROM users WHERE username LIKE '%' || $1 || '%'")[0][0] == "like_infix"


def test_the_fixed_text_of_a_pattern():
    assert like_prefix_text("error_%") == "error"
    assert like_prefix_text("err\\_or%") == "err_or"
    assert like_prefix_text("%x") is None and like_prefix_text(None) is None


def test_a_prefix_on_an_expression_gets_a_pattern_ops_candidate_and_no_trigram():
    cset = generate({"q": analyze(AUTOCOMPLETE, SNAP)}, SNAP, STATS, set())
    sigs = [c.signature for c in cset.candidates]
    assert "public.users USING btree ((LOWER(username)) text_pattern_ops) WHERE deleted_at IS NULL" in sigs
    assert not any("gin_trgm_ops" in s for s in sigs)


def test_an_infix_on_an_expression_gets_the_trigram_candidate_only():
    cset = generate({"q": analyze("SELECT id FROM users WHERE lower(username) LIKE '%rr%'", SNAP)}, SNAP, STATS, set())
    sigs = [c.signature for c in cset.candidates]
    assert sigs == ["public.users USING gin ((LOWER(username)) gin_trgm_ops)"]


def test_pattern_opclass_follows_the_key_type():
    assert pattern_ops("LOWER(username)", USERS) == "text_pattern_ops"
    assert pattern_ops("handle", USERS) == "varchar_pattern_ops"
    assert pattern_ops("CAST(username AS VARCHAR)", USERS) == "varchar_pattern_ops"
    assert pattern_ops("username || display_name", USERS) == "text_pattern_ops"
    assert pattern_ops("username::varchar(40)", USERS) == "varchar_pattern_ops"


def test_an_expression_key_with_an_opclass_is_sized_and_sampled_as_its_expression():
    key = "(LOWER(username)) text_pattern_ops"
    assert without_opclass(key) == "(LOWER(username))" and expression_of(key, None) == "(LOWER(username))"
    plain = Candidate(table="public.users", keys=("(LOWER(username))",), columns=(None,), kind="expression")
    ops = Candidate(table="public.users", keys=(key,), columns=(None,), kind="expression")
    assert btree_size(ops, SNAP, STATS) is not None
    assert btree_size(ops, SNAP, STATS) >= btree_size(plain, SNAP, STATS)


def test_share_before_a_prefix_from_the_column_histogram_through_lower():
    st = STATS[("public.users", "username")]
    early, late = share_before_prefix(st, "b", str.lower, False), share_before_prefix(st, "x", str.lower, False)
    assert early is not None and late is not None and early < 0.1 < 0.8 < late
    assert share_before_prefix(st, "x", str.lower, True) < 0.1  # backward: only what sorts after x…
    assert share_before_prefix(ColumnStats(table="t", column="c"), "x", str.lower, False) is None


# EXPLAIN of AUTOCOMPLETE through a default btree on lower(username), walked in order, LIKE as a filter
WALK = LimitInput(0.42, 60_000.0, 5_000.0, (ScanNode("users", "Index Scan", "", "((lower(username) ~~ 'u%'::text) "
                                                     "AND (deleted_at IS NULL))", in_order=True),))  # fmt: skip


def planned(limit):
    return limit.startup + (limit.total - limit.startup) * 10 / limit.rows


def test_an_ordered_walk_filtering_its_own_key_by_a_late_prefix_is_priced_past_the_keys_before_it():
    cost, why = executor_cost(planned(WALK), WALK, analyze(AUTOCOMPLETE, SNAP), SNAP, STATS)
    assert why and "before the matching ones" in why
    assert cost > 0.75 * WALK.total  # 'u…' comes after ~80 % of the usernames


def test_an_unknown_prefix_is_priced_at_half_the_keys():
    for pattern in ("$1 || '%'", "$1"):
        sql = (f"SELECT id FROM users WHERE lower(username) LIKE {pattern} AND deleted_at IS NULL "
               "ORDER BY lower(username) LIMIT 10")  # fmt: skip
        cost, why = executor_cost(planned(WALK), WALK, analyze(sql, SNAP), SNAP, STATS)
        assert why and "unknown" in why and 0.45 * WALK.total < cost < 0.55 * WALK.total


def test_no_repricing_when_the_prefix_is_an_index_condition_or_the_walk_is_not_the_order():
    shape = analyze(AUTOCOMPLETE, SNAP)
    bounded = WALK._replace(scans=(ScanNode("users", "Index Scan", "((lower(username) ~>=~ 'u'::text) AND "
                                            "(lower(username) ~<~ 'v'::text))", "(lower(username) ~~ 'u%'::text)",
                                            in_order=True),))  # fmt: skip
    assert executor_cost(planned(bounded), bounded, shape, SNAP, STATS)[1] is None
    sorted_input = WALK._replace(scans=(WALK.scans[0]._replace(in_order=False),))
    assert executor_cost(planned(sorted_input), sorted_input, shape, SNAP, STATS)[1] is None
    other_order = analyze(AUTOCOMPLETE.replace("ORDER BY lower(username)", "ORDER BY id"), SNAP)
    assert executor_cost(planned(WALK), WALK, other_order, SNAP, STATS)[1] is None


def test_an_early_prefix_keeps_the_planners_figure():
    early = analyze(AUTOCOMPLETE.replace("'u%'", "'aa%'"), SNAP)
    assert executor_cost(planned(WALK), WALK, early, SNAP, STATS)[1] is None


# --- the selection: the planner prefers the walk; the pattern_ops index must survive as its second choice

PROFILE = "SELECT id, display_name FROM users WHERE lower(username) = lower($1) AND deleted_at IS NULL LIMIT 1"
DEFAULT = Candidate(table="public.users", keys=("(LOWER(username))",), columns=(None,), kind="expression")


class _WalkOracle:
    """The planner's view under a non-C collation: a default btree on lower(username) is walked in order
    for the autocomplete (cheap, with the LIKE as a filter: `walk`), the pattern_ops index serves it as a
    range and a sort; both serve the profile lookup."""

    def __init__(self, walk: bool):
        self.walk = walk

    async def cost(self, query, indexes):
        default = frozenset(c for c in indexes if c.keys == DEFAULT.keys)
        ops = frozenset(c for c in indexes if "text_pattern_ops" in c.keys[-1])
        if "LIKE" in query.sql:
            if default:
                return PlanCost(planned(WALK), default, limit=WALK if self.walk else None)
            return PlanCost(1_761.0, ops) if ops else PlanCost(4_863.0, frozenset())
        if default or ops:
            return PlanCost(8.5, default or ops)
        return PlanCost(4_948.0, frozenset())

    async def size(self, cand):
        return 11 * 2**20


async def _pick(walk: bool, keep_default: bool = False):
    qs = [WorkloadQuery(id="q1", sql=AUTOCOMPLETE, weight=60), WorkloadQuery(id="q2", sql=PROFILE, weight=150)]
    shapes = {q.id: analyze(q.sql, SNAP) for q in qs}
    cs = generate(shapes, SNAP, STATS, set())
    if keep_default:  # as if the fold had not dropped it: the selection's own guard decides
        default = next(c for c in cs.risky if c.keys == DEFAULT.keys)
        cs.reasons[default] = cs.risky.pop(default)
        cs.queries[default] = {"q1", "q2"}
    return await select(qs, shapes, cs, SNAP, _WalkOracle(walk), stats=STATS), cs


@pytest.mark.anyio
async def test_the_pattern_ops_index_replaces_a_default_btree_the_planner_would_walk():
    sel, cs = await _pick(walk=True)
    picked = [p.candidate.keys for p in sel.picks]
    assert picked == [("(LOWER(username)) text_pattern_ops",)], picked
    # folded at generation: the pattern_ops twin serves `=` too (`candidates.fold_pattern_ops`)
    assert any(c.keys == DEFAULT.keys and "pattern_ops twin" in why for c, why in cs.risky.items())
    # and the selection's guard alone turns the walk down as well
    sel, _ = await _pick(walk=True, keep_default=True)
    assert [p.candidate.keys for p in sel.picks] == [("(LOWER(username)) text_pattern_ops",)]
    assert any(c.keys == DEFAULT.keys for c in sel.rejected)


@pytest.mark.anyio
async def test_without_the_walk_the_planners_choice_stands():
    sel, _ = await _pick(walk=False, keep_default=True)
    assert [p.candidate.keys for p in sel.picks] == [DEFAULT.keys]


def test_the_default_twin_stays_when_a_query_sorts_by_the_expression_without_the_prefix():
    listing = "SELECT id FROM users WHERE deleted_at IS NULL ORDER BY lower(username) LIMIT 50"
    shapes = {q: analyze(sql, SNAP) for q, sql in (("q1", AUTOCOMPLETE), ("q2", PROFILE), ("q3", listing))}
    cs = generate(shapes, SNAP, STATS, set())
    assert not any(c.keys == DEFAULT.keys and "pattern_ops twin" in why for c, why in cs.risky.items())


def test_a_descending_walk_passes_the_keys_after_the_prefix():
    desc = analyze(AUTOCOMPLETE.replace("ORDER BY lower(username)", "ORDER BY lower(username) DESC"), SNAP)
    cost, why = executor_cost(planned(WALK), WALK, desc, SNAP, STATS)
    assert why and " DESC order" in why and 0.1 * WALK.total < cost < 0.3 * WALK.total  # v… to z… come first


WIDE = table("accounts", [("id", "bigint"), ("a", "int"), ("b", "int"), ("c", "int"), ("d", "int"), ("email", "text")],
             500_000, indexes=[pk("accounts")])  # fmt: skip
WIDE_SNAP = SchemaSnapshot(tables=[WIDE])


@pytest.mark.parametrize("where", ["lower(email) LIKE 'ab%'", "lower(email) = $5"])
def test_an_expression_key_survives_more_equalities_than_the_key_limit(where):
    # four equalities and the expression: the cut to MAX_KEYS (4) used to drop the expression, leaving a
    # plain-column key `d` marked as an expression (column None)
    sql = f"SELECT id FROM accounts WHERE a = $1 AND b = $2 AND c = $3 AND d = $4 AND {where}"
    cset = generate({"q": analyze(sql, WIDE_SNAP)}, WIDE_SNAP, {}, set())
    exprs = [c for c in cset.candidates if c.kind == "expression"]
    assert exprs
    for c in exprs:
        assert len(c.keys) <= 4 and c.keys[-1].startswith("(LOWER(email))"), c.keys
        assert [k for k, col in zip(c.keys, c.columns) if col is None] == [c.keys[-1]]
    # silent: fewer equalities keep them all ahead of the expression
    short = generate({"q": analyze(sql.replace(" AND d = $4", ""), WIDE_SNAP)}, WIDE_SNAP, {}, set())
    assert any(c.keys[:3] == ("a", "b", "c") and c.keys[-1].startswith("(LOWER(email))") for c in short.candidates
               if c.kind == "expression")  # fmt: skip


@pytest.mark.parametrize("pattern", ["concat($1::text, '%')", "$1 || '%'"])
def test_a_prefix_built_with_concat_is_bound_like_one_built_with_pipes(pattern):
    from dbarchitect.core.indexing.workload import bind_from_stats, bind_rare

    # the pattern's `%` is the statement's: the parameter is bound to stored text (no `%` of its own), and
    # its rare side to a word no row starts with — not `%qzxjv%`, which makes the prefix search an infix one
    sql = f"SELECT id FROM users WHERE lower(username) LIKE {pattern} ORDER BY lower(username) LIMIT 10"
    value = bind_from_stats(sql, SNAP, STATS)[1]["$1"]
    assert not value.rstrip("'").endswith("%") and bind_rare(sql, SNAP, STATS)[1] == {"$1": "'qzxjv'"}


def test_a_function_of_the_parameter_before_the_wildcard_is_a_prefix_search():
    # the usual autocomplete: the typed text lower-cased, then `%`
    assert preds("SELECT id FROM users WHERE lower(username) LIKE lower($1) || '%'") == [
        ("like_prefix", None, "LOWER(username)", None, True)]
    assert preds("SELECT id FROM users WHERE lower(username) LIKE concat(lower($1::text), '%')") == [
        ("like_prefix", None, "LOWER(username)", None, True)]
    cset = generate({"q": analyze("SELECT id FROM users WHERE lower(username) LIKE lower($1) || '%' AND deleted_at IS NULL",
                                  SNAP)}, SNAP, STATS, set())  # fmt: skip
    assert "public.users USING btree ((LOWER(username)) text_pattern_ops) WHERE deleted_at IS NULL" in [
        c.signature for c in cset.candidates]
    # silent: a wildcard before the parameter's function, or a column in it
    assert preds("SELECT id FROM users WHERE lower(username) LIKE '%' || lower($1) || '%'")[0][0] == "like_infix"
    assert [k for k, *_ in preds("SELECT id FROM users WHERE lower(username) LIKE lower(display_name) || '%'")] == []


CODES = table("parts", [("id", "bigint"), ("code", "character(8)"), ("sku", "character varying(20)"), ("name", "text")],
              200_000, indexes=[pk("parts")])  # fmt: skip
CODES_SNAP = SchemaSnapshot(tables=[CODES])


def test_the_pattern_opclass_follows_the_key_type():
    # character(n): text_pattern_ops "does not accept data type character" (PostgreSQL), bpchar_pattern_ops does
    sigs = [c.signature for c in generate({"q": analyze("SELECT id FROM parts WHERE code LIKE 'AB%'", CODES_SNAP)},
                                          CODES_SNAP, {}, set()).candidates]  # fmt: skip
    assert "public.parts USING btree (code bpchar_pattern_ops)" in sigs and not any("code text_pattern_ops" in s for s in sigs)
    assert pattern_ops("code", CODES) == "bpchar_pattern_ops"
    assert pattern_ops("CAST(name AS CHAR(4))", CODES) == "bpchar_pattern_ops"
    assert pattern_ops("sku", CODES) == "varchar_pattern_ops"
    # silent: a function of the column returns text; a cast inside a function is not the key's type
    assert pattern_ops("LOWER(code)", CODES) == "text_pattern_ops"
    assert pattern_ops("LOWER(CAST(name AS VARCHAR))", CODES) == "text_pattern_ops"
    assert pattern_ops("name", CODES) == "text_pattern_ops"


def test_an_escape_clause_keeps_the_like_and_its_fixed_text():
    sql = "SELECT id FROM users WHERE lower(username) LIKE '50!%!_off%' ESCAPE '!' ORDER BY lower(username) LIMIT 10"
    ((kind, col, expr, value, param),) = preds(sql)
    assert (kind, expr) == ("like_prefix", "LOWER(username)") and like_prefix_text(value) == "50%_off"
    assert ("like_prefix", "username", None) == preds("SELECT id FROM users WHERE username LIKE 'a\\b%' ESCAPE ''")[0][:3]
    assert like_prefix_text(preds("SELECT id FROM users WHERE username LIKE 'a\\b%' ESCAPE ''")[0][3]) == "a\\b"
    # an escaped leading wildcard is literal text: still a prefix search
    assert preds("SELECT id FROM users WHERE username LIKE '!%x%' ESCAPE '!'")[0][0] == "like_prefix"
    # silent: negated, or a real leading wildcard
    assert preds("SELECT id FROM users WHERE username NOT LIKE 'ab%' ESCAPE '!'") == []
    assert preds("SELECT id FROM users WHERE username LIKE '%ab!%%' ESCAPE '!'")[0][0] == "like_infix"
