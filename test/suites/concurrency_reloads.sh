#!/bin/bash
# concurrency_reloads.sh - persistent assignment under concurrency while the
# specs are reloaded every half second (issue 9's race class), bounded in
# time (about 12 s of pgbench).
#
# pgbench clients, as a role granted assignment access (not a superuser),
# assign random units out of a small pool through the persistence-aware
# get_experiment and through the trigger, while another session reloads
# the document, alternating two splits of the experiment.  Afterwards:
#   - no client failed and no backend crashed;
#   - every unit has at most one stored group per experiment, and the
#     group any later call returns is the stored one (never re-rolled by
#     the reloads);
#   - every row the trigger filled holds its unit's stored group.
# Runs with EA_DB (an empty database) in pg-suites.sh's environment.
set -u
DB="${EA_DB:?EA_DB not set}"
PSQL="psql -X -q -v ON_ERROR_STOP=1 -d $DB"
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAILED: $1"; }
work="$(mktemp -d)"
reloader=""
cleanup() {
	[ -n "$reloader" ] && kill "$reloader" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

doc() {		# doc PASS_PERCENTAGE_OF_CONTROL
	cat <<EOF
{"time": $((1700000000000 + $1)), "feature_gates": [], "layer_configs": [],
 "dynamic_configs": [{"name": "exp", "type": "dynamic_config", "entity": "experiment",
  "salt": "s", "enabled": true, "defaultValue": {}, "idType": "userID", "isActive": true,
  "rules": [
   {"name": "control", "id": "exp_control", "groupName": "Control", "salt": "s1",
    "passPercentage": $1, "returnValue": {"g": "c"}, "idType": "userID", "isExperimentGroup": true,
    "conditions": [{"type": "public", "idType": "userID"}]},
   {"name": "test", "id": "exp_test", "groupName": "Test", "salt": "s2",
    "passPercentage": 100, "returnValue": {"g": "t"}, "idType": "userID", "isExperimentGroup": true,
    "conditions": [{"type": "public", "idType": "userID"}]}]}]}
EOF
}

$PSQL <<EOF >/dev/null || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
CREATE EXTENSION experiment_assign;
SELECT load_config_specs('$(doc 50)'::jsonb);
DROP ROLE IF EXISTS ea_conc_app;
CREATE ROLE ea_conc_app LOGIN PASSWORD 'ea_conc_pw';
SELECT count(*) FROM grant_assignment_access('ea_conc_app');
CREATE TABLE conc_signups (id bigserial PRIMARY KEY, unit text, u jsonb, grp text);
CREATE TRIGGER assign BEFORE INSERT ON conc_signups FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'grp');
GRANT INSERT, SELECT ON conc_signups TO ea_conc_app;
GRANT USAGE ON SEQUENCE conc_signups_id_seq TO ea_conc_app;
EOF

cat >"$work/assign.sql" <<'EOF'
\set n random(1, 300)
SELECT get_experiment(jsonb_build_object('userID', 'u' || :n), 'exp',
	get_user_persisted_values(jsonb_build_object('userID', 'u' || :n), 'userID')) ->> 'group_name';
EOF
cat >"$work/trigger.sql" <<'EOF'
\set n random(1, 300)
INSERT INTO conc_signups (unit, u) VALUES ('u' || :n, jsonb_build_object('userID', 'u' || :n));
EOF

# the reloader: two splits, every half second, until killed
(
	i=0
	while :; do
		if [ $((i % 2)) -eq 0 ]; then split=10; else split=90; fi
		psql -X -q -d "$DB" -c "SELECT load_config_specs('$(doc $split)'::jsonb)" >/dev/null 2>>"$work/reload.err"
		i=$((i + 1))
		sleep 0.5
	done
) &
reloader=$!

PGPASSWORD=ea_conc_pw pgbench -n -U ea_conc_app -c 4 -j 2 -T 12 -f "$work/assign.sql@3" -f "$work/trigger.sql@1" "$DB" \
	>"$work/pgbench.out" 2>&1
rc=$?
kill "$reloader" 2>/dev/null
wait "$reloader" 2>/dev/null
reloader=""
tail -12 "$work/pgbench.out"

[ $rc -eq 0 ] && ok "pgbench: 4 clients for 12 s with reloads, exit 0" || bad "pgbench exited $rc"
if grep -q "number of failed transactions: 0" "$work/pgbench.out" ||
	! grep -q "number of failed transactions" "$work/pgbench.out"; then
	ok "no failed transaction"
else
	bad "failed transactions: $(grep 'failed transactions' "$work/pgbench.out")"
fi
processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.out")
[ "${processed:-0}" -gt 0 ] && ok "$processed transactions processed" || bad "no transaction processed"
reloads=$(grep -c . "$work/reload.err" 2>/dev/null || true)
[ "${reloads:-0}" -eq 0 ] && ok "every reload succeeded" || bad "reload errors: $(head -3 "$work/reload.err")"

check() {		# check DESCRIPTION SQL-returning-boolean
	if [ "$($PSQL -At -c "$2" 2>&1)" = "t" ]; then ok "$1"; else bad "$1"; fi
}
check "the server is up and evaluates" "SELECT get_experiment('{\"userID\": \"x\"}', 'exp') IS NOT NULL"
check "at most one stored group per unit" \
	"SELECT count(*) = count(DISTINCT unit_id) FROM ea_assignments WHERE config_name = 'exp'"
check "stored groups exist" "SELECT count(*) > 0 FROM ea_assignments WHERE config_name = 'exp'"
check "every later call returns the stored group (no re-roll by reloads)" \
	"SELECT bool_and(get_experiment(jsonb_build_object('userID', unit_id), 'exp',
	                  get_user_persisted_values(jsonb_build_object('userID', unit_id), 'userID')) ->> 'group_name'
	                 = group_name)
	 FROM ea_assignments WHERE config_name = 'exp'"
check "every trigger row holds its unit's stored group" \
	"SELECT bool_and(s.grp = a.group_name) AND count(*) > 0
	 FROM conc_signups s JOIN ea_assignments a ON a.unit_id = s.unit AND a.config_name = 'exp'"
check "no trigger row without a stored group" \
	"SELECT NOT EXISTS (SELECT 1 FROM conc_signups s WHERE NOT EXISTS
	   (SELECT 1 FROM ea_assignments a WHERE a.unit_id = s.unit AND a.config_name = 'exp'))"

$PSQL -c "DROP TABLE conc_signups; SELECT count(*) FROM revoke_assignment_access('ea_conc_app'); DROP ROLE ea_conc_app" >/dev/null 2>&1
echo "concurrency with reloads: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
