#!/bin/bash
# bench/trigger.sh - figure 4 alone, at full size: a throwaway cluster with
# the same settings as bench/run.sh, BENCH_USERS users (default 1,000,000),
# the specs, then bench/trigger.sql BENCH_TRIGGER_RUNS times (default 3;
# each run recreates its tables).  Prints the JSON line of every run.
#
#   bench/trigger.sh            # uses the installed extension
#
# BENCH_TRIGGER_PERSIST=1 runs bench/persist.sql before each run (as "make
# bench" does: the same users stored first, then deleted by trigger.sql);
# BENCH_TRIGGER_NOVACUUM=1 leaves out the VACUUM after that delete;
# BENCH_SHARED_BUFFERS changes shared_buffers (1GB, as in "make bench").
#
# For iterating on the trigger path without the whole "make bench".  The
# machine is shared: take the best of the runs.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BENCH="$ROOT/bench"
export BENCH_USERS="${BENCH_USERS:-1000000}"
export BENCH_TRIGGER_RUNS="${BENCH_TRIGGER_RUNS:-3}"
export BENCH_DCS="${BENCH_DCS:-$(cd "$ROOT/.." && pwd)/shared/statsig-data/e2e/rulesets_e2e_config.json}"
export BENCH_EXPERIMENT="${BENCH_EXPERIMENT:-targeted_exp_in_layer_with_holdout}"
PGVERSION="${PGVERSION:-15}"

if [ "${1:-}" = --inside ]; then
	PSQL=(psql -X -q -v ON_ERROR_STOP=1 -v "dcs=$BENCH_DCS" -v "experiment=$BENCH_EXPERIMENT"
		-v "n=$BENCH_USERS")
	"${PSQL[@]}" -f "$BENCH/users.sql" >/dev/null
	"${PSQL[@]}" -f "$BENCH/setup.sql" >/dev/null
	for _ in $(seq "$BENCH_TRIGGER_RUNS"); do
		# as in "make bench": the persistence step stores the same users first
		[ "${BENCH_TRIGGER_PERSIST:-0}" = 1 ] && "${PSQL[@]}" -f "$BENCH/persist.sql" >/dev/null
		"${PSQL[@]}" ${BENCH_TRIGGER_NOVACUUM:+-v novacuum=1} -f "$BENCH/trigger.sql" | grep '^{'
	done
	exit 0
fi

PATH="$(pg_config --bindir):$PATH" pg_virtualenv -v "$PGVERSION" \
	-o "shared_buffers=${BENCH_SHARED_BUFFERS:-1GB}" -o "work_mem=64MB" -o "max_wal_size=8GB" \
	-o "checkpoint_timeout=30min" -o "jit=off" \
	"$BENCH/trigger.sh" --inside
