#!/bin/bash
# sync_worker.sh - the sync worker against a mock of Statsig's endpoints
# (test/mock/statsig_mock.js, 127.0.0.1 only).
#
# Starts its own cluster (initdb in a temporary folder, a free port) with
# shared_preload_libraries = 'experiment_assign' and the worker pointed at
# the mock, then drives the mock through its phases and checks after each
# what is in force, what ea_sync_status says, that evaluation never failed
# meanwhile and that the worker survived: first load, no updates, a newer
# document, an older one, invalid JSON, a document failing validation,
# HTTP 500, a hung server, a slow drip, a truncated body, connection
# refused, a wrong secret; ID lists added, appended, removed from, reset,
# dropped; the manual path; sync_config_specs(); the secret nowhere to be
# seen; kill -9 of the worker; pg_ctl stop with a hung server.
set -uo pipefail
cd "${EA_REPO:-$(dirname "$0")/../..}"
REPO="$(pwd)"
BIN="$(pg_config --bindir)"
DIR="$(mktemp -d /tmp/ea_sync.XXXXXX)"
SECRET="secret-mockSyncKey0123456789abcdefABCDEF"
DB=synctest
EVAL_PID=""
. test/suites/lib/worker_cluster.sh

cleanup() {
	[ -n "$EVAL_PID" ] && kill "$EVAL_PID" 2>/dev/null
	worker_cluster_stop
}
trap cleanup EXIT

# ---- the mock ----
worker_mock_start
requests() { curl -sf "$MOCK/control/requests"; }

# Documents: sync_gate passes for everyone when PCT is 100; list_gate
# passes for units in the ID list "mock_list".
doc() {						# doc TIME PCT
	cat <<EOF
{"has_updates": true, "time": $1, "checksum": "ck-$1", "response_format": "dcs-v2",
 "company_id": "mock", "dynamic_configs": {}, "layer_configs": {},
 "condition_map": {
   "c_public": {"type": "public", "targetValue": null, "operator": null, "field": null,
				"additionalValues": {}, "idType": "userID"},
   "c_list": {"type": "unit_id", "targetValue": "mock_list", "operator": "in_segment_list",
			  "additionalValues": {}, "idType": "userID"}},
 "feature_gates": {
   "sync_gate": {"type": "feature_gate", "salt": "s1", "enabled": true, "defaultValue": false,
				 "rules": [{"name": "r1", "passPercentage": $2, "conditions": ["c_public"],
							"returnValue": true, "id": "r1", "salt": "r1", "idType": "userID"}],
				 "idType": "userID", "entity": "feature_gate", "version": 1},
   "list_gate": {"type": "feature_gate", "salt": "s2", "enabled": true, "defaultValue": false,
				 "rules": [{"name": "r2", "passPercentage": 100, "conditions": ["c_list"],
							"returnValue": true, "id": "r2", "salt": "r2", "idType": "userID"}],
				 "idType": "userID", "entity": "feature_gate", "version": 1}}}
EOF
}
T1=1700000001000
T2=1700000002000
T3=1700000003000
T4=1700000004000
T5=1700000005000
T6=1700000006000
ctl "{\"specs\": {\"mode\": \"ok\", \"doc\": $(doc $T1 0)}}"

# ---- the cluster ----
worker_cluster_start "experiment_assign.specs_sync_interval = 150
experiment_assign.id_lists_sync_interval = 200
experiment_assign.sync_timeout = 1500" || exit 1
q "CREATE ROLE sync_reader LOGIN" >/dev/null

