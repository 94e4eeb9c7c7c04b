#!/bin/bash
# bench/sync.sh - what the sync worker costs (called by bench/run.sh; not a
# timed test).
#
#   bench/sync.sh [--smoke]
#
# Starts its own cluster (the worker needs shared_preload_libraries) and
# the mock of Statsig's endpoints (test/mock/statsig_mock.js) serving a
# real dcs-v2 document (Server Core's eval_proj_dcs.json), then measures:
#   1. CPU time of the worker process per poll when nothing changed
#	   ({"has_updates": false}), from /proc over many fast polls;
#   2. evaluation throughput (pgbench, one client, check_gate) with the
#	   worker idle, and while it loads a new document at every poll, with
#	   the longest evaluation seen (a stall would show there).
# Prints a Markdown section.  Uses the installed extension.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
SMOKE=0
[ "${1:-}" = --smoke ] && SMOKE=1
POLL_SECONDS=$([ "$SMOKE" = 1 ] && echo 3 || echo 20)
EVAL_SECONDS=$([ "$SMOKE" = 1 ] && echo 3 || echo 15)
DCS="${BENCH_SYNC_DCS:-$(cd "$ROOT/.." && pwd)/shared/statsig-data/server-core/eval_proj_dcs.json}"
GATE="${BENCH_SYNC_GATE:-test_small_pass_gate}"
BIN="$(pg_config --bindir)"
DIR="$(mktemp -d /tmp/ea_bench_sync.XXXXXX)"
SECRET="secret-benchSyncKey0123456789"
MOCK_PID=""
log() { echo "bench/sync: $*" >&2; }

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
	as_pg "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
	[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres: "$DIR"
[ -r "$DCS" ] || { log "cannot read $DCS"; exit 1; }

node "$ROOT/test/mock/statsig_mock.js" "$DIR/mock.port" "$SECRET" >"$DIR/mock.log" 2>&1 &
MOCK_PID=$!
for _ in $(seq 1 50); do [ -s "$DIR/mock.port" ] && break; sleep 0.1; done
MOCK="http://127.0.0.1:$(cat "$DIR/mock.port")"
ctl() { curl -sf -X POST -H 'content-type: application/json' --data @- "$MOCK/control" >/dev/null; }
polls() { curl -sf "$MOCK/control/requests" | jq '[.[] | select(.route == "download_config_specs")] | length'; }
jq -c '{specs: {mode: "ok", doc: .}}' "$DCS" | ctl

PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
printf '%s\n' "$SECRET" >"$DIR/secret"
chmod 600 "$DIR/secret"
[ "$(id -u)" = 0 ] && chown postgres: "$DIR/secret"
as_pg "$BIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null
cat >>"$DIR/data/postgresql.conf" <<EOF
port = $PORT
unix_socket_directories = '$DIR'
listen_addresses = ''
shared_preload_libraries = 'experiment_assign'
experiment_assign.sync_database = 'bench'
experiment_assign.server_secret_file = '$DIR/secret'
experiment_assign.specs_url = '$MOCK/v2/download_config_specs'
experiment_assign.id_lists_url = '$MOCK/v1/get_id_lists'
experiment_assign.specs_sync_interval = 50
experiment_assign.id_lists_sync_interval = 0
jit = off
EOF
as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null
export PGHOST="$DIR" PGPORT="$PORT" PGUSER=postgres
q() { psql -X -At -q -d bench -c "$1"; }
createdb bench
q "CREATE EXTENSION experiment_assign"
for _ in $(seq 1 100); do
	[ -n "$(q "SELECT document_time FROM ea_config_specs")" ] && break
	sleep 0.1
done
[ -n "$(q "SELECT document_time FROM ea_config_specs")" ] || { log "the worker loaded nothing"; tail "$DIR/server.log" >&2; exit 1; }
PID="$(q "SELECT worker_pid FROM ea_sync_status WHERE kind = 'config_specs'")"
HZ="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }

# 1. idle polls
sleep 1
p0=$(polls); c0=$(cpu_ticks); t0=$(date +%s%N)
sleep "$POLL_SECONDS"
p1=$(polls); c1=$(cpu_ticks); t1=$(date +%s%N)
npolls=$((p1 - p0))
cpu_ms=$(( (c1 - c0) * 1000 / HZ ))
per_poll_us=$(( npolls > 0 ? cpu_ms * 1000 / npolls : 0 ))
wall_s=$(( (t1 - t0) / 1000000000 ))
log "idle: $npolls polls in ${wall_s}s, worker CPU ${cpu_ms} ms"

# 2. evaluation throughput, idle worker vs a load at every poll
cat >"$DIR/eval.sql" <<EOF
\set u random(1, 1000000)
SELECT check_gate(jsonb_build_object('userID', 'user-' || :u), '$GATE');
EOF
[ "$(id -u)" = 0 ] && chown postgres: "$DIR/eval.sql"
run_pgbench() {				# run_pgbench NAME: prints "tps max_ms"
	rm -f "$DIR"/pgbench_log.*
	(cd "$DIR" && "$BIN/pgbench" -n -c 1 -T "$EVAL_SECONDS" -f "$DIR/eval.sql" -l \
		--log-prefix="$DIR/pgbench_log" bench >"$DIR/$1.out" 2>&1)
	local tps max
	tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$DIR/$1.out" | head -1)
	max=$(cat "$DIR"/pgbench_log.* | awk 'BEGIN {m = 0} $3 > m {m = $3} END {printf "%.1f", m / 1000}')
	echo "$tps $max"
}
read -r tps_idle max_idle <<<"$(run_pgbench idle)"
loads0=$(q "SELECT changes FROM ea_sync_state WHERE kind = 'config_specs'")
c0=$(cpu_ticks)
echo '{"specs": {"auto_advance": true}}' | ctl
read -r tps_sync max_sync <<<"$(run_pgbench syncing)"
echo '{"specs": {"auto_advance": false}}' | ctl
c1=$(cpu_ticks)
loads1=$(q "SELECT changes FROM ea_sync_state WHERE kind = 'config_specs'")
nloads=$((loads1 - loads0))
per_load_ms=$(( nloads > 0 ? (c1 - c0) * 1000 / HZ / nloads : 0 ))
tps_idle=$(printf '%.0f' "$tps_idle")
tps_sync=$(printf '%.0f' "$tps_sync")
failed=$(q "SELECT failures FROM ea_sync_state WHERE kind = 'config_specs'")
log "evaluations: idle $tps_idle/s (max $max_idle ms), syncing $tps_sync/s (max $max_sync ms), $nloads loads"

cat <<EOF

### Sync worker ($([ "$SMOKE" = 1 ] && echo 'smoke sizes; ')$(basename "$DCS"), $(wc -c <"$DCS") bytes)

| Measure | Result |
| --- | --- |
| Polls with nothing new (\`{"has_updates": false}\`), interval 50 ms | $npolls in $wall_s s |
| Worker CPU per idle poll (2 transactions + 1 HTTP request) | $per_poll_us µs |
| Worker CPU per document loaded (request, checks, \`load_config_specs\`) | $per_load_ms ms |
| \`check_gate\` throughput, 1 client, worker idle | $tps_idle/s (longest $max_idle ms) |
| \`check_gate\` throughput, 1 client, a new document loaded at every poll | $tps_sync/s (longest $max_sync ms) |
| Documents loaded by the worker during that run | $nloads (sync failures in total: $failed) |
EOF
