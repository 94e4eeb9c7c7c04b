# worker_cluster.sh - sourced by the suites that run the background worker
# against the Statsig mock (sync_worker.sh, exposures_delivery.sh): a
# throwaway cluster with shared_preload_libraries = 'experiment_assign',
# the mock on a free loopback port, and the check helpers.
#
# The caller sets REPO, BIN, DIR (a temporary folder), SECRET and DB, and
# traps EXIT to call worker_cluster_stop (plus its own cleanup).

MOCK_PID=""
. test/suites/lib/check.sh

as_pg() {					# run as the server's OS user when we are root
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Start the mock (test/mock/statsig_mock.js); sets MOCK_PID and MOCK.
worker_mock_start() {
	node "$REPO/test/mock/statsig_mock.js" "$DIR/mock.port" "$SECRET" >"$DIR/mock.log" 2>&1 &
	MOCK_PID=$!
	for _ in $(seq 1 50); do [ -s "$DIR/mock.port" ] && break; sleep 0.1; done
	MOCK="http://127.0.0.1:$(cat "$DIR/mock.port")"
}
ctl() { curl -sf -X POST -H 'content-type: application/json' --data "$1" "$MOCK/control" >/dev/null; }

# worker_cluster_start SETTINGS: initdb, the worker pointed at the mock
# (specs and ID-list URLs, the secret file) plus SETTINGS (postgresql.conf
# lines), start, create DB with the extension.  Sets PORT and PGHOST/PGPORT/
# PGUSER; q SQL runs a statement in DB.
worker_cluster_start() {
	PORT="$(free_port)"
	printf '%s\n' "$SECRET" >"$DIR/secret"
	chmod 600 "$DIR/secret"
	[ "$(id -u)" = 0 ] && chown postgres: "$DIR" "$DIR/secret"
	as_pg "$BIN/initdb" -D "$DIR/data" -A trust -U postgres >"$DIR/initdb.log" 2>&1 || {
		cat "$DIR/initdb.log"; return 1; }
	cat >>"$DIR/data/postgresql.conf" <<CONF
port = $PORT
unix_socket_directories = '$DIR'
listen_addresses = ''
shared_preload_libraries = 'experiment_assign'
experiment_assign.sync_database = '$DB'
experiment_assign.server_secret_file = '$DIR/secret'
experiment_assign.specs_url = '$MOCK/v2/download_config_specs'
experiment_assign.id_lists_url = '$MOCK/v1/get_id_lists'
log_min_messages = log
$1
CONF
	as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null || {
		cat "$DIR/server.log"; return 1; }
	export PGHOST="$DIR" PGPORT="$PORT" PGUSER=postgres
	createdb "$DB" && q "CREATE EXTENSION experiment_assign" >/dev/null
}
q() { psql -X -At -q -d "$DB" -c "$1" 2>&1; }

# Stop the cluster at once and the mock; remove DIR.
worker_cluster_stop() {
	as_pg "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1
	[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$DIR"
}

# wait_for LABEL SQL WANT [SECONDS]: poll until SQL returns WANT
wait_for() {
	local got="" i limit=$(( ${4:-10} * 10 ))
	for ((i = 0; i < limit; i++)); do
		got="$(q "$2")"
		[ "$got" = "$3" ] && break
		sleep 0.1
	done
	check "$1" "$got" "$3"
}