in_force() { q "SELECT document_time FROM ea_config_specs"; }
status() { q "SELECT $1 FROM ea_sync_status WHERE kind = '${2:-config_specs}'"; }
worker_pid() { status worker_pid; }
gate() { q "SELECT check_gate('{\"userID\": \"$1\"}', '$2')"; }
# back to a healthy mock and wait until the worker has recovered
recover() {
	ctl "{\"specs\": {\"mode\": \"ok\"}, \"id_lists\": {\"mode\": \"ok\"}, \"list_files\": {\"mode\": \"ok\"}, \"release_hung\": true}"
	wait_for "$1: recovers (no consecutive failures)" \
		"SELECT consecutive_failures FROM ea_sync_status WHERE kind = 'config_specs'" 0 15
}
# failure LABEL MODE_JSON ERROR_LIKE: the worker records the failure, the
# document in force stays, the worker survives, and it recovers
failure() {
	local before_pid
	before_pid="$(worker_pid)"
	ctl "{\"specs\": $2}"
	wait_for "$1: error recorded" \
		"SELECT last_error LIKE '$3' AND consecutive_failures > 0 FROM ea_sync_status WHERE kind = 'config_specs'" t 15
	check "$1: document in force kept" "$(in_force)" "$T2"
	check "$1: evaluation unchanged" "$(gate u1 sync_gate)" t
	check "$1: worker survived" "$(worker_pid)" "$before_pid"
	recover "$1"
	check "$1: still the same document after recovery" "$(in_force)" "$T2"
}

echo "== first load"
wait_for "the worker loads the first document" "SELECT document_time FROM ea_config_specs" "$T1" 20
check "a worker runs for the database" "$(q "SELECT worker_pid IS NOT NULL FROM ea_sync_status WHERE kind = 'config_specs'")" t
check "status: success recorded" "$(q "SELECT last_success IS NOT NULL AND last_error IS NULL AND changes = 1 FROM ea_sync_status WHERE kind = 'config_specs'")" t
check "status: document time" "$(status "(extract(epoch FROM document_time) * 1000)::bigint")" "$T1"
check "evaluation uses it" "$(gate u1 sync_gate)" f
REQ="$(requests)"
check "first request: no sinceTime" "$(echo "$REQ" | jq -r '[.[] | select(.route == "download_config_specs")][0].query.sinceTime // "none"')" none
check "requests carry the API key" "$(echo "$REQ" | jq -r '[.[] | select(.route == "download_config_specs") | .api_key] | unique | join(",")')" present
check "secret in the URL path ({specs_url}/{secret}.json)" "$(echo "$REQ" | jq -r '[.[] | select(.route == "download_config_specs")][0].url_has_secret')" true
check "statsig-sdk-type header" "$(echo "$REQ" | jq -r '[.[] | select(.route == "download_config_specs")][0].sdk_type')" experiment_assign
check "statsig-sdk-version header" "$(echo "$REQ" | jq -r '[.[] | select(.route == "download_config_specs")][0].sdk_version')" 0.2.0
check "statsig-server-session-id header" "$(echo "$REQ" | jq -r '[.[] | select(.route == "download_config_specs")][0].session_id | test("^[0-9a-f-]{36}$")')" true
check "accepts gzip" "$(echo "$REQ" | jq -r '[.[] | select(.route == "download_config_specs")][0].accept_encoding | test("gzip")')" true

echo "== no updates"
sleep 1
REQ="$(requests)"
check "later polls send sinceTime" "$(echo "$REQ" | jq -r '[.[] | select(.route == "download_config_specs")][-1].query.sinceTime')" "$T1"
check "later polls send the checksum" "$(echo "$REQ" | jq -r '[.[] | select(.route == "download_config_specs")][-1].query.checksum')" "ck-$T1"
check "polls keep coming" "$(echo "$REQ" | jq -r '[.[] | select(.route == "download_config_specs")] | length > 3')" true
check "no update: nothing changed" "$(q "SELECT changes = 1 AND successes > 2 AND consecutive_failures = 0 FROM ea_sync_status WHERE kind = 'config_specs'")" t

# evaluations in the background from now on: none may fail
cat >"$DIR/eval.sh" <<EOF
while :; do
	psql -X -At -q -h "$DIR" -p "$PORT" -U postgres -d "$DB" \
		-c "SELECT check_gate('{\"userID\": \"u1\"}', 'sync_gate')" >/dev/null 2>>"$DIR/eval.err" ||
		echo "evaluation failed at \$(date +%T.%N)" >>"$DIR/eval.err"
	sleep 0.05
