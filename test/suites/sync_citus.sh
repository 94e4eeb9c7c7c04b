#!/bin/bash
# sync_citus.sh - the sync worker on a Citus cluster: with the worker
# configured on every node, only the coordinator syncs; worker nodes wait
# (and say so), and receive the specs and ID lists through the
# coordinator's loads.  Uses test/suites/lib/citus_cluster.sh and the
# Statsig mock; reports itself skipped (exit 77) without Citus.
set -u
EA_REPO=${EA_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$EA_REPO" || exit 1
if [ ! -f "$(pg_config --pkglibdir)/citus.so" ]; then
	echo "SKIPPED: Citus is not installed"
	exit 77
fi

. test/suites/lib/citus_cluster.sh
SECRET="secret-citusSync0123456789abcdef"
MOCK_PID=""
stop_all() {
	citus_cluster_stop
	[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null
	rm -rf "$MOCKDIR"
}
MOCKDIR=$(mktemp -d /tmp/ea-sync-citus-mock.XXXXXX)
trap stop_all EXIT

. test/suites/lib/check.sh
val() { cq "$1" -c "$2" 2>&1 | tail -1; }
wait_val() {				# wait_val LABEL PORT SQL WANT
	local got="" i
	for i in $(seq 1 150); do
		got="$(val "$2" "$3")"
		[ "$got" = "$4" ] && break
		sleep 0.2
	done
	check "$1" "$got" "$4"
}

node test/mock/statsig_mock.js "$MOCKDIR/port" "$SECRET" >"$MOCKDIR/log" 2>&1 &
MOCK_PID=$!
for _ in $(seq 1 50); do [ -s "$MOCKDIR/port" ] && break; sleep 0.1; done
MOCK="http://127.0.0.1:$(cat "$MOCKDIR/port")"
ctl() { curl -sf -X POST -H 'content-type: application/json' --data "$1" "$MOCK/control" >/dev/null; }
T1=1700000001000
ctl "{\"specs\": {\"doc\": {\"has_updates\": true, \"time\": $T1, \"response_format\": \"dcs-v2\",
	\"feature_gates\": {}, \"dynamic_configs\": {}, \"layer_configs\": {}, \"condition_map\": {}}},
	\"lists\": {\"synced_list\": {\"ids\": [\"a\", \"b\", \"c\"]}}}"

citus_cluster_init
citus_node_start co && citus_node_start w1 || exit 1
CO=$PORT_co
W1=$PORT_w1
cq $CO -c "SELECT citus_set_coordinator_host('127.0.0.1', $CO)" \
	-c "SELECT citus_add_node('127.0.0.1', $W1)" >/dev/null || exit 1

# the same sync configuration on both nodes (exposures too: each node
# delivers what it records), then a restart to load it
printf '%s\n' "$SECRET" >"$CITUS_DIR/secret"
chmod 600 "$CITUS_DIR/secret"
[ "$(id -u)" = 0 ] && chown postgres "$CITUS_DIR/secret"
for name in co w1; do
	cat >>"$CITUS_DIR/$name/postgresql.conf" <<CONF
shared_preload_libraries = 'citus,experiment_assign'
experiment_assign.sync_database = '$CITUS_DB'
experiment_assign.server_secret_file = '$CITUS_DIR/secret'
experiment_assign.specs_url = '$MOCK/v2/download_config_specs'
experiment_assign.id_lists_url = '$MOCK/v1/get_id_lists'
experiment_assign.specs_sync_interval = 200
experiment_assign.id_lists_sync_interval = 200
experiment_assign.log_event_url = '$MOCK/v1/log_event'
experiment_assign.exposure_flush_interval = 200
CONF
	citus_as_owner "$CITUS_BIN/pg_ctl" -D "$CITUS_DIR/$name" -l "$CITUS_DIR/$name.log" -w -t 60 restart >/dev/null || {
		tail -20 "$CITUS_DIR/$name.log"; exit 1; }
done
cq $CO -c "CREATE EXTENSION experiment_assign" >/dev/null || exit 1

echo "== the coordinator syncs, the worker node follows"
wait_val "coordinator: the document is loaded by its sync worker" $CO \
	"SELECT document_time FROM ea_config_specs" "$T1"
wait_val "worker node: the same document, through the coordinator's load" $W1 \
	"SELECT document_time FROM config_specs_info()" "$T1"
wait_val "coordinator: the ID list is loaded" $CO \
	"SELECT count(*) FROM ea_id_lists WHERE list_name = 'synced_list'" 3
wait_val "worker node: evaluates with it" $W1 \
	"SELECT size FROM ea_id_list_sizes WHERE list_name = 'synced_list'" 3
check "coordinator: status" "$(val $CO "SELECT successes > 0 AND worker_pid IS NOT NULL FROM ea_sync_status WHERE kind = 'config_specs'")" t
check "worker node: its sync worker runs" "$(val $W1 "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'experiment_assign sync'")" 1
check "worker node: and waits, saying why" \
	"$(grep -c 'is waiting: this is a Citus worker node' "$CITUS_DIR/w1.log")" 1
check "worker node: it made no attempt" "$(val $W1 "SELECT count(*) FROM ea_sync_state")" 0

echo "== exposures recorded on the worker node are delivered from there"
# a newer document with an experiment, synced by the coordinator
T2=1700000002000
ctl "{\"specs\": {\"doc\": $(jq -c ". + {has_updates: true, time: $T2}" test/conformance/fixtures/sticky_base.v2.json)}}"
wait_val "worker node: the newer document" $W1 "SELECT document_time FROM config_specs_info()" "$T2"
cq $CO -c "CREATE TABLE users (id text PRIMARY KEY, u jsonb NOT NULL)" \
	-c "SELECT create_distributed_table('users', 'id', colocate_with => 'ea_assignments')" \
	-c "INSERT INTO users SELECT 'u' || i, jsonb_build_object('userID', 'u' || i) FROM generate_series(1, 200) i" >/dev/null
# pushed down: the shard tasks on the worker node assign and record
check "pushed-down persistent assignment of 200 users" \
	"$(val $CO "SELECT count(get_experiment(u, 'sticky_exp', get_user_persisted_values(u, 'userID'))) FROM users")" 200
check "the exposures were recorded on the worker node, not on the coordinator" \
	"$(val $CO "SELECT count(*) FROM ea_exposures")" 0
wait_val "worker node: its sync worker delivered them (its queue is empty)" $W1 \
	"SELECT count(*) FROM ea_exposures" 0
check "the endpoint received one config exposure per user" \
	"$(curl -sf "$MOCK/control/events" | jq '[.[].events[] | select(.eventName == "statsig::config_exposure" and .metadata.config == "sticky_exp") | .user.userID] | unique | length')" 200
check "worker node: status counts them" \
	"$(val $W1 "SELECT sum(delivered) FROM ea_exposure_status")" 200

echo "sync on Citus: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
