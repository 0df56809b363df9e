"""A `$n` query's common side (issue 16: "a rare and a common value"): a query with an equality parameter
on a skewed column is costed twice, half its weight each — with the representative (histogram) value and,
as `<id>.common`, with the column's most common value (`workload.with_sides`)."""

from __future__ import annotations

import pytest

from dbarchitect.core.indexing.models import ColumnStats, WorkloadQuery
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.indexing.workload import bind_common, bind_from_stats, bind_rare, with_sides
from dbarchitect.core.models import SchemaSnapshot

from tests.unit.index.kit import pk, table

SNAP = SchemaSnapshot(database="t", tables=[
    table("customers", [("id", "bigint"), ("tenant_id", "bigint"), ("phone", "text"), ("status", "text")],
          1_000_000, indexes=[pk("customers")])])  # fmt: skip
STATS = {
    # tenant 1 holds 8.5 % of the customers, 3,000 tenants in all: a common side
    ("public.customers", "tenant_id"): ColumnStats(table="public.customers", column="tenant_id", n_distinct=3000,
                                                   most_common_vals=["1", "7"], most_common_freqs=[0.085, 0.02],
                                                   histogram_bounds=["3", "900", "2615", "2999"]),
    # four statuses, the commonest at 40 %: no value stands out against the average (25 %)
    ("public.customers", "status"): ColumnStats(table="public.customers", column="status", n_distinct=4,
                                                most_common_vals=["active", "new", "idle", "banned"],
                                                most_common_freqs=[0.4, 0.3, 0.2, 0.1]),
    ("public.customers", "phone"): ColumnStats(table="public.customers", column="phone", n_distinct=-0.6,
                                               histogram_bounds=["+100", "+200", "+300"]),
}  # fmt: skip

SQL = "SELECT id FROM customers WHERE tenant_id = $1 AND phone = $2 LIMIT $3"


def test_a_skewed_equality_parameter_gets_its_most_common_value():
    rare, _ = bind_from_stats(SQL, SNAP, STATS)
    common, values = bind_common(SQL, SNAP, STATS)
    assert "tenant_id = '2615'" in rare or "tenant_id = '900'" in rare  # a histogram value: a small tenant
    assert "tenant_id = '1'" in common and values["$1"] == "'1'"
    assert "phone = '+200'" in common and common.endswith("LIMIT 10")  # the other parameters as bound


def test_no_common_side_without_skew_or_for_a_range():
    assert bind_common("SELECT id FROM customers WHERE status = $1", SNAP, STATS) == (None, {})
    assert bind_common("SELECT id FROM customers WHERE tenant_id > $1", SNAP, STATS) == (None, {})
    assert bind_common("SELECT id FROM customers WHERE phone = $1", SNAP, STATS) == (None, {})


def test_the_query_is_costed_twice_at_half_its_weight():
    q = WorkloadQuery(id="q1", sql=SQL, weight=40)
    q.explain_sql, q.bound_parameters = bind_from_stats(SQL, SNAP, STATS)
    other = WorkloadQuery(id="q2", sql="SELECT id FROM customers WHERE status = $1", weight=10)
    shapes = {x.id: analyze(x.sql, SNAP) for x in (q, other)}
    notes: list[str] = []
    out, shaped = with_sides([q, other], shapes, SNAP, STATS, notes)
    assert [x.id for x in out] == ["q1", "q1.common", "q2"]
    assert [x.weight for x in out] == [20, 20, 10]
    assert "tenant_id = '1'" in out[1].costed_sql and out[1].sql == SQL
    assert shaped["q1.common"] is shapes["q1"]
    assert len(notes) == 1 and "q1.common" in notes[0] and "$1 = '1'" in notes[0]


def test_a_parameter_inside_a_function_is_bound_from_the_column_it_is_compared_with():
    # `lower(email) = lower($2)`: the comparison is with phone/email, the function wraps the parameter alone
    sql = "SELECT id FROM customers WHERE tenant_id = $1 AND lower(phone) = lower($2) LIMIT 1"
    bound, values = bind_from_stats(sql, SNAP, STATS)
    assert bound is not None and "lower('+200')" in bound and set(values) == {"$1", "$2"}
    common, _ = bind_common(sql, SNAP, STATS)
    assert "tenant_id = '1'" in common and "lower('+200')" in common


# --- the rare side: a parameter searched for inside a column -------------------------------------------

