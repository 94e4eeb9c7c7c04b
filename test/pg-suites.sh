#!/bin/bash
# pg-suites.sh RESULTS - the suites that need a server; run by
# run-tests.sh inside pg_virtualenv (PGHOST/PGPORT/PGUSER set, superuser).
# Appends "PASS name" / "FAIL name" lines to RESULTS.
#
# Extra suites: every test/suites/*.{sql,sh} and test/conformance/*.{sql,sh}
# (top level only).  A .sql file runs with psql -v ON_ERROR_STOP=1 in a
# fresh database where experiment_assign is already created; a .sh file
# runs with EA_DB (a fresh, empty database), EA_REPO (the source tree),
# EA_TEST_DATA (test/data/statsig, absolute) and EA_E2E_DIR (Statsig's e2e
# corpus; the folder may be absent) in its environment.  Each passes when
# it exits 0; a .sh suite that exits 77 is skipped (its data is absent).
set -u
RESULTS="$1"
MAKE="${MAKE:-make}"
LOGDIR="build/test-logs"
mkdir -p "$LOGDIR"

EA_REPO="$(pwd)"
EA_TEST_DATA="$EA_REPO/test/data/statsig"
: "${EA_E2E_DIR:=$EA_REPO/../shared/statsig-data/e2e}"
export EA_REPO EA_TEST_DATA EA_E2E_DIR

record() {
	echo "$1 $2" >>"$RESULTS"
	echo "$1: $2"
}

# Record each "test NAME ... ok|FAILED" line of a pg_regress-style log.
record_regress() {				# record_regress prefix logfile
	local prefix="$1" log="$2" n=0 status name
	while read -r status name; do
		n=$((n + 1))
		if [ "$status" = ok ]; then
			record PASS "$prefix/$name"
		else
			record FAIL "$prefix/$name"
		fi
	done < <(sed -n 's/^\(test \)\{0,1\}[[:space:]]*\([A-Za-z0-9_.-]*\)[[:space:]]*\.\.\. \(ok\|FAILED\|failed\).*/\3 \2/p' "$log")
	[ "$n" -gt 0 ] || record FAIL "$prefix/run"
}

# ---- pg_regress ----
echo "== pg_regress"
"$MAKE" -s regresscheck >"$LOGDIR/regress.log" 2>&1
cat "$LOGDIR/regress.log"
[ -f regression.diffs ] && head -200 regression.diffs
record_regress regress "$LOGDIR/regress.log"

# ---- isolation ----
echo "== isolation"
"$MAKE" -s isolationcheck >"$LOGDIR/isolation.log" 2>&1
cat "$LOGDIR/isolation.log"
[ -f output_iso/regression.diffs ] && head -200 output_iso/regression.diffs
record_regress isolation "$LOGDIR/isolation.log"

# ---- pgTAP ----
echo "== pgTAP"
dropdb --if-exists ea_pgtap >/dev/null 2>&1
if createdb ea_pgtap && psql -X -q -d ea_pgtap -c 'CREATE EXTENSION pgtap'; then
	for f in test/pgtap/*.sql; do
		[ -f "$f" ] || continue
		if pg_prove -d ea_pgtap "$f"; then
			record PASS "pgtap/$(basename "$f" .sql)"
		else
			record FAIL "pgtap/$(basename "$f" .sql)"
		fi
	done
	dropdb ea_pgtap
else
	record FAIL "pgtap/setup"
fi

# ---- extra suites ----
for dir in test/suites test/conformance; do
	for f in "$dir"/*.sql "$dir"/*.sh; do
		[ -f "$f" ] || continue
		name="extra/${f#test/}"
		echo "== $name"
		dropdb --if-exists ea_suite >/dev/null 2>&1
		createdb ea_suite || { record FAIL "$name"; continue; }
		case "$f" in
			*.sql)
				psql -X -q -d ea_suite -c 'CREATE EXTENSION experiment_assign' &&
					psql -X -q -v ON_ERROR_STOP=1 -d ea_suite -f "$f"
				;;
			*.sh)
				EA_DB=ea_suite bash "$f"
				;;
		esac
		case $? in
			0) record PASS "$name" ;;
			77) record SKIP "$name" ;;
			*) record FAIL "$name" ;;
		esac
		dropdb --if-exists ea_suite >/dev/null 2>&1
	done
done
exit 0
