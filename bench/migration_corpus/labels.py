"""Labels (observe.LABELS) read from what each tool says about a migration, so that they can be scored
against what PostgreSQL did.

- dbarchitect lint: `fails` from the findings that predict a failure; `rewrite`, `blocks_reads`,
  `blocks_writes` from the per-statement predictions (locks on pre-existing relations, scans, rewrites),
  walked transaction by transaction exactly as observe.py walks the server's.
- dbarchitect dry run: `fails` from statements that errored (or that the runner's transaction refuses);
  `rewrite` from relations rewritten.
- squawk: its rule names, mapped to the hazard each one describes.
"""

from __future__ import annotations

_RANK = {"AccessShareLock": 1, "RowShareLock": 2, "RowExclusiveLock": 3, "ShareUpdateExclusiveLock": 4,
         "ShareLock": 5, "ShareRowExclusiveLock": 6, "ExclusiveLock": 7, "AccessExclusiveLock": 8}

# rules whose finding is the prediction "PostgreSQL rejects this statement"
FAIL_RULES = {"statement-fails", "catalog-rejects", "data-dependent-failure", "non-transactional-in-transaction"}
# rules that predict a failure only in some of their findings (their message says so)
FAIL_WORDS_RULES = {"enum-value-change", "add-column-not-null-without-default", "alter-column-type-rewrite"}


def _fails(f) -> bool:
    if f.severity.value != "error":
        return False
    if f.rule in FAIL_RULES:
        return True
    text = f.message.lower()
    return f.rule in FAIL_WORDS_RULES and ("fails" in text or "rejects" in text) and "empty today" not in text


def lint_labels(report, matviews: set[str] = frozenset()) -> set[str]:
    labels: set[str] = set()
    failing = [f.statement or 0 for f in report.findings if _fails(f)]
    if failing or report.parse_error or report.unsupported_syntax:
        labels.add("fails")
    stop = min(failing) if failing else None  # the migration stops there: nothing after it happens
    held: dict[str, int] = {}
    long_work = False
    for p in report.statements:
        if stop is not None and p.index >= stop:
            break
        if p.kind.startswith("TransactionStmt"):
            if p.kind.endswith(("COMMIT", "ROLLBACK")):
                held, long_work = {}, False
            continue
        if p.rewrites:
            labels.add("rewrite")
        if p.rewrites or p.scans:
            long_work = True
        for rel, mode in p.locks.items():
            rank = _RANK.get(mode, 0)
            matview = rel in matviews or p.kind == "RefreshMatViewStmt"  # REFRESH names one, catalog or not
            if matview and rank < _RANK["AccessExclusiveLock"]:
                continue
            held[rel] = max(held.get(rel, 0), rank)
        if long_work and held:
            top = max(held.values())
            if top >= _RANK["AccessExclusiveLock"]:
                labels.add("blocks_reads")
            if top >= _RANK["ShareLock"]:
                labels.add("blocks_writes")
        if not p.in_transaction:
            held, long_work = {}, False
    return labels


def dry_run_labels(report) -> set[str]:
    labels: set[str] = set()
    for obs in report.statements:
        if obs.status == "error":
            labels.add("fails")  # the runner stops there: what the dry run did after it is not the migration's
            break
        if obs.heap_rewrites():
            labels.add("rewrite")
    return labels


SQUAWK = {
    "fails": {"ban-concurrent-index-creation-in-transaction", "adding-required-field", "transaction-nesting"},
    "rewrite": {"adding-field-with-default", "changing-column-type", "adding-serial-primary-key-field"},
    "blocks_reads": {"adding-field-with-default", "changing-column-type", "adding-serial-primary-key-field",
                     "adding-not-nullable-field", "constraint-missing-not-valid", "disallowed-unique-constraint",
                     "ban-alter-domain-with-add-constraint"},
    "blocks_writes": {"adding-field-with-default", "changing-column-type", "adding-serial-primary-key-field",
                      "adding-not-nullable-field", "constraint-missing-not-valid", "disallowed-unique-constraint",
                      "adding-foreign-key-constraint", "require-concurrent-index-creation",
                      "ban-alter-domain-with-add-constraint"},
}


def squawk_labels(rule_names: set[str]) -> set[str]:
    return {label for label, rules in SQUAWK.items() if rules & rule_names}


def score(rows: list[tuple[set[str], set[str]]], labels) -> dict[str, dict]:
    """Per label and overall (micro): precision, recall, tp/fp/fn over (truth, predicted) pairs."""
    out = {}
    tot = {"tp": 0, "fp": 0, "fn": 0}
    for label in labels:
        tp = sum(1 for t, p in rows if label in t and label in p)
        fp = sum(1 for t, p in rows if label not in t and label in p)
        fn = sum(1 for t, p in rows if label in t and label not in p)
        out[label] = _pr(tp, fp, fn)
        for k, v in (("tp", tp), ("fp", fp), ("fn", fn)):
            tot[k] += v
    out["all"] = _pr(tot["tp"], tot["fp"], tot["fn"])
    return out


def _pr(tp: int, fp: int, fn: int) -> dict:
    return {"precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0, "tp": tp, "fp": fp, "fn": fn}
