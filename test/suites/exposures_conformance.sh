#!/bin/bash
# exposures_conformance.sh - the exposure events recorded for a scripted
# sequence of evaluations equal, field by field, what
# @statsig/statsig-node-core 0.23.2 logs for the same sequence
# (test/conformance/goldens/exposures.json, from
# test/conformance/generator/exposures.js).  Each scenario runs in a new
# session, as each was a new SDK instance (deduplication starts afresh);
# persisted calls share ea_assignments across scenarios as they share the
# SDK's storage.  Ignored: time, receivedAt, the specs source in reason.
set -u
cd "${EA_REPO:-.}"
DB="${EA_DB:?}"
psql -X -q -d "$DB" -c 'CREATE EXTENSION IF NOT EXISTS experiment_assign' || exit 1
n=$(node test/exposures/conformance.js count) || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
for ((i = 0; i < n; i++)); do
	node test/exposures/conformance.js sql "$i" >"$tmp/s$i.sql" || exit 1
	if ! psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -f "$tmp/s$i.sql" >"$tmp/e$i.jsonl"; then
		echo "scenario $i: psql failed"
		failed=$((failed + 1))
		continue
	fi
	node test/exposures/conformance.js compare "$i" "$tmp/e$i.jsonl" || failed=$((failed + 1))
done
echo "exposure scenarios: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