done
EOF
: >"$DIR/eval.err"
bash "$DIR/eval.sh" &
EVAL_PID=$!

echo "== a newer document"
ctl "{\"specs\": {\"doc\": $(doc $T2 100)}}"
wait_for "the newer document is loaded" "SELECT document_time FROM ea_config_specs" "$T2"
wait_for "evaluation follows it" "SELECT check_gate('{\"userID\": \"u1\"}', 'sync_gate')" t
check "status: two changes" "$(status changes)" 2

echo "== failures: the document in force stays"
failure "older document" "{\"mode\": \"older\", \"older_doc\": $(doc $T1 0)}" "%older document%"
failure "invalid JSON" '{"mode": "invalid"}' "%not valid JSON%"
failure "document failing validation" '{"mode": "invalid_doc"}' "%invalid config specs%"
failure "HTTP 500" '{"mode": "status", "status": 500}' "%HTTP 500%"
failure "hung server (timeout)" '{"mode": "hang"}' "%timed out%"
failure "slow drip" '{"mode": "slow", "drip_ms": 100}' "%timed out%"
failure "truncated body" '{"mode": "truncated"}' "%transfer failed%"

echo "== settings reload (SIGHUP): URL and secret"
PID="$(worker_pid)"
DEAD="$(free_port)"
q "ALTER SYSTEM SET experiment_assign.specs_url = 'http://127.0.0.1:$DEAD/v2/download_config_specs'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
wait_for "connection refused: recorded" \
	"SELECT last_error LIKE '%could not connect%' AND consecutive_failures > 0 FROM ea_sync_status WHERE kind = 'config_specs'" t
q "ALTER SYSTEM RESET experiment_assign.specs_url" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
wait_for "URL restored without a restart" "SELECT consecutive_failures FROM ea_sync_status WHERE kind = 'config_specs'" 0
printf 'secret-wrong-one\n' >"$DIR/secret"
wait_for "wrong secret: HTTP 401 recorded" \
	"SELECT last_error LIKE '%HTTP 401%' AND consecutive_failures > 0 FROM ea_sync_status WHERE kind = 'config_specs'" t
printf '%s\n' "$SECRET" >"$DIR/secret"
wait_for "secret restored: recovers" "SELECT consecutive_failures FROM ea_sync_status WHERE kind = 'config_specs'" 0
check "the worker survived the reloads" "$(worker_pid)" "$PID"
check "document in force kept" "$(in_force)" "$T2"

echo "== ID lists"
q "SELECT load_id_list('manual_list', ARRAY['m1'])" >/dev/null
ctl '{"lists": {"mock_list": {"ids": ["u1", "u2"], "fileID": "F1", "creationTime": 10}}}'
wait_for "a new list is loaded" "SELECT count(*) FROM ea_id_lists WHERE list_name = 'mock_list'" 2
wait_for "evaluation sees it" "SELECT check_gate('{\"userID\": \"u1\"}', 'list_gate')" t
check "not in the list" "$(gate u3 list_gate)" f
check "status: lists" "$(status lists id_lists)" 1
check "status: bytes read" "$(status list_bytes id_lists)" 20
q "SELECT count(*) FROM ea_sync_id_lists" >/dev/null
ctl '{"lists": {"mock_list": {"append": ["u3"]}}}'
wait_for "appended bytes applied" "SELECT count(*) FROM ea_id_lists WHERE list_name = 'mock_list'" 3
check "only the new bytes were read (Range from the last offset)" \
	"$(requests | jq -r '[.[] | select(.route == "id_list_file")][-1].range')" "bytes=20-"
check "the manifest request carries the key" \
	"$(requests | jq -r '[.[] | select(.route == "get_id_lists")][-1] | "\(.method) \(.api_key)"')" "POST present"
