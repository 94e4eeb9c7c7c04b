#!/bin/bash
# bench/exposures.sh - the cost of logging an exposure, per evaluation.
#
# Run by bench/run.sh inside its throwaway cluster (PGHOST/PGPORT set,
# bench_users and the specs loaded; BENCH_EXPERIMENT, BENCH_LAYER, BENCH_WORK
# in the environment).  Over the first BENCH_EXPO_USERS users (default
# 100,000; 2,000 with --smoke sizes), one statement each, best of 3:
#   plain       get_experiment(u, E)                 (STABLE, writes nothing)
#   logged      log_exposure(u, 'experiment', E)     every call a new unit: one row each
#   deduped     the same again in the same session   every call deduplicated (no row)
#   layer       log_exposure(u, 'layer', L)          one row per layer parameter
#   persist     get_experiment(u, E, values)         first assignment, exposures on / off
# Prints one JSON line per measure and a short table on stderr.  Times are
# CPU seconds of the backend (user + system, from /proc/PID/stat).
set -euo pipefail
cd "$(dirname "$0")/.."

N="${BENCH_EXPO_USERS:-$([ "${BENCH_SMOKE:-0}" = 1 ] && echo 2000 || echo 100000)}"
E="${BENCH_EXPERIMENT:?}"
L="${BENCH_LAYER:?}"
PSQL=(psql -X -q -A -t -v ON_ERROR_STOP=1 -v n="$N" -v e="$E" -v l="$L")

"${PSQL[@]}" <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_expo_users;
CREATE TABLE bench_expo_users AS SELECT id, u FROM bench_users ORDER BY id LIMIT :n;
VACUUM ANALYZE bench_expo_users;
CREATE OR REPLACE FUNCTION pg_temp.noop() RETURNS void LANGUAGE sql AS '';
SQL

# best of 3 of one statement, in CPU seconds of the backend (this machine
# is shared: CPU time moves much less than wall-clock time under load);
# setup runs before each try, in the same session
timed() {								# timed SETUP STATEMENT
	local best="" t
	for _ in 1 2 3; do
		t=$("${PSQL[@]}" <<SQL
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET jit = off;
CREATE FUNCTION pg_temp.cpu_ticks() RETURNS bigint LANGUAGE sql AS \$\$
	SELECT split_part(s, ' ', 14)::bigint + split_part(s, ' ', 15)::bigint
	FROM pg_read_file('/proc/' || pg_backend_pid() || '/stat') AS s \$\$;
$1
SELECT pg_temp.cpu_ticks() AS c0, extract(epoch FROM clock_timestamp()) AS t0 \gset
$2
SELECT pg_temp.cpu_ticks() - :c0, extract(epoch FROM clock_timestamp()) - :t0;
SQL
)
		t=$(echo "$t" | tail -1)
		if [ -z "$best" ] || awk -v a="${t%%|*}" -v b="${best%%|*}" 'BEGIN{exit !(a < b)}'; then best=$t; fi
	done
	# seconds of the backend's CPU time (from /proc, 1/100 s ticks)
	awk -v t="$best" 'BEGIN{split(t, a, "|"); printf "%.2f\n", a[1] / 100}'
}

reset="TRUNCATE ea_exposures; TRUNCATE ea_assignments; SET experiment_assign.exposure_dedup_window = '60s';"
plain=$(timed "$reset" "SELECT count(get_experiment(u, :'e')) FROM bench_expo_users;")
logged=$(timed "$reset" "SELECT count(log_exposure(u, 'experiment', :'e')) FROM bench_expo_users;")
deduped=$(timed "$reset SELECT count(log_exposure(u, 'experiment', :'e')) FROM bench_expo_users;" \
	"SELECT count(log_exposure(u, 'experiment', :'e')) FROM bench_expo_users;")
layer_plain=$(timed "$reset" "SELECT count(get_layer(u, :'l')) FROM bench_expo_users;")
layer=$(timed "$reset" "SELECT count(log_exposure(u, 'layer', :'l')) FROM bench_expo_users;")
layer_rows=$("${PSQL[@]}" -c "SELECT count(*) FROM ea_exposures")
persist_off=$(timed "$reset SET experiment_assign.log_exposures = off;" \
	"SELECT count(get_experiment(u, :'e', get_user_persisted_values(u, 'userID'))) FROM bench_expo_users;")
persist_on=$(timed "$reset" \
	"SELECT count(get_experiment(u, :'e', get_user_persisted_values(u, 'userID'))) FROM bench_expo_users;")
bytes=$("${PSQL[@]}" -c "SELECT coalesce(round(avg(pg_column_size(x.*))), 0) FROM ea_exposures x")
"${PSQL[@]}" -c "TRUNCATE ea_exposures; TRUNCATE ea_assignments; DROP TABLE bench_expo_users" >/dev/null

us() { awk "BEGIN{printf \"%.2f\", $1 * 1000000 / $N}"; }
for m in plain logged deduped layer_plain layer persist_off persist_on; do
	printf '{"impl":"sql","kind":"exposures","measure":"%s","n":%s,"cpu_seconds":%s,"us_per_eval":%s}\n' \
		"$m" "$N" "${!m}" "$(us "${!m}")"
done
printf '{"impl":"sql","kind":"exposures","measure":"row_bytes","value":%s,"layer_rows":%s}\n' "$bytes" "$layer_rows"
{
	echo "exposures over $N users (backend CPU microseconds per evaluation, best of 3):"
	echo "  get_experiment (plain, no logging)          $(us "$plain")"
	echo "  log_exposure experiment, one row per call   $(us "$logged")   (+$(us "$(awk "BEGIN{print $logged - $plain}")") per logged exposure)"
	echo "  log_exposure experiment, deduplicated       $(us "$deduped")"
	echo "  get_layer (plain)                           $(us "$layer_plain")"
	echo "  log_exposure layer, every parameter         $(us "$layer")   ($layer_rows rows)"
	echo "  persistence-aware get_experiment, logging off $(us "$persist_off")"
	echo "  persistence-aware get_experiment, logging on  $(us "$persist_on")"
	echo "  average stored row: $bytes bytes"
} >&2
