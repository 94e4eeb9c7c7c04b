#!/bin/bash
# conformance_e2e.sh - Statsig's e2e project (results computed by Statsig's
# servers for 37 users) through the SQL functions.  The corpus is not in
# the repository (its source states no licence): it is read from
# $EA_E2E_DIR, and the suite is skipped (exit 77) when that has no corpus.
# Fails below 100% agreement.
set -euo pipefail
cd "$EA_REPO"
run() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$EA_DB" "$@"; }

EA_TEST_DATA="${EA_TEST_DATA:-$EA_REPO/test/data/statsig}"
if [ -z "${EA_E2E_DIR:-}" ] || [ ! -f "$EA_E2E_DIR/rulesets_e2e_config.json" ]; then
	echo "SKIPPED: no e2e corpus in ${EA_E2E_DIR:-(EA_E2E_DIR unset)}"
	exit 77
fi
EA_E2E_DIR="$(cd "$EA_E2E_DIR" && pwd)"

run -c 'CREATE EXTENSION IF NOT EXISTS experiment_assign'
out=$(run -f test/sql-lib/conformance.sql \
	-c "SELECT passed || '|' || failed FROM pg_temp.run_e2e('$EA_E2E_DIR', '$EA_TEST_DATA/company_id_list')" 2>&1 | tail -n 20)
echo "$out" | grep MISMATCH | head -n 5 || true
result=$(echo "$out" | tail -n 1)
pass="${result%%|*}"
fail="${result##*|}"
echo "Statsig e2e corpus through SQL: $pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ] 2>/dev/null