ctl '{"lists": {"mock_list": {"remove": ["u1"]}}}'
wait_for "a removal line applied" "SELECT check_gate('{\"userID\": \"u1\"}', 'list_gate')" f
check "others stay" "$(gate u2 list_gate)" t
ctl '{"list_files": {"mode": "truncated"}, "lists": {"mock_list": {"append": ["u4", "u5", "u6", "u7"]}}}'
wait_for "truncated list read: error recorded" \
	"SELECT last_error LIKE '%mock_list%' AND consecutive_failures > 0 FROM ea_sync_status WHERE kind = 'id_lists'" t
ctl '{"list_files": {"mode": "ok"}}'
wait_for "then the rest is applied" "SELECT count(*) FROM ea_id_lists WHERE list_name = 'mock_list'" 6
wait_for "ID lists recover" "SELECT consecutive_failures FROM ea_sync_status WHERE kind = 'id_lists'" 0
ctl '{"lists": {"mock_list": {"ids": ["u9"], "fileID": "F2", "creationTime": 20}}}'
wait_for "a new fileID resets the list" "SELECT string_agg(id_hash, ',') FROM ea_id_lists WHERE list_name = 'mock_list'" \
	"$(node -e 'console.log(require("crypto").createHash("sha256").update("u9").digest("base64").slice(0,8))')"
ctl '{"id_lists": {"mode": "invalid"}}'
wait_for "invalid manifest: error recorded" \
	"SELECT last_error LIKE '%get_id_lists%' AND consecutive_failures > 0 FROM ea_sync_status WHERE kind = 'id_lists'" t
check "invalid manifest: lists kept" "$(q "SELECT count(*) FROM ea_id_lists WHERE list_name = 'mock_list'")" 1
ctl '{"id_lists": {"mode": "ok"}, "lists": {"mock_list": null, "other_list": {"ids": ["o1"]}}}'
wait_for "a list gone from the manifest is dropped" "SELECT count(*) FROM ea_id_lists WHERE list_name = 'mock_list'" 0
wait_for "a list added to the manifest is loaded" "SELECT count(*) FROM ea_id_lists WHERE list_name = 'other_list'" 1
check "a manually loaded list is left alone" "$(q "SELECT count(*) FROM ea_id_lists WHERE list_name = 'manual_list'")" 1

echo "== the manual path"
q "SELECT load_config_specs('$(doc $T3 100)')" >/dev/null
for _ in $(seq 1 100); do
	[ "$(requests | jq -r '[.[] | select(.route == "download_config_specs")][-1].query.sinceTime')" = "$T3" ] && break
	sleep 0.1
done
check "the worker asks since the manual document" \
	"$(requests | jq -r '[.[] | select(.route == "download_config_specs")][-1].query.sinceTime')" "$T3"
sleep 0.3
check "a manual load is kept (the mock has nothing newer)" "$(in_force)" "$T3"

echo "== sync_config_specs()"
q "ALTER SYSTEM SET experiment_assign.specs_sync_interval = '1h'" >/dev/null
q "ALTER SYSTEM SET experiment_assign.id_lists_sync_interval = 0" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
# the worker polls once on the reload, then waits an hour: wait until it is quiet
prev=-1
for _ in $(seq 1 30); do
	now="$(status attempts)"
	[ "$now" = "$prev" ] && break
	prev="$now"
	sleep 0.7
done
ctl "{\"specs\": {\"doc\": $(doc $T4 100)}}"
check "sync_config_specs(): loaded" "$(q "SELECT outcome || ' ' || detail FROM sync_config_specs() WHERE kind = 'config_specs'")" "loaded document time $T4"
check "sync_config_specs(): in force" "$(in_force)" "$T4"
check "sync_config_specs(): then no updates" "$(q "SELECT outcome FROM sync_config_specs(false)")" "no updates"
ctl '{"specs": {"mode": "status", "status": 503}}'
check "sync_config_specs(): a failure is a row, not an error" "$(q "SELECT outcome FROM sync_config_specs(false)")" failed
check "sync_config_specs(): and is recorded" "$(status "last_error LIKE '%HTTP 503%'")" t
ctl '{"specs": {"mode": "ok"}}'
check "sync_config_specs(): not for everyone" \
	"$(psql -X -At -q -d "$DB" -U sync_reader -c 'SELECT * FROM sync_config_specs()' 2>&1 | grep -c 'permission denied')" 1