DOCS = SchemaSnapshot(database="t", tables=[
    table("items", [("id", "bigint"), ("tenant_id", "bigint"), ("title", "text"), ("attrs", "jsonb"),
                    ("tags", "text[]")], 1_000_000, indexes=[pk("items")])])  # fmt: skip
DOC_STATS = {
    ("public.items", "tenant_id"): STATS[("public.customers", "tenant_id")].model_copy(update={"table": "public.items"}),
    ("public.items", "title"): ColumnStats(table="public.items", column="title", n_distinct=-0.9,
                                           histogram_bounds=["alpha bug", "login fails", "zebra crash"]),
    ("public.items", "attrs"): ColumnStats(table="public.items", column="attrs", n_distinct=-0.5,
                                           histogram_bounds=['{"color": "red", "size": "M"}', '{"size": "L"}']),
    ("public.items", "tags"): ColumnStats(table="public.items", column="tags", n_distinct=-0.5,
                                          histogram_bounds=["{a,b}", "{c}"]),
}  # fmt: skip


def test_a_searched_parameter_gets_a_value_no_row_holds():
    sql, values = bind_rare("SELECT id FROM items WHERE title ILIKE $1 LIMIT 20", DOCS, DOC_STATS)
    assert values == {"$1": "'%qzxjv%'"} and "ILIKE '%qzxjv%'" in sql
    # the representative value is a stored title's prefix: the common case
    assert "ILIKE 'login fails%'" in bind_from_stats("SELECT id FROM items WHERE title ILIKE $1", DOCS, DOC_STATS)[0]
    # a pattern built around the parameter: the bare word
    sql, _ = bind_rare("SELECT id FROM items WHERE title ILIKE '%' || $1 || '%'", DOCS, DOC_STATS)
    assert "'%' || 'qzxjv' || '%'" in sql
    # jsonb containment: a stored key with a value no document has
    sql, _ = bind_rare("SELECT id FROM items WHERE attrs @> $1::jsonb AND tenant_id = $2", DOCS, DOC_STATS)
    assert """attrs @> '{"size": "qzxjv"}'::jsonb""" in sql
    assert "tenant_id = '1'" in sql  # with the largest tenant: the search that reads the most without a GIN
    sql, _ = bind_rare("SELECT id FROM items WHERE to_tsvector('english', title) @@ plainto_tsquery('english', $1)",
                       DOCS, DOC_STATS)  # fmt: skip
    assert "plainto_tsquery('english', 'qzxjv')" in sql


def test_no_rare_side_for_equality_or_ranges():
    for sql in ("SELECT id FROM items WHERE title = $1", "SELECT id FROM items WHERE tenant_id > $1",
                "SELECT id FROM items WHERE attrs ->> 'size' = $1", "SELECT id FROM items WHERE tags = $1"):
        assert bind_rare(sql, DOCS, DOC_STATS) == (None, {}), sql


def test_an_array_column_searched_for_an_element():
    # the representative: a stored array, or its first element where the parameter is one element
    assert bind_from_stats("SELECT id FROM items WHERE tags && $1::text[]", DOCS, DOC_STATS)[1] == {"$1": "'{c}'"}
    assert bind_from_stats("SELECT id FROM items WHERE tags @> ARRAY[$1]", DOCS, DOC_STATS)[1] == {"$1": "'c'"}
    assert bind_from_stats("SELECT id FROM items WHERE $1 = ANY(tags)", DOCS, DOC_STATS)[1] == {"$1": "'c'"}
    # the rare side: an element no row holds, as an array or as the element
    assert bind_rare("SELECT id FROM items WHERE tags && $1::text[]", DOCS, DOC_STATS)[1] == {"$1": "'{qzxjv}'"}
    assert bind_rare("SELECT id FROM items WHERE tags @> ARRAY[$1]", DOCS, DOC_STATS)[1] == {"$1": "'qzxjv'"}
    assert bind_rare("SELECT id FROM items WHERE $1 = ANY(tags)", DOCS, DOC_STATS)[1] == {"$1": "'qzxjv'"}
    ints = SchemaSnapshot(database="t", tables=[table("items", [("id", "bigint"), ("labels", "integer[]")], 1000)])
    stats = {("public.items", "labels"): ColumnStats(table="public.items", column="labels", histogram_bounds=["{1,2}", "{7}"])}
    assert bind_rare("SELECT id FROM items WHERE labels && $1::int[]", ints, stats)[1] == {"$1": "'{-2147483648}'"}
    # an element type without a value known to be absent: no rare side
    uuids = SchemaSnapshot(database="t", tables=[table("items", [("id", "bigint"), ("labels", "uuid[]")], 1000)])
    assert bind_rare("SELECT id FROM items WHERE labels && $1", uuids, stats) == (None, {})


