#!/bin/bash
# exposures_delivery.sh - exposures delivered to a mock of Statsig's
# log_event endpoint (test/mock/statsig_mock.js, 127.0.0.1 only) by the
# worker and by flush_exposures().
#
# Starts its own cluster (initdb in a temporary folder, a free port) with
# shared_preload_libraries = 'experiment_assign', the worker syncing specs
# from the mock and sending exposures to it, then checks:
#   - the events the mock accepted equal, field by field, what
#     @statsig/statsig-node-core 0.23.2 logs for the same evaluations
#     (test/conformance/goldens/exposures.json), in Server Core's request
#     format: gzip body {"events", "statsigMetadata"} and headers;
#   - endpoint failures (HTTP 500) then recovery: every event delivered
#     exactly once (counted by event), failures counted, worker alive;
#   - kill -9 of the worker in the middle of a request (a hung endpoint):
#     nothing lost, every event delivered once;
#   - flush_exposures() from a session: the same path, a failure leaves the
#     events queued with a WARNING, the next flush delivers them.
set -uo pipefail
cd "${EA_REPO:-$(dirname "$0")/../..}"
REPO="$(pwd)"
BIN="$(pg_config --bindir)"
DIR="$(mktemp -d /tmp/ea_expo.XXXXXX)"
SECRET="secret-mockExpoKey0123456789abcdefABCDEF"
DB=expotest
. test/suites/lib/worker_cluster.sh

trap worker_cluster_stop EXIT

# ---- the mock: serves the golden's specs document, takes log_event ----
worker_mock_start
events() { curl -sf "$MOCK/control/events"; }
reset_mock() { curl -sf -X POST "$MOCK/control/reset_requests" >/dev/null; }
DOC="$REPO/test/conformance/fixtures/experiments_layers.v2.json"
ctl "{\"specs\": {\"mode\": \"ok\", \"doc\": $(jq -c '. + {has_updates: true}' "$DOC")}, \"log_event\": {\"mode\": \"ok\"}}"

# ---- the cluster ----
worker_cluster_start "experiment_assign.log_event_url = '$MOCK/v1/log_event'
experiment_assign.specs_sync_interval = 1000
experiment_assign.id_lists_sync_interval = 0
experiment_assign.exposure_flush_interval = 100
experiment_assign.exposure_request_timeout = 20000
experiment_assign.exposure_batch_size = 50" || exit 1

worker_pid() { q "SELECT worker_pid FROM ea_sync_status WHERE kind = 'config_specs'"; }
pending() { q "SELECT pending FROM ea_exposure_status"; }
# log N exposures of distinct units PREFIX1..PREFIXN, one transaction
log_units() {
	q "SELECT count(log_exposure(('{\"userID\": \"$1' || g || '\"}')::jsonb, 'experiment', 'exp_basic'))
	   FROM generate_series(1, $2) g" >/dev/null
}
# accepted events per unit id with that prefix: "units total"
delivered() {
	events | jq -r --arg p "$1" '[.[].events[] | select(.user.userID | startswith($p)) | .user.userID]
		| "\(unique | length) \(length)"'
}

echo "== the worker starts"
wait_for "the worker synced the specs from the mock" \
	"SELECT document_time IS NOT NULL FROM ea_config_specs" t 20
# from now on the scenarios load their own documents: keep the worker's
# spec sync from replacing them (its failures do not hold up exposures)
ctl '{"specs": {"mode": "status", "status": 500}}'

echo "== events as node-core 0.23.2 sends them"
N=$(node test/exposures/conformance.js count)
for ((i = 0; i < N; i++)); do
	reset_mock
	node test/exposures/conformance.js sql "$i" | grep -v '^SELECT event FROM' >"$DIR/s$i.sql"
	psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -f "$DIR/s$i.sql" >/dev/null || { check "scenario $i runs" fail ok; continue; }
	wait_for "scenario $i: delivered" "SELECT pending FROM ea_exposure_status" 0 20
	events | jq -c '.[].events[]' >"$DIR/e$i.jsonl"
	if node test/exposures/conformance.js compare "$i" "$DIR/e$i.jsonl"; then
		check "scenario $i: the events received equal node-core's" yes yes
	else
		check "scenario $i: the events received equal node-core's" no yes
	fi
