"""
## What it does
Flags a collection written at least as often as it is read (`$collStats` `latencyStats`: writes ≥
50 % of operations, at least 10,000 writes) that carries more than 5 secondary indexes, naming the
ones `$indexStats` shows unused (when given) as the first to drop.

## Why is this bad?
Every insert and delete writes every index, and every update writes each index on a changed field:
on a write-heavy collection the indexes set the write throughput, the cache they need and the
replication lag.

## Example
```json
{"collection": "events", "latencyStats": {"reads": {"ops": 100}, "writes": {"ops": 50000}},
 "indexes": [{"key": {"_id": 1}, "name": "_id_"}, {"key": {"a": 1}, "name": "a_1"}, {"key": {"b": 1}, "name": "b_1"},
             {"key": {"c": 1}, "name": "c_1"}, {"key": {"d": 1}, "name": "d_1"}, {"key": {"e": 1}, "name": "e_1"},
             {"key": {"f": 1}, "name": "f_1"}]}
```

## Use instead
Drop the indexes no query needs (hide first), and merge single-field indexes into compound ones that
serve several queries by their prefixes (ESR).
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.mongo.review import drop_index, index_evidence
from dbarchitect.core.mongo.thresholds import SECONDARY_INDEXES_WRITE_HEAVY, WRITE_HEAVY_MIN_OPS, WRITE_HEAVY_SHARE
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="write-heavy-collection-over-indexed", code="DM015", family="document", severity=Severity.advice,
    summary="A write-heavy collection carries many secondary indexes: each one is paid on every write.",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "index"


def check(ctx):
    out = []
    for name, coll in sorted(ctx.bundle.collections.items()):
        if coll.writes is None or coll.indexes is None:
            continue
        reads, writes = coll.reads or 0, coll.writes
        secondary = [i for i in coll.indexes if i.name != "_id_"]
        if (writes < WRITE_HEAVY_MIN_OPS or writes / (reads + writes) < WRITE_HEAVY_SHARE
                or len(secondary) <= SECONDARY_INDEXES_WRITE_HEAVY):
            continue
        first = [u.name for u in coll.index_stats or [] if u.ops == 0 and u.name != "_id_"]  # unused: drop first
        out.append(RULE.finding(
            obj=name,
            message=(f"{name}: {writes} writes vs {reads} reads (latencyStats) and {len(secondary)} secondary indexes, each "
                     "written on every insert and delete" + (f"; unused per $indexStats: {', '.join(first)}" if first else
                     ("; give $indexStats output to see which are unused" if coll.index_stats is None else "")) + "."),
            fix=("  ".join(drop_index(name, n) + ";" for n in first) if first else
                 f"// review the {len(secondary)} indexes of {name}: drop those no query needs, merge single-field ones "
                 "into compound indexes (ESR)"),
            evidence=[Evidence(kind="catalog", detail=f"$collStats latencyStats of {name}: reads.ops {reads}, writes.ops {writes}",
                               data={"reads": reads, "writes": writes}), index_evidence(name, coll.indexes)],
        ))  # fmt: skip
    return out