def test_a_query_with_both_sides_is_costed_three_times_at_a_third_of_its_weight():
    sql = "SELECT id FROM items WHERE tenant_id = $1 AND attrs @> $2::jsonb LIMIT 20"
    q = WorkloadQuery(id="q7", sql=sql, weight=30)
    q.explain_sql, q.bound_parameters = bind_from_stats(sql, DOCS, DOC_STATS)
    shapes = {q.id: analyze(sql, DOCS)}
    notes: list[str] = []
    out, shaped = with_sides([q], shapes, DOCS, DOC_STATS, notes)
    assert [(x.id, x.weight) for x in out] == [("q7", 10), ("q7.common", 10), ("q7.rare", 10)]
    assert "qzxjv" in out[2].costed_sql and "qzxjv" not in out[1].costed_sql
    assert shaped["q7.rare"] is shapes["q7"] and len(notes) == 2 and "q7.rare" in notes[1]


# --- representative values: ranges that hold rows, lists of distinct values, array parameters ------------

TIMES = ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01", "2024-07-01",
         "2024-08-01", "2024-09-01", "2024-10-01", "2024-11-01"]  # fmt: skip
RANGE_STATS = {
    **DOC_STATS,
    ("public.items", "id"): ColumnStats(table="public.items", column="id", n_distinct=-1.0, histogram_bounds=TIMES),
}


def test_a_lower_and_an_upper_bound_on_one_column_make_a_range_that_holds_rows():
    sql, values = bind_from_stats("SELECT id FROM items WHERE id >= $1 AND id < $2", DOCS, RANGE_STATS)
    assert values == {"$1": "'2024-10-01'", "$2": "'2024-11-01'"}, values  # a recent window, not an empty one
    sql, values = bind_from_stats("SELECT id FROM items WHERE id BETWEEN $1 AND $2", DOCS, RANGE_STATS)
    assert values == {"$1": "'2024-10-01'", "$2": "'2024-11-01'"}, values
    # an upper bound alone stays near the bottom (a queue's due items), a lower bound alone near the top
    _, values = bind_from_stats("SELECT id FROM items WHERE id <= $1", DOCS, RANGE_STATS)
    assert values == {"$1": "'2024-02-01'"}


def test_an_in_list_of_parameters_gets_distinct_values_and_an_array_parameter_an_array():
    _, values = bind_from_stats("SELECT id FROM items WHERE id IN ($1, $2, $3)", DOCS, RANGE_STATS)
    assert len(set(values.values())) == 3, values
    sql, values = bind_from_stats("SELECT id FROM items WHERE id = ANY($1::text[])", DOCS, RANGE_STATS)
    assert sql is not None and values["$1"].startswith("'{\"2024-") and values["$1"].count(",") == 2, values
    # the common side of an array of tenants: the largest one
    sql, values = bind_common("SELECT id FROM items WHERE tenant_id = ANY($1)", DOCS, DOC_STATS)
    assert values == {"$1": """'{"1"}'"""}, values
    assert bind_rare("SELECT id FROM items WHERE title = ANY($1)", DOCS, DOC_STATS) == (None, {})


def test_an_array_on_a_status_like_column_takes_its_commonest_values():
    _, values = bind_from_stats("SELECT id FROM customers WHERE status = ANY($1::text[])", SNAP, STATS)
    assert values == {"$1": """'{"active","new","idle"}'"""}, values
    # a scalar keeps the middle value of the list
    _, values = bind_from_stats("SELECT id FROM customers WHERE status = $1", SNAP, STATS)
    assert values == {"$1": "'idle'"}, values


def test_a_key_test_gets_a_stored_key_and_a_regular_expression_a_literal_stored_text():
    _, values = bind_from_stats("SELECT id FROM items WHERE attrs ? $1", DOCS, DOC_STATS)
    assert values == {"$1": "'size'"}, values  # not a whole document, which is no key
    stats = {**DOC_STATS, ("public.items", "title"): ColumnStats(table="public.items", column="title",
                                                                  histogram_bounds=["a", "v1.2 (beta)?", "z"])}
    _, values = bind_from_stats("SELECT id FROM items WHERE title ~* $1", DOCS, stats)
    assert values == {"$1": r"'v1\.2 \(beta\)\?'"}, values


