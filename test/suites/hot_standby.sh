#!/bin/bash
# hot_standby.sh - a real streaming standby of the test cluster: the
# evaluators work there, stored assignments are served, and the
# persistence-aware functions evaluate without storing and say so with a
# WARNING (they never fail and never diverge silently).
set -euo pipefail
cd "$EA_REPO"
BIN="$(pg_config --bindir)"
DIR="$(mktemp -d /tmp/ea_standby.XXXXXX)"
PORT=$((${PGPORT:-5432} + 17))

as_pg() {					# run as the server's OS user when we are root
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
	as_pg "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$DIR"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres: "$DIR"

# the primary: specs and one stored assignment
psql -X -q -v ON_ERROR_STOP=1 -d "$EA_DB" <<'SQL'
CREATE EXTENSION experiment_assign;
\set specs `cat examples/config_specs.json`
SELECT load_config_specs(:'specs') \g /dev/null
SELECT get_experiment('{"userID": "user-1"}', 'checkout_flow',
					  get_user_persisted_values('{"userID": "user-1"}', 'userID')) \g /dev/null
SQL

as_pg "$BIN/pg_basebackup" -h "${PGHOST:-localhost}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}" \
	-D "$DIR/data" -R -X stream -c fast
cat >"$DIR/data/postgresql.conf" <<EOF2
port = $PORT
unix_socket_directories = '$DIR'
listen_addresses = ''
hot_standby = on
EOF2
printf 'local all all trust\n' >"$DIR/data/pg_hba.conf"
[ "$(id -u)" = 0 ] && chown postgres: "$DIR/data/postgresql.conf" "$DIR/data/pg_hba.conf"
as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/standby.log" -w start >/dev/null

on_standby() { psql -X -At -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U "${PGUSER:-postgres}" -d "$EA_DB" "$@"; }
for _ in $(seq 1 50); do
	[ "$(on_standby -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] && break
	sleep 0.2
done

. test/suites/lib/check.sh
check "the server is a standby" "$(on_standby -c 'SELECT pg_is_in_recovery()')" t
check "evaluation works" "$(on_standby -c "SELECT check_gate('{\"userID\": \"user-1\"}', 'employees_only') IS NOT NULL")" t
check "a stored group is served" "$(on_standby -c "SELECT get_experiment('{\"userID\": \"user-1\"}', 'checkout_flow',
		get_user_persisted_values('{\"userID\": \"user-1\"}', 'userID')) ->> 'reason'")" Persisted
out="$(on_standby -c "SELECT get_experiment('{\"userID\": \"user-2\"}', 'checkout_flow',
		get_user_persisted_values('{\"userID\": \"user-2\"}', 'userID')) ->> 'group_name'" 2>&1)"
check "a new user is evaluated" "$(echo "$out" | grep -v WARNING | tail -n 1 | grep -cE '^(Control|One page)$')" 1
check "and told it is not stored" "$(echo "$out" | grep -c 'WARNING:.*hot standby')" 1
check "nothing was stored" "$(on_standby -c "SELECT count(*) FROM ea_assignments WHERE unit_id = 'user-2'" 2>/dev/null || echo denied)" 0
# the sync: the primary syncs; the standby shows its status, does not sync
check "ea_sync_status is readable" "$(on_standby -c "SELECT count(*) FROM ea_sync_status")" 2
check "sync_config_specs() refuses to run" \
	"$(on_standby -c "SELECT * FROM sync_config_specs()" 2>&1 | grep -c 'cannot sync config specs on a standby')" 1
echo "hot standby: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
