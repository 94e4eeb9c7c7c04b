#!/bin/bash
# run-tests.sh - run every test suite of experiment_assign ("make test").
#
#   1. core unit tests (test/unit/test_*.c, plain cc, no PostgreSQL)
#   2. build and install the extension
#   3. in a throwaway cluster (pg_virtualenv): pg_regress, isolation,
#      pgTAP (test/pgtap/*.sql) and the extra suites (test/pg-suites.sh)
#
# Each unit binary, regress test, isolation spec, pgTAP file and extra
# suite counts as one test.  A test whose data is absent (Statsig's e2e
# corpus, which is not in the repository) is skipped, not failed.  The
# last line is "N passed, M failed, K skipped"; the exit status is
# non-zero when anything failed or could not run.
#
# EA_E2E_DIR: the folder with Statsig's e2e corpus (default
# ../shared/statsig-data/e2e beside the repository).
set -u
cd "$(dirname "$0")/.."

: "${EA_E2E_DIR:=$(pwd)/../shared/statsig-data/e2e}"
export EA_E2E_DIR

MAKE="${MAKE:-make}"
PGVERSION="${PGVERSION:-15}"
RESULTS="$(mktemp)"
LOGDIR="build/test-logs"
trap 'rm -f "$RESULTS"' EXIT
mkdir -p "$LOGDIR"

record() {						# record PASS|FAIL|SKIP name
	echo "$1 $2" >>"$RESULTS"
	echo "$1: $2"
}

summary() {
	local passed failed skipped
	passed=$(grep -c '^PASS ' "$RESULTS")
	failed=$(grep -c '^FAIL ' "$RESULTS")
	skipped=$(grep -c '^SKIP ' "$RESULTS")
	echo
	grep '^SKIP ' "$RESULTS" | sed 's/^SKIP /skipped: /'
	grep '^FAIL ' "$RESULTS" | sed 's/^FAIL /failed: /'
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

# ---- 1. core unit tests ----
echo "== core unit tests"
for src in test/unit/test_*.c; do
	[ -f "$src" ] || continue
	name="$(basename "$src" .c)"
	if "$MAKE" -s --no-print-directory "unit-run-$name" >"$LOGDIR/$name.log" 2>&1; then
		tail -1 "$LOGDIR/$name.log" | sed "s/^/    /"
		# exit status 77 (see unit-run-% in the Makefile): data absent
		if tail -1 "$LOGDIR/$name.log" | grep -q '^SKIPPED:'; then
			record SKIP "unit/$name"
		else
			record PASS "unit/$name"
		fi
	else
		tail -20 "$LOGDIR/$name.log"
		record FAIL "unit/$name"
	fi
done

# ---- 2. build and install ----
echo "== build and install"
if "$MAKE" -s >"$LOGDIR/build.log" 2>&1 && "$MAKE" -s install >"$LOGDIR/install.log" 2>&1; then
	record PASS "build+install"
else
	tail -30 "$LOGDIR/build.log" "$LOGDIR/install.log" 2>/dev/null
	record FAIL "build+install"
	summary
	exit 1
fi

# ---- 3. suites that need a server ----
echo "== PostgreSQL suites (pg_virtualenv)"
if ! pg_virtualenv -t -v "$PGVERSION" ./test/pg-suites.sh "$RESULTS"; then
	# pg-suites.sh records its own failures; this catches a cluster that
	# could not start at all
	grep -q '^\(PASS\|FAIL\|SKIP\) pg/' "$RESULTS" || record FAIL "pg/cluster"
fi

summary