def test_literal_searches_are_found_with_a_value_no_row_holds():
    from dbarchitect.core.indexing.workload import literal_searches

    (jsonb,) = literal_searches("""SELECT id FROM items i WHERE i.tenant_id = 1 AND i.attrs @> '{"size": "M"}'::jsonb""", DOCS)
    assert jsonb.table == "public.items" and jsonb.written == """'{"size": "M"}'""" and jsonb.rare == """'{"size": "qzxjv"}'"""
    assert "i." not in jsonb.predicate and jsonb.predicate.startswith("attrs @>")  # probed on the table alone
    (pattern,) = literal_searches("SELECT id FROM items WHERE title ILIKE '%login%'", DOCS)
    assert pattern.rare == "'%qzxjv%'"
    (array,) = literal_searches("SELECT id FROM items WHERE tags && '{a}'", DOCS)
    assert array.rare == "'{qzxjv}'"
    # silent: a prefix pattern, a negated search, a parameter, a literal written twice, an equality
    for sql in ("SELECT id FROM items WHERE title ILIKE 'log%'", "SELECT id FROM items WHERE title NOT ILIKE '%login%'",
                "SELECT id FROM items WHERE title ILIKE $1",
                "SELECT id FROM items WHERE title ILIKE '%login%' OR name ILIKE '%login%'",
                "SELECT id FROM items WHERE title = '%login%'"):
        assert literal_searches(sql, DOCS) == [], sql


def test_a_literal_full_text_search_is_found_with_a_word_no_row_holds():
    from dbarchitect.core.indexing.workload import literal_searches

    (fts,) = literal_searches("SELECT id FROM items i WHERE to_tsvector('simple', i.title) @@ "
                              "plainto_tsquery('simple', 'login') ORDER BY id DESC LIMIT 20", DOCS)  # fmt: skip
    assert fts.table == "public.items" and fts.written == "'login'" and fts.rare == "'qzxjv'" and fts.unsampled
    assert "i." not in fts.predicate and "@@" in fts.predicate
    # silent: negated, a parameter, the word written twice
    for sql in ("SELECT id FROM items WHERE NOT to_tsvector('simple', title) @@ plainto_tsquery('simple', 'login')",
                "SELECT id FROM items WHERE to_tsvector('simple', title) @@ plainto_tsquery('simple', $1)",
                "SELECT id FROM items WHERE to_tsvector('simple', title) @@ plainto_tsquery('simple', 'login') "
                "AND title <> 'login'"):
        assert literal_searches(sql, DOCS) == [], sql


FOLLOWS = SchemaSnapshot(database="t", tables=[
    table("follows", [("follower_id", "bigint"), ("followee_id", "bigint")], 3_000_000),
    table("posts", [("id", "bigint"), ("hashtags", "text[]"), ("created_at", "timestamptz")], 1_000_000)])  # fmt: skip


def test_a_value_of_thousands_of_rows_has_a_common_side_below_one_percent():
    # one account follows 4,200 of 3 M follows (0.14 %, 300× the average of 13): a feed over its followees
    # fans out to thousands of authors, planned unlike the dozen of a typical follower
    heavy = {("public.follows", "follower_id"): ColumnStats(
        table="public.follows", column="follower_id", n_distinct=231_000, most_common_vals=["469546", "405307"],
        most_common_freqs=[0.0014, 0.0006], histogram_bounds=["3", "250000", "499000"])}  # fmt: skip
    sql = "SELECT followee_id FROM follows WHERE follower_id = $1"
    assert bind_common(sql, FOLLOWS, heavy)[1] == {"$1": "'469546'"}
    # silent: the same share of a 300,000-row table is 420 rows — not a different plan
    small = SchemaSnapshot(database="t", tables=[table("follows", [("follower_id", "bigint")], 300_000)])
    assert bind_common(sql, small, heavy) == (None, {})


def test_a_popular_array_element_has_a_common_side():
    popular = {("public.posts", "hashtags"): ColumnStats(
        table="public.posts", column="hashtags", n_distinct=-0.8, histogram_bounds=["{a,b}", "{kafupex}"],
        most_common_elems=["account", "error", "rare1"], most_common_elem_freqs=[0.06, 0.05, 0.002])}  # fmt: skip
    assert bind_common("SELECT id FROM posts WHERE hashtags @> ARRAY[$1]::text[]", FOLLOWS, popular)[1] == {"$1": "'account'"}
    assert bind_common("SELECT id FROM posts WHERE hashtags && $1::text[]", FOLLOWS, popular)[1] == {"$1": "'{account}'"}
    # silent: elements of even frequency, or none listed
    flat = {k: v.model_copy(update={"most_common_elem_freqs": [0.01, 0.009, 0.008]}) for k, v in popular.items()}
    assert bind_common("SELECT id FROM posts WHERE hashtags @> ARRAY[$1]::text[]", FOLLOWS, flat) == (None, {})
    bare = {k: v.model_copy(update={"most_common_elems": [], "most_common_elem_freqs": []}) for k, v in popular.items()}
    assert bind_common("SELECT id FROM posts WHERE hashtags @> ARRAY[$1]::text[]", FOLLOWS, bare) == (None, {})


