"""Every number the plan insights use, in one table, each with where it comes from.

"ours" marks a number chosen for dbarchitect where the public tools publish none; the note says
why. Change a number here and every rule that reads it follows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Threshold:
    key: str
    value: float
    unit: str
    source: str
    note: str = ""


_TABLE = (
    # ranking --------------------------------------------------------------------------------------
    Threshold("min_saving_share", 0.01, "share of total", "ours",
              "Insights whose estimated saving is under 1 % of the statement's time (or cost) are dropped."),
    Threshold("min_saving_ms", 0.05, "ms", "ours",
              "Savings below 50 microseconds are noise whatever their share."),
    Threshold("spill_saving_fraction", 0.5, "share of node time", "ours",
              "An operation that fits in memory typically runs in half the time of its spilling form or less."),
    # 3-7 spills and temp I/O: a warning once the spilling node takes this share of the time
    Threshold("sort_share_warning", 0.1, "share of total time", "ours", "A disk sort worth a warning."),
    Threshold("hash_batches_warning", 8, "batches", "ours",
              "Eight or more batches: the hash table is far beyond work_mem x hash_mem_multiplier."),
    Threshold("hashagg_share_warning", 0.1, "share of total time", "ours"),
    Threshold("temp_io_share_warning", 0.1, "share of total time", "ours"),
    # 1 row mis-estimate
    Threshold("misestimate_factor", 10, "x", "pgMustard (>=10x), PEV2, depesz (>10)"),
    Threshold("misestimate_factor_warning", 100, "x", "PEV2, depesz, Query-Sense (100)"),
    Threshold("misestimate_factor_error", 1000, "x", "PEV2, depesz, Query-Sense (1000)"),
    Threshold("misestimate_min_rows", 100, "rows", "ours",
              "A 10x error between 1 and 9 rows rarely changes a plan; one side must reach 100 rows."),
    # 2 stale statistics
    Threshold("stale_analyze_base", 50, "rows", "PostgreSQL autovacuum_analyze_threshold default"),
    Threshold("stale_analyze_scale", 0.1, "share of reltuples", "PostgreSQL autovacuum_analyze_scale_factor default",
              "Past base + scale x reltuples changed rows, autovacuum itself would re-analyze."),
    Threshold("stale_count_drift", 0.2, "share of rows", "ours",
              "reltuples 20 % away from n_live_tup shows the statistics describe another table size."),
    # 8 seq scan discarding rows
    Threshold("seqscan_removed_vs_rows", 2, "x rows returned", "depesz INDEXABLE_SEQSCAN (removed > 2 x rows)"),
    Threshold("seqscan_removed_share", 0.5, "share of rows read", "PEV2 filter badge (50 %)"),
    Threshold("seqscan_removed_share_warning", 0.9, "share of rows read", "PEV2 filter badge (90 %)"),
    Threshold("seqscan_min_bytes", 24 * 1024, "bytes", "depesz ((rows + removed) x width > 24 KiB)"),
    Threshold("seqscan_share_warning", 0.1, "share of total time", "ours",
              "With times, a scan discarding most rows is a warning only when it takes this share."),
    # 9 inefficient index scan
    Threshold("index_removed_share", 0.5, "share of rows read", "PEV2 filter badge (50 %), pganalyze"),
    Threshold("index_removed_share_warning", 0.9, "share of rows read", "PEV2 filter badge (90 %)"),
    Threshold("index_removed_min_rows", 1000, "rows", "ours", "Below a thousand discarded rows the waste is tiny."),
    # 10 ORDER BY + LIMIT walking an index
    Threshold("limit_walk_factor", 100, "x limit rows", "ours",
              "pganalyze names the pattern without a number; 100 rows read per row kept is clearly wasteful."),
    # 11 nested loop
    Threshold("nestloop_inner_loops", 1000, "loops", "Query-Sense (~1000 inner loops)"),
    Threshold("nestloop_inner_share", 0.1, "share of total time", "ours", "The inner side must matter."),
    # 12 late OR join filter
    Threshold("or_join_removed_min", 1000, "rows", "ours", "pganalyze gives no number."),
    Threshold("or_join_removed_factor", 10, "x rows kept", "ours",
              "Discarding ten row pairs per pair kept shows the OR forced a filter instead of a join key."),
    # 13 large offset
    Threshold("offset_min_rows", 1000, "rows", "ours", "pganalyze Large Offset gives no number."),
    Threshold("offset_share_warning", 0.5, "share of total time", "ours",
              "Half the statement's time spent producing skipped rows is a warning."),
    # 14 heap fetches
    Threshold("heap_fetch_share", 0.4, "share of rows", "PEV2 (40 %)"),
    Threshold("heap_fetch_share_warning", 0.9, "share of rows", "PEV2 (90 %)"),
    Threshold("heap_fetch_min", 100, "fetches", "ours", "A handful of heap fetches costs nothing."),
    Threshold("heap_visit_saving_fraction", 0.5, "share of node time", "ours",
              "Half of an index-only scan's time per fetched row is the heap visit."),
    # 15 read efficiency
    Threshold("read_blocks_per_row", 10, "blocks per row", "ours",
              "pgMustard publishes no number; an index lookup costs ~1 heap + few index pages per row."),
    Threshold("read_min_blocks", 500, "blocks", "ours", "4 MB: below this, bloat is not what makes it slow."),
    Threshold("seqscan_rows_per_block", 2, "rows per block", "ours",
              "Below 2 live rows per 8 kB page a table is bloated or its rows belong in TOAST."),
    # 16 cache performance
    Threshold("cache_read_share", 0.5, "share of blocks", "ours", "pgMustard gives no number."),
    Threshold("cache_min_read_blocks", 1000, "blocks", "ours", "8 MB read from outside shared_buffers."),
    Threshold("io_time_share", 0.3, "share of node time", "ours", "With track_io_timing: I/O dominates the node."),
    Threshold("cache_io_share_warning", 0.2, "share of total time", "ours",
              "I/O-bound reads taking a fifth of the statement's time are a warning."),
    # 18 JIT
    Threshold("jit_share", 0.1, "share of execution", "pgMustard JIT Compilation (10-20 %)"),
    Threshold("jit_min_ms", 2, "ms", "ours", "The catalogue's 'more than a few ms'."),
    Threshold("jit_share_warning", 0.2, "share of execution", "pgMustard JIT Compilation (10-20 %)"),
    # 19 planning time
    Threshold("planning_share", 0.1, "share", "PEV2 (10 %)"),
    Threshold("planning_share_warning", 0.4, "share", "PEV2 (40 %)"),
    Threshold("planning_share_error", 0.9, "share", "PEV2 (90 %)"),
    Threshold("planning_min_ms", 5, "ms", "ours", "Sub-5 ms planning is normal even when execution is faster."),
    # 20 triggers
    Threshold("trigger_share", 0.1, "share of execution", "ours", "pgMustard flags slow triggers without a number."),
    Threshold("trigger_min_ms", 1, "ms", "ours"),
    Threshold("trigger_share_warning", 0.3, "share of execution", "ours"),
    Threshold("fk_index_saving", 0.9, "share of trigger time", "ours",
              "An index turns each RI lookup from a scan of the referencing table into a probe."),
    Threshold("trigger_saving", 0.5, "share of trigger time", "ours", "Without a known cause, half is a guess."),
    # 21 count
    Threshold("count_min_rows", 10000, "rows counted", "ours", "Counting fewer rows is cheap."),
    Threshold("count_share", 0.5, "share of total time", "ours"),
    Threshold("count_saving", 0.9, "share of count time", "ours", "An estimate from pg_class costs nothing."),
    Threshold("count_saving_filtered", 0.5, "share of count time", "ours",
              "A filtered count still reads the matching entries, from an index-only scan at best."),
    # 22/23 hotspots
    Threshold("hotspot_share", 0.5, "share", "depesz, PEV2 (50 %)"),
    Threshold("hotspot_share_warning", 0.9, "share", "depesz, PEV2 (90 %)"),
    Threshold("hotspot_min_ms", 10, "ms", "ours", "A fast statement has no hotspot worth a look."),
    Threshold("cost_hotspot_min_cost", 10000, "cost units", "ours", "A cheap plan has no cost hotspot worth a look."),
    # 24 memoize
    Threshold("memoize_miss_ratio", 10, "misses per hit", "ours", "PEV2 displays the counters without a number."),
    Threshold("memoize_min_misses", 100, "misses", "ours"),
    Threshold("memoize_evicted_share_warning", 0.5, "evictions per miss", "ours",
              "More evictions than half the misses: the cache is too small for the keys it sees."),
    # 25 disabled
    Threshold("disable_cost", 1.0e10, "cost units", "PostgreSQL < 18 disable_cost"),
)

THRESHOLDS: dict[str, Threshold] = {t.key: t for t in _TABLE}


def T(key: str) -> float:
    """The value of threshold `key`."""
    return THRESHOLDS[key].value
