"""
## What it does
Flags blocking aggregation stages (`$group`, `$sort`, `$bucket`, `$setWindowFields`) that reach the
100 MB per-stage memory limit: in explain output, a stage that spilled (`usedDisk`, `spills`) or held at
least half the limit (its output size, or the sum of `maxAccumulatorMemoryUsageBytes` per accumulator) —
the pipeline's own stages, and a `$group` the slot-based engine runs (6.0+: a `group` stage in the
execution stages, with `usedDisk`/`spills`/`spilledRecords`); statically, a `$group` that `$push`es whole
documents (`$$ROOT`) without `allowDiskUse: true` (given as false, or not given: before 6.0 that is false).

## Why is this bad?
Past 100 MB a stage writes temporary files (MongoDB 6.0+, or with `allowDiskUse`) — slower by an
order of magnitude — or fails the whole aggregation ("Exceeded memory limit for $group") when disk
use is not allowed (before 6.0 without `allowDiskUse: true`, or with `allowDiskUseByDefault` off).

## Example
```json
{"aggregate": "orders", "allowDiskUse": false, "pipeline": [{"$group": {"_id": "$customerId", "orders": {"$push": "$$ROOT"}}}]}
```

## Use instead
`$match` and `$project` first so less enters the stage, accumulate only the fields needed
(`{$push: "$total"}`, `$sum`, `$topN`), and pass `allowDiskUse: true` where a spill is acceptable.
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.mongo import thresholds as T
from dbarchitect.core.mongo.documents import scalar
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.units import human_bytes

RULE = RuleMeta(
    name="group-memory-limit", code="DM023", family="document", severity=Severity.warning,
    summary="A $group/$sort stage reaches the 100 MB memory limit (spills or fails without allowDiskUse).",
    engines=frozenset({"mongodb"}),
)  # fmt: skip
SCOPE = "query"
BLOCKING = ("$group", "$sort", "$bucket", "$bucketAuto", "$setWindowFields")
_SIZE_KEYS = ("totalOutputDataSizeBytes", "maxAccumulatorMemoryUsageBytes", "totalDataSizeSortedBytesEstimate",
              "maxMemoryUsageBytes", "peakTrackedMemBytes", "memUsage")  # fmt: skip
_SPILL_KEYS = ("spills", "spilledRecords", "spilledDataStorageSize", "spilledBytes", "spilledBytesApprox",
               "numBytesSpilledEstimate")  # fmt: skip


def _bytes(stats: dict, key: str) -> float:
    """A size statistic; `maxAccumulatorMemoryUsageBytes` is a map accumulator → bytes (5.0+), summed."""
    value = scalar(stats.get(key))  # NumberLong(…) / {"$numberLong": …} first: a wrapper is not a map
    if isinstance(value, dict):
        return float(sum(v for v in (scalar(x) for x in value.values()) if isinstance(v, (int, float))))
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _spilled(stats: dict) -> bool:
    return bool(stats.get("usedDisk")) or any(_bytes(stats, k) > 0 for k in ("spills", "spilledRecords"))


def _finding(name: str, stats: dict, where: str):
    size = max((_bytes(stats, k) for k in _SIZE_KEYS), default=0.0)
    spilled = _spilled(stats)
    if not spilled and size < T.STAGE_MEMORY_LIMIT * T.GROUP_MEMORY_SHARE:
        return None
    held = f"{human_bytes(size)} held" if size else "its memory use not reported"
    return RULE.finding(
        obj=name,
        message=(
            f"{name}{where} {'spilled to disk' if spilled else 'is close to the 100 MB limit'} ({held}): past 100 MB "
            "it writes temporary files or, without allowDiskUse, fails the aggregation."
        ),
        fix="$match/$project earlier, accumulate only the needed fields ($sum, $topN, {$push: '$field'}), "
            "and pass allowDiskUse: true where a spill is acceptable.",
        evidence=[Evidence(kind="execution", detail=f"explain: {name}{where} usedDisk={stats.get('usedDisk')} size={int(size)}",
                           data={k: stats[k] for k in ("usedDisk", *_SPILL_KEYS, *_SIZE_KEYS) if k in stats})],
    )  # fmt: skip


def check(ctx):
    out = []
    ex = ctx.explain
    if ex is not None:
        found = [_finding(st.name, st.stats, "") for st in ex.pipeline[1:] if st.name in BLOCKING]
        # a $group pushed into the slot-based engine reports in the execution stages, not in the pipeline
        found += [_finding("$group", n.info, f" (slot-based group, stage {n.id})") for n in ex.stages("GROUP")]
        out += [f for f in found if f is not None]
    for q in ctx.queries:
        if q.allow_disk_use is True:
            continue
        for pos, stage in enumerate(q.pipeline):
            body = stage.get("$group")
            if isinstance(body, dict) and any(
                isinstance(acc, dict) and acc.get("$push") == "$$ROOT" for acc in body.values()
            ):
                out.append(RULE.finding(
                    obj=q.collection, severity=Severity.advice,
                    message=(
                        f"{q.id} on {q.collection}: stage {pos + 1} $group pushes whole documents ($$ROOT) "
                        + ("with allowDiskUse: false — past 100 MB the aggregation fails ('Exceeded memory limit for "
                           "$group')." if q.allow_disk_use is False else
                           "without allowDiskUse — past 100 MB it fails before MongoDB 6.0 ('Exceeded memory limit "
                           "for $group', code 16945) and spills to disk from 6.0 (allowDiskUseByDefault).")
                    ),
                    fix="Push only the fields needed ({$push: {total: '$total'}}) or set allowDiskUse: true.",
                    evidence=[Evidence(kind="static", detail=f"$group accumulates $$ROOT, allowDiskUse: {q.allow_disk_use}",
                                       data={"stage": pos + 1, "allowDiskUse": q.allow_disk_use})],
                ))  # fmt: skip
    return out
