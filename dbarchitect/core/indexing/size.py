"""Size of a plain btree index under deduplication (PostgreSQL 13+), from pg_stats.

HypoPG (1.3) sizes a btree as one index tuple per row. Since PostgreSQL 13 a btree stores equal
keys once, followed by a posting list of 6-byte heap TIDs, whenever every key column's operator
class allows it ("equalimage": integers, dates, timestamps, text with a deterministic collation, …;
not numeric, floats, jsonb, arrays, or intervals). On a foreign-key column with 30 rows per value
that is a 3–4× smaller index (TPC-H `lineitem (l_partkey)`: HypoPG 150 MB, built 43 MB), and a
budget spent on HypoPG's figure runs out early.

`dedup_btree_size` estimates a freshly built (CREATE INDEX) index, mirroring nbtsort:
- distinct keys D from pg_stats n_distinct (the product over key columns, capped at the rows N);
  k = N / D rows per key, assumed evenly spread;
- a plain leaf tuple is MAXALIGN(8-byte header + key data) plus a 4-byte line pointer; a posting
  tuple is MAXALIGN(MAXALIGN(header + key) + 6 × TIDs), and CREATE INDEX caps a posting tuple at
  10 % of a page (≈ 130 TIDs for an int4 key), so a key with k rows takes ⌈k / cap⌉ of them —
  whichever of plain or posting is smaller (build-time dedup only merges when it saves space);
- leaf pages are filled to the default fillfactor 90 (8152 usable bytes less 819 left free), plus
  about 1 % for the inner pages and the metapage.

It answers None where deduplication does not apply or is disabled — unique, partial (the share of
rows is HypoPG's to estimate), expression and INCLUDE indexes, non-btree methods, key types
without equalimage, non-default collations, missing statistics — and the caller keeps HypoPG's
estimate. It also answers None for a physically ordered column (|correlation| ≥ 0.5) with more
distinct values than ANALYZE's sample can see repeatedly: ANALYZE samples whole blocks, on such a
column the rows of one block share their values, and n_distinct comes out several times too low
(TPC-H l_orderkey: 384 k for 1.5 M), which would make the index look far smaller than it is.
Measured against built indexes on TPC-H SF1 (`bench/tpch/README.md`) and the blog sample
(`tests/live/index`): within ±5 % for single keys; several-column keys are overestimated when
their columns are correlated (the product of n_distinct), never underestimated by that.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from dbarchitect.core.indexing.models import Candidate, ColumnStats
from dbarchitect.core.models import SchemaSnapshot

BLOCK = 8192
PAGE_USABLE = BLOCK - 24 - 16  # page header, btree special space
LEAF_FREE = BLOCK * 10 // 100  # fillfactor 90: CREATE INDEX leaves 10 % of each leaf page free
MAX_POSTING = (BLOCK * 10 // 100) // 8 * 8 - 4  # nbtsort: MAXALIGN_DOWN(BLCKSZ / 10) - sizeof(ItemIdData)
TUPLE_HEADER = 8  # IndexTupleData
LINE_POINTER = 4
TID = 6
INNER_OVERHEAD = 1.01  # inner pages + metapage
CLUSTERED_CORRELATION = 0.5  # |pg_stats.correlation| from which ANALYZE's block sample undercounts …
CLUSTERED_MIN_DISTINCT = 1000  # … the distinct values, unless there are few enough to all be seen often

# Types whose default btree operator class has an equalimage support function (deduplication safe),
# with their alignment. Varlena types (text, bytea, …) are stored with a 1-byte header, unaligned.
_FIXED: dict[str, int] = {
    "smallint": 2, "integer": 4, "bigint": 8, "oid": 4, "date": 4, "boolean": 1, '"char"': 1,
    "timestamp without time zone": 8, "timestamp with time zone": 8, "time without time zone": 8,
    "uuid": 1, "money": 8,
}  # fmt: skip
_VARLENA = ("text", "character varying", "character", "bytea", "name")
_DETERMINISTIC = {None, "default", "C", "POSIX", "ucs_basic", "pg_c_utf8"}


def _maxalign(n: float) -> float:
    return math.ceil(n / 8) * 8


def _type_align(type_text: str) -> int | None:
    """The alignment of a dedup-safe key type, 0 for a varlena one, None when dedup is unsafe."""
    t = re.sub(r"\(.*?\)", "", type_text.lower()).strip()
    if t.endswith("[]"):
        return None
    if t in _FIXED:
        return _FIXED[t]
    if t in _VARLENA:
        return 0
    return None


def dedup_btree_size(cand: Candidate, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats]) -> int | None:
    """Estimated bytes of `cand` built with btree deduplication, or None where it does not apply."""
    if cand.method != "btree" or cand.include or cand.predicate or not cand.columns or None in cand.columns:
        return None
    if any(" " in k.strip().removesuffix(" DESC").strip() for k in cand.keys):  # operator class (text_pattern_ops …)
        return None
    table = snapshot.table(cand.table)
    if table is None or table.estimated_rows <= 0:
        return None
    cols = {c.name: c for c in table.columns}
    rows = float(table.estimated_rows)
    distinct, data = 1.0, 0.0
    for name in cand.columns:
        col, st = cols.get(name), stats.get((cand.table, name))
        if col is None or st is None or col.collation not in _DETERMINISTIC:
            return None
        align = _type_align(col.type)
        if align is None:
            return None
        if (st.correlation is not None and abs(st.correlation) >= CLUSTERED_CORRELATION
                and st.distinct(rows) > CLUSTERED_MIN_DISTINCT):  # fmt: skip
            return None
        width = max(1, st.avg_width)
        if align:
            data = math.ceil(data / align) * align
        data += width
        distinct *= st.distinct(rows)
    distinct = min(max(distinct, 1.0), rows)
    k = rows / distinct
    key_tuple = _maxalign(TUPLE_HEADER + data)
    plain = k * (key_tuple + LINE_POINTER)
    per_posting = max(1, int((MAX_POSTING - key_tuple) // TID))
    postings = math.ceil(k / per_posting)
    posting = postings * (LINE_POINTER + key_tuple) + _maxalign(k * TID) + (postings - 1) * 4
    leaf_bytes = distinct * min(plain, posting)
    pages = math.ceil(leaf_bytes / (PAGE_USABLE - LEAF_FREE) * INNER_OVERHEAD) + 1
    return pages * BLOCK