q "ALTER SYSTEM RESET experiment_assign.specs_sync_interval" >/dev/null
q "ALTER SYSTEM RESET experiment_assign.id_lists_sync_interval" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null

echo "== the secret stays secret"
ctl "{\"specs\": {\"doc\": $(doc $T5 100)}}"
wait_for "the worker is back at its interval" "SELECT document_time FROM ea_config_specs" "$T5"
check "anyone reads ea_sync_status" "$(psql -X -At -q -d "$DB" -U sync_reader -c 'SELECT count(*) FROM ea_sync_status')" 2
check "pg_settings hides the secret file from non-superusers" \
	"$(psql -X -At -q -d "$DB" -U sync_reader -c "SELECT count(*) FROM pg_settings WHERE name = 'experiment_assign.server_secret_file'")" 0
check "not in ea_sync_status" "$(q "SELECT count(*) FROM ea_sync_status s WHERE s::text LIKE '%$SECRET%'")" 0
check "not in ea_sync_state" "$(q "SELECT count(*) FROM ea_sync_state s WHERE s::text LIKE '%$SECRET%'")" 0
check "not in the server log" "$(grep -c -- "$SECRET" "$DIR/server.log")" 0
check "not in pg_stat_activity" "$(q "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%$SECRET%' AND pid <> pg_backend_pid()")" 0

kill "$EVAL_PID" 2>/dev/null
wait "$EVAL_PID" 2>/dev/null
EVAL_PID=""
check "evaluation never failed during the phases" "$(grep -c . "$DIR/eval.err")" 0
[ -s "$DIR/eval.err" ] && head -5 "$DIR/eval.err"

echo "== kill -9 of the worker"
PID="$(worker_pid)"
kill -9 "$PID"
sleep 1
for _ in $(seq 1 100); do
	NEWPID="$(q "SELECT worker_pid FROM ea_sync_status WHERE kind = 'config_specs'" 2>/dev/null)"
	[ -n "$NEWPID" ] && [ "$NEWPID" != "$PID" ] && case "$NEWPID" in *[!0-9]*) ;; *) break ;; esac
	sleep 0.2
done
check "the postmaster restarted the worker" "$([ -n "$NEWPID" ] && [ "$NEWPID" != "$PID" ] && echo yes)" yes
check "the document in force survived" "$(in_force)" "$T5"
ctl "{\"specs\": {\"doc\": $(doc $T6 0)}}"
wait_for "the restarted worker syncs" "SELECT document_time FROM ea_config_specs" "$T6" 20

echo "== pg_ctl stop with a hung server"
q "ALTER SYSTEM SET experiment_assign.sync_timeout = '10min'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
curl -sf -X POST "$MOCK/control/reset_requests" >/dev/null
ctl '{"specs": {"mode": "hang"}}'
for _ in $(seq 1 50); do
	[ "$(requests | jq '[.[] | select(.route == "download_config_specs")] | length')" -gt 0 ] && break
	sleep 0.1
done
sleep 0.3
START=$(date +%s%N)
as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 30 stop >/dev/null
ELAPSED_MS=$(( ($(date +%s%N) - START) / 1000000 ))
echo "  (stopped in ${ELAPSED_MS} ms)"
check "pg_ctl stop finishes within 5 s with a request hanging" "$([ "$ELAPSED_MS" -lt 5000 ] && echo yes)" yes
check "no process of the cluster left" "$(pgrep -f "$DIR/data" | wc -l)" 0

if [ "$fail" -ne 0 ]; then
	echo "---- server log (tail)"
	tail -40 "$DIR/server.log"
fi
echo "sync_worker: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
