"""Deeply nested input never takes the server down (issue 19): AND/OR chains are walked iteratively
(a 50,000-term chain), and input nested past Python's recursion limit (5,000 parentheses or
subqueries) is a clear, bounded error on every tool that takes SQL; the next call still works."""

import pytest
from mcp import Client
from sqlglot import exp

from dbarchitect.config import load_settings
from dbarchitect.core.rules.query._facts import conjuncts, disjuncts
from dbarchitect.server import build_server

pytestmark = pytest.mark.anyio

DEPTH = 5_000
PARENS = "SELECT * FROM users WHERE " + "(" * DEPTH + "id = 1" + ")" * DEPTH
SUBQUERIES = "SELECT * FROM users WHERE id IN " + "(SELECT id FROM users WHERE id IN " * DEPTH + "(1)" + ")" * DEPTH


def test_50k_term_chains_are_walked_without_recursion():
    terms = [exp.EQ(this=exp.column("a"), expression=exp.Literal.number(i)) for i in range(50_000)]
    chain = terms[0]
    for t in terms[1:]:  # left-deep, as a parser builds `a = 0 OR a = 1 OR …`
        chain = exp.Or(this=chain, expression=t)
    assert disjuncts(exp.Paren(this=chain)) == terms
    both = exp.And(this=exp.Paren(this=chain), expression=exp.Paren(this=exp.And(this=terms[0], expression=terms[1])))
    assert conjuncts(both) == [chain, terms[0], terms[1]]


async def test_deep_nesting_is_a_bounded_error_and_the_server_stays_up(blog_dsn):
    server = build_server(load_settings({"DATABASE_URL": blog_dsn}, use_embedded_scratch=False))
    calls = lambda sql: [  # noqa: E731
        ("run_query", {"sql": sql}), ("review_query", {"sql": sql}), ("review_query", {"sql": sql, "offline": True}),
        ("rewrite_query", {"sql": sql, "verify": False}), ("explain_query", {"sql": sql}),
        ("recommend_indexes", {"queries": [sql]}), ("lint_migration", {"sql": sql, "offline": True}),
    ]
    async with Client(server) as client:
        for label, sql in (("parentheses", PARENS), ("subqueries", SUBQUERIES)):
            for tool, args in calls(sql):
                res = await client.call_tool(tool, args)
                text = res.content[0].text
                assert len(text) < 2_000, (label, tool, len(text))
                if res.is_error:  # the parser's limit or ours, said in a sentence
                    assert "RecursionError" not in text and ("nested too deeply" in text or "does not parse" in text
                                                             or "not valid PostgreSQL" in text or "not linted" in text), (label, tool, text)
                    if "nested too deeply" in text:
                        assert "gave up" in text and "Flatten it" in text
                ok = await client.call_tool("run_query", {"sql": "SELECT 1"})
                assert not ok.is_error and ok.structured_content["rows"] == [[1]], (label, tool)
        res = await client.call_tool("review_query", {"sql": PARENS})
        assert res.is_error and "review_query gave up: the input is nested too deeply" in res.content[0].text
