"""Numbers that decide whether a document rule fires (one place, as core/plan/thresholds.py is for plans)."""

MIB = 1024 * 1024
#: MongoDB's memory limit for one blocking SORT, $group, $bucket… (before spilling, or failing without allowDiskUse)
STAGE_MEMORY_LIMIT = 100 * MIB

#: an array this long in any sample is a bound that must be enforced (bucket or subset pattern)
ARRAY_MAX_WARN = 1000
#: … and this long in 5% of samples is already a read/write cost
ARRAY_P95_ADVICE = 200
#: object/array nesting levels below the top-level document
DEPTH_ADVICE = 5
#: a document this large is half-way to the 16 MB limit
DOC_BYTES_WARN = 8 * MIB
DOC_BYTES_ERROR = 14 * MIB
#: documents this large at the 95th percentile crowd the cache (working set)
DOC_P95_ADVICE = 1 * MIB
#: an embedded object repeated this often in the samples is a copy of shared data
EMBED_MIN_OCCURRENCES = 5
EMBED_MAX_DISTINCT_SHARE = 0.5
EMBED_MIN_KEYS = 3
#: a collection scan reading this many documents is worth an index
COLLSCAN_DOCS = 10_000
#: documents examined per document returned beyond which the index is the wrong one
EXAMINED_PER_RETURNED = 10
EXAMINED_MIN_DOCS = 1_000
#: a blocking sort of this many documents, or this share of the memory limit, is worth an index
SORT_MIN_DOCS = 1_000
SORT_MEMORY_SHARE = 0.1
#: a $group/$sort stage using this share of the memory limit is close to spilling (or failing)
GROUP_MEMORY_SHARE = 0.5
#: $unwind multiplying documents by this factor (and producing at least UNWIND_MIN_OUT) explodes
UNWIND_FACTOR = 10
UNWIND_MIN_OUT = 100_000
#: an unwound array this long at the 95th percentile multiplies the pipeline's documents
UNWIND_ARRAY_P95 = 100
#: a collection written at least as often as read (latencyStats writes/(reads+writes)), with this many writes …
WRITE_HEAVY_SHARE = 0.5
WRITE_HEAVY_MIN_OPS = 10_000
#: … and more secondary indexes than this, pays for them on every insert
SECONDARY_INDEXES_WRITE_HEAVY = 5