@pytest.mark.parametrize(("element", "literal"), [
    ("a,b", """'{"a,b"}'"""), ('say "hi"', r"""'{"say \"hi\""}'"""), ("NULL", """'{"NULL"}'"""),
    ("{x}", """'{"{x}"}'"""), ("c:\\tmp", r"""'{"c:\\tmp"}'"""), ("it's", """'{"it''s"}'"""),
    ("account", "'{account}'"), ("2026-01-01", "'{2026-01-01}'")])  # fmt: skip
def test_a_popular_array_element_is_bound_as_one_element(element, literal):
    # pg_stats lists elements unquoted; `{a,b}` would search for two elements and `{NULL}` for a NULL one
    popular = {("public.posts", "hashtags"): ColumnStats(
        table="public.posts", column="hashtags", n_distinct=-0.8, histogram_bounds=["{a,b}", "{kafupex}"],
        most_common_elems=[element, "error", "rare1"], most_common_elem_freqs=[0.06, 0.05, 0.002])}  # fmt: skip
    assert bind_common("SELECT id FROM posts WHERE hashtags && $1::text[]", FOLLOWS, popular)[1] == {"$1": literal}
    # an element parameter takes the element itself
    assert bind_common("SELECT id FROM posts WHERE hashtags @> ARRAY[$1]::text[]", FOLLOWS, popular)[1] == {
        "$1": "'" + element.replace("'", "''") + "'"}


def test_the_popular_element_is_the_most_frequent_one_not_the_first_listed():
    # pg_stats lists the elements in value order: the popular tag may stand anywhere in the list
    stats = {("public.posts", "hashtags"): ColumnStats(
        table="public.posts", column="hashtags", n_distinct=-0.8, histogram_bounds=["{a,b}", "{kafupex}"],
        most_common_elems=["aardvark", "error", "zebra"], most_common_elem_freqs=[0.002, 0.3, 0.002])}  # fmt: skip
    assert bind_common("SELECT id FROM posts WHERE hashtags @> ARRAY[$1]::text[]", FOLLOWS, stats)[1] == {"$1": "'error'"}
    # silent: a list with no popular element, whatever its order
    flat = {k: v.model_copy(update={"most_common_elem_freqs": [0.002, 0.003, 0.002]}) for k, v in stats.items()}
    assert bind_common("SELECT id FROM posts WHERE hashtags @> ARRAY[$1]::text[]", FOLLOWS, flat) == (None, {})


def test_a_literal_search_keeps_its_escape_clause_and_a_tsvector_column_is_sampled():
    from dbarchitect.core.indexing.workload import literal_searches

    # the probe is the predicate as written: without ESCAPE '!' the `!%` would be two characters, not a `%`
    (escaped,) = literal_searches("SELECT id FROM items i WHERE i.title LIKE '%50!%%' ESCAPE '!'", DOCS)
    assert escaped.predicate == "title LIKE '%50!%%' ESCAPE '!'" and escaped.rare == "'%qzxjv%'"
    for sql in ("SELECT id FROM items WHERE NOT (title LIKE '%50!%%' ESCAPE '!')",
                "SELECT id FROM items WHERE title NOT LIKE '%50!%%' ESCAPE '!'"):
        assert literal_searches(sql, DOCS) == [], sql
    # a tsvector column has statistics (its common lexemes): the planner's figure is a sample's, not a fixed share
    vec = SchemaSnapshot(database="t", tables=[table("docs", [("id", "bigint"), ("body", "text"), ("tsv", "tsvector")],
                                                     100_000, indexes=[pk("docs")])])  # fmt: skip
    (col,) = literal_searches("SELECT id FROM docs WHERE tsv @@ plainto_tsquery('simple', 'login')", vec)
    assert not col.unsampled
    (computed,) = literal_searches("SELECT id FROM docs WHERE to_tsvector('simple', body) @@ "
                                   "plainto_tsquery('simple', 'login')", vec)  # fmt: skip
    assert computed.unsampled
