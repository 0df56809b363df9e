"""Bindings of `$n` that ran but meant something else (review of the rare-side / range binding change):
an empty range from a short histogram, a rare side for a negated search, a whole stored array bound to one
element, and stored text whose LIKE metacharacters change the pattern."""

from __future__ import annotations

from dbarchitect.core.indexing.models import ColumnStats
from dbarchitect.core.indexing.workload import bind_from_stats, bind_rare

from tests.unit.index.test_common_side import DOC_STATS, DOCS, RANGE_STATS, TIMES


def _with(column: str, **kw) -> dict:
    return {**RANGE_STATS, ("public.items", column): ColumnStats(table="public.items", column=column, **kw)}


def test_a_paired_range_on_a_short_histogram_holds_rows():
    # ten bounds or fewer: the lower bound's 90th-percentile place is the last bound, the upper bound's too
    stats = _with("id", n_distinct=-1.0, histogram_bounds=TIMES[:6])
    _, values = bind_from_stats("SELECT id FROM items WHERE id >= $1 AND id < $2", DOCS, stats)
    assert values["$1"] < values["$2"], values
    _, values = bind_from_stats("SELECT id FROM items WHERE id BETWEEN $1 AND $2", DOCS, stats)
    assert values["$1"] < values["$2"], values


def test_a_paired_range_without_a_histogram_is_not_bound_to_one_value_twice():
    # only most common values (unordered): no range can be told to hold rows — the generic plan, not `>= v AND < v`
    stats = _with("id", n_distinct=3, most_common_vals=["2024-01-01", "2024-02-01", "2024-03-01"],
                  most_common_freqs=[0.4, 0.3, 0.3])  # fmt: skip
    sql, values = bind_from_stats("SELECT id FROM items WHERE id >= $1 AND id < $2", DOCS, stats)
    assert sql is None or values["$1"] != values["$2"], (sql, values)
    # a lone bound still takes a value
    assert bind_from_stats("SELECT id FROM items WHERE id >= $1", DOCS, stats)[0] is not None


def test_a_long_histogram_range_is_unchanged():
    _, values = bind_from_stats("SELECT id FROM items WHERE id >= $1 AND id < $2", DOCS, RANGE_STATS)
    assert values == {"$1": "'2024-10-01'", "$2": "'2024-11-01'"}


def test_no_rare_side_for_a_negated_search():
    # NOT LIKE '%qzxjv%' holds every row: no search for something rare, no index kind it argues for
    for sql in ("SELECT id FROM items WHERE title NOT LIKE $1", "SELECT id FROM items WHERE title NOT ILIKE $1",
                "SELECT id FROM items WHERE title !~~* $1", "SELECT id FROM items WHERE NOT (title ILIKE $1)",
                "SELECT id FROM items WHERE title !~ $1"):  # fmt: skip
        assert bind_rare(sql, DOCS, DOC_STATS) == (None, {}), sql
    assert bind_rare("SELECT id FROM items WHERE title ILIKE $1", DOCS, DOC_STATS)[0] is not None


def test_an_element_parameter_of_an_array_column_is_not_bound_to_a_whole_array():
    # `$1 = ANY(tags)`: $1 is one element; the histogram holds whole arrays ('{c}'), which as an int[]
    # element does not even parse
    sql, values = bind_from_stats("SELECT id FROM items WHERE $1 = ANY(tags)", DOCS, DOC_STATS)
    assert sql is not None and not values["$1"].startswith("'{"), (sql, values)
    # an array parameter against a scalar column is still bound
    assert bind_from_stats("SELECT id FROM items WHERE title = ANY($1)", DOCS, DOC_STATS)[0] is not None


def test_a_stored_value_used_as_a_pattern_keeps_its_characters_literal():
    stats = _with("title", n_distinct=-0.9, histogram_bounds=["a", "50%_off\\", "z"])
    _, values = bind_from_stats("SELECT id FROM items WHERE title LIKE $1", DOCS, stats)
    assert values["$1"] == "'50\\%\\_off\\\\%'", values  # a prefix of the stored value, not a wildcard
    # a pattern ending with the value: an unescaped trailing backslash is an error in PostgreSQL
    _, values = bind_from_stats("SELECT id FROM items WHERE title ILIKE '%' || $1", DOCS, stats)
    assert values["$1"] == "'50\\%\\_off\\\\'", values
    # equality keeps the value as stored
    _, values = bind_from_stats("SELECT id FROM items WHERE title = $1", DOCS, stats)
    assert values["$1"] == "'50%_off\\'", values