done
E="$(events)"
check "request: gzip body" "$(echo "$E" | jq -r '[.[].headers["content-encoding"]] | unique | join(",")')" gzip
check "request: JSON" "$(echo "$E" | jq -r '[.[].headers["content-type"]] | unique | join(",")')" application/json
check "request: statsig-api-key is the server secret" "$(echo "$E" | jq -r '[.[].headers["statsig-api-key"]] | unique | join(",")')" present
check "request: statsig-event-count counts the events" "$(echo "$E" | jq -r '[.[] | (.headers["statsig-event-count"] | tonumber) == (.events | length)] | all')" true
check "request: statsig-sdk-type / version" "$(echo "$E" | jq -r '[.[].headers | "\(.["statsig-sdk-type"]) \(.["statsig-sdk-version"])"] | unique | join(",")')" "experiment_assign 0.2.0"
check "request: statsig-client-time is a time in ms" "$(echo "$E" | jq -r '[.[].headers["statsig-client-time"] | tonumber > 1600000000000] | all')" true
check "request: statsig-server-session-id" "$(echo "$E" | jq -r '[.[].headers["statsig-server-session-id"] | test("^[0-9a-f-]{36}$")] | all')" true
check "body: statsigMetadata sdkType, sdkVersion, sessionID (= the header)" \
	"$(echo "$E" | jq -r '[.[] | .statsigMetadata.sdkType == "experiment_assign" and .statsigMetadata.sdkVersion == "0.2.0" and .statsigMetadata.sessionID == .headers["statsig-server-session-id"]] | all')" true
check "batches hold at most exposure_batch_size events" "$(echo "$E" | jq -r '[.[].events | length <= 50] | all')" true
check "ea_exposure_status: delivered counted, no failure" \
	"$(q "SELECT delivered > 0 AND failures = 0 AND last_error IS NULL AND last_delivery IS NOT NULL FROM ea_exposure_status")" t

echo "== endpoint failures, then recovery"
PID="$(worker_pid)"
reset_mock
ctl '{"log_event": {"mode": "status", "status": 500}}'
log_units f 300
wait_for "failures are recorded" \
	"SELECT failures > 0 AND last_error LIKE '%500%' FROM ea_exposure_status" t 20
check "nothing is lost while the endpoint fails" "$(pending)" 300
sleep 1
check "the worker backs off (few requests per second)" \
	"$(curl -sf "$MOCK/control/log_event_attempts" | jq '.attempts < 20')" true
ctl '{"log_event": {"mode": "ok"}}'
wait_for "after recovery everything is delivered" "SELECT pending FROM ea_exposure_status" 0 30
check "each event delivered exactly once (units, events)" "$(delivered f)" "300 300"
check "the worker survived" "$(worker_pid)" "$PID"

echo "== kill -9 of the worker in the middle of a request"
reset_mock
ctl '{"log_event": {"mode": "hang"}}'
log_units k 200
for _ in $(seq 1 100); do
	[ "$(curl -sf "$MOCK/control/log_event_attempts" | jq .attempts)" -gt 0 ] && break
	sleep 0.1
done
check "the worker is waiting for the endpoint" "$(curl -sf "$MOCK/control/log_event_attempts" | jq '.attempts > 0')" true
PID="$(worker_pid)"
kill -9 "$PID"
sleep 1
ctl '{"log_event": {"mode": "ok"}, "release_hung": true}'
NEWPID=""
for _ in $(seq 1 150); do
	NEWPID="$(worker_pid 2>/dev/null)"
	case "$NEWPID" in ''|*[!0-9]*) ;; *) [ "$NEWPID" != "$PID" ] && break ;; esac
	sleep 0.2
done
check "the postmaster restarted the worker" "$([ -n "$NEWPID" ] && [ "$NEWPID" != "$PID" ] && echo yes)" yes
wait_for "the restarted worker delivers the backlog" "SELECT pending FROM ea_exposure_status" 0 30
check "nothing lost, nothing twice (units, events)" "$(delivered k)" "200 200"

echo "== flush_exposures() from a session"
q "ALTER SYSTEM SET experiment_assign.exposure_flush_interval = '1h'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
sleep 1.5
reset_mock
ctl '{"log_event": {"mode": "status", "status": 503}}'
log_units s 120
OUT="$(psql -X -At -d "$DB" -c "SELECT flush_exposures()" 2>&1)"
check "a failed flush delivers nothing and says why" \
	"$(echo "$OUT" | grep -c 'WARNING:  exposures not delivered: log_event answered HTTP 503')|$(echo "$OUT" | tail -1)" "1|0"
check "the events stay queued" "$(pending)" 120
ctl '{"log_event": {"mode": "ok"}}'
check "the next flush delivers them all" "$(q "SELECT flush_exposures()")" 120
check "once each (units, events)" "$(delivered s)" "120 120"
check "a rolled-back flush keeps them (sent again: at least once)" \
	"$(log_units r 10; q "BEGIN; SELECT flush_exposures(); ROLLBACK;" | head -1)|$(pending)" "10|10"
check "flush_exposures() is not granted to PUBLIC" \
	"$(q "SELECT has_function_privilege('public', 'flush_exposures()', 'execute')")" f

echo "exposures delivery: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
