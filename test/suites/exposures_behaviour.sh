#!/bin/bash
# exposures_behaviour.sh - exposure recording without a server to send to:
# which calls record, transactions (a rollback logs nothing, a rolled-back
# savepoint neither, and what was rolled back is logged again), the
# deduplication window, the setting that turns recording off, read-only
# transactions, the backlog bound (oldest dropped and counted), the
# analysis view and the privilege model.
set -u
cd "${EA_REPO:-.}"
DB="${EA_DB:?}"
pass=0
fail=0

q() {								# q SQL...: run in a new session, print the result
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" "$@"
}

# check NAME EXPECTED SQL: the SQL runs in a new session, one statement per
# transaction (psql reading a script); the last line of output must be
# EXPECTED
check() {
	local got
	got=$(printf '%s\n' "$3" | q -f - 2>&1 | tail -1 | sed 's/^psql:<stdin>:[0-9]*: //')
	if [ "$got" = "$2" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1: expected [$2], got [$got]"
	fi
}

q -c 'CREATE EXTENSION IF NOT EXISTS experiment_assign' >/dev/null || exit 1
specs=$(cat test/conformance/fixtures/experiments_layers.v2.json)
q -v specs="$specs" >/dev/null <<'SQL' || exit 1
SELECT load_config_specs(:'specs'::jsonb);
SQL

U1="'{\"userID\": \"u1\", \"privateAttributes\": {\"secret\": \"x\"}}'::jsonb"
U2="'{\"userID\": \"u2\"}'::jsonb"
COUNT="SELECT count(*) FROM ea_exposures"

# ---- which calls record ----
check "plain evaluators record nothing" 0 "
	SELECT count(*) FROM (SELECT check_gate($U1, 'targeting_statsig'), get_feature_gate($U1, 'targeting_us'),
	       get_dynamic_config($U1, 'config_basic'), get_experiment($U1, 'exp_basic'),
	       get_layer($U1, 'layer_main')) s;
	$COUNT"
check "plain evaluators stay STABLE and PARALLEL SAFE" 0 "
	SELECT count(*) FROM pg_proc WHERE proname IN ('check_gate', 'get_feature_gate', 'get_dynamic_config',
	       'get_experiment', 'get_layer') AND pronargs = 2 AND (provolatile <> 's' OR proparallel <> 's')"
check "log_exposure is VOLATILE and PARALLEL UNSAFE" "v|u" "
	SELECT provolatile::text || '|' || proparallel::text FROM pg_proc WHERE proname = 'log_exposure'"
check "log_exposure returns the evaluation" t "
	SELECT log_exposure($U1, 'experiment', 'exp_basic') = get_experiment($U1, 'exp_basic')"
check "log_exposure records one event" 1 "$COUNT"
check "private attributes are not logged" f "
	SELECT event::text LIKE '%secret%' FROM ea_exposures"
check "NULL arguments give NULL and record nothing" "1" "
	SELECT log_exposure(NULL, 'gate', 'g') IS NULL AND log_exposure($U1, NULL, 'g') IS NULL
	       AND log_exposure($U1, 'gate', NULL) IS NULL; $COUNT" 
check "a bad kind is an error naming it" "HINT:  Pass the kind of function whose result the query serves, e.g. 'experiment' for get_experiment." "
	SELECT log_exposure($U1, 'flag', 'x')" 
check "persistence-aware get_experiment records" 2 "
	SELECT get_experiment($U2, 'exp_basic', get_user_persisted_values($U2, 'userID')) IS NOT NULL;
	$COUNT"
check "persistence-aware get_layer records every parameter" t "
	SELECT get_layer($U2, 'layer_main', get_user_persisted_values($U2, 'userID')) IS NOT NULL;
	SELECT count(*) = (SELECT count(*) FROM jsonb_object_keys(get_layer($U2, 'layer_main') -> 'value'))
	FROM ea_exposures WHERE event_name = 'statsig::layer_exposure'"
q -c "CREATE TABLE orders (id int, customer text, variant text);
      CREATE TRIGGER assign BEFORE INSERT ON orders FOR EACH ROW
          EXECUTE FUNCTION assign_experiment_trigger('exp_basic', 'customer', 'variant')" >/dev/null
check "the trigger records one exposure per unit (deduplicated within the session)" 3 "
	INSERT INTO orders SELECT g, 't' || g, NULL FROM generate_series(1, 3) g;
	INSERT INTO orders VALUES (4, 't1', NULL), (5, 't1', NULL);
	SELECT count(*) FROM ea_exposures WHERE unit_id LIKE 't%'"
q -c "TRUNCATE ea_exposures" >/dev/null

# ---- transactions ----
check "a rolled-back transaction logs nothing" 0 "
	BEGIN; SELECT log_exposure($U1, 'gate', 'targeting_statsig') IS NOT NULL; ROLLBACK;
	$COUNT"
check "a rolled-back exposure is logged again (dedup keys kept only on commit)" 1 "
	BEGIN; SELECT log_exposure($U1, 'gate', 'targeting_statsig') IS NOT NULL; ROLLBACK;
	SELECT log_exposure($U1, 'gate', 'targeting_statsig') IS NOT NULL;
	$COUNT"
q -c "TRUNCATE ea_exposures" >/dev/null
check "a rolled-back savepoint logs nothing and forgets its keys" 1 "
	BEGIN;
	SAVEPOINT a; SELECT log_exposure($U1, 'gate', 'targeting_us') IS NOT NULL; ROLLBACK TO a;
	SELECT log_exposure($U1, 'gate', 'targeting_us') IS NOT NULL;
	COMMIT;
	$COUNT"
q -c "TRUNCATE ea_exposures" >/dev/null
check "a committed savepoint's keys deduplicate" 1 "
	BEGIN;
	SAVEPOINT a; SELECT log_exposure($U1, 'gate', 'targeting_us') IS NOT NULL; RELEASE a;
	SELECT log_exposure($U1, 'gate', 'targeting_us') IS NOT NULL;
	COMMIT;
	SELECT log_exposure($U1, 'gate', 'targeting_us') IS NOT NULL;
	$COUNT"
q -c "TRUNCATE ea_exposures" >/dev/null
check "a read-only transaction logs nothing (and does not fail)" 0 "
	BEGIN READ ONLY; SELECT log_exposure($U1, 'gate', 'targeting_us') IS NOT NULL; COMMIT;
	$COUNT"

# ---- deduplication ----
check "same unit ids, spec and rule: once per window" 1 "
	SELECT count(log_exposure(('{\"userID\": \"d1\", \"email\": \"' || g || '\"}')::jsonb, 'experiment', 'exp_basic'))
	FROM generate_series(1, 5) g;
	SELECT count(*) FROM ea_exposures WHERE unit_id = 'd1'"
check "another unit is another exposure" 5 "
	SELECT count(log_exposure(('{\"userID\": \"e' || g || '\"}')::jsonb, 'experiment', 'exp_basic'))
	FROM generate_series(1, 5) g;
	SELECT count(*) FROM ea_exposures WHERE unit_id LIKE 'e_'"
check "a window of 0 logs every exposure" 3 "
	SET experiment_assign.exposure_dedup_window = 0;
	SELECT count(log_exposure('{\"userID\": \"w0\"}', 'experiment', 'exp_basic')) FROM generate_series(1, 3);
	SELECT count(*) FROM ea_exposures WHERE unit_id = 'w0'"
check "after the window the exposure is logged again" 2 "
	SET experiment_assign.exposure_dedup_window = 200;
	SELECT log_exposure('{\"userID\": \"w1\"}', 'experiment', 'exp_basic') IS NOT NULL;
	SELECT log_exposure('{\"userID\": \"w1\"}', 'experiment', 'exp_basic') IS NOT NULL;
	SELECT pg_sleep(0.3);
	SELECT log_exposure('{\"userID\": \"w1\"}', 'experiment', 'exp_basic') IS NOT NULL;
	SELECT count(*) FROM ea_exposures WHERE unit_id = 'w1'"
check "each session deduplicates on its own, as each SDK instance does" 2 "
	SELECT log_exposure('{\"userID\": \"d1\"}', 'experiment', 'exp_basic') IS NOT NULL;
	SELECT count(*) FROM ea_exposures WHERE unit_id = 'd1'"
check "experiment_assign.log_exposures = off records nothing" 0 "
	SET experiment_assign.log_exposures = off;
	SELECT log_exposure('{\"userID\": \"off\"}', 'experiment', 'exp_basic') IS NOT NULL;
	SELECT get_experiment('{\"userID\": \"off\"}', 'exp_basic', '{}') IS NOT NULL;
	SELECT count(*) FROM ea_exposures WHERE unit_id = 'off'"

# ---- analysis view ----
check "ea_exposure_source has the assignment source's columns" \
	"timestamp,unit_id,id_type,experiment_id,group_id,group_name,rule_id,config_name" "
	SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
	WHERE attrelid = 'ea_exposure_source'::regclass AND attnum > 0"
check "ea_exposure_source rows match the events" t "
	SELECT bool_and(s.experiment_id = 'exp_basic' AND s.group_id = x.event -> 'metadata' ->> 'ruleID'
	                AND s.\"timestamp\" = to_timestamp((x.event ->> 'time')::float8 / 1000)
	                AND s.id_type = 'userID')
	FROM ea_exposure_source s JOIN ea_exposures x USING (unit_id, config_name)
	WHERE s.unit_id = 'e1'"

# ---- privileges ----
q -c "DROP ROLE IF EXISTS expo_app" -c "CREATE ROLE expo_app LOGIN" >/dev/null 2>&1
check "log_exposure is not granted to PUBLIC" "ERROR:  permission denied for function log_exposure" "
	SET ROLE expo_app;
	SELECT log_exposure('{\"userID\": \"app\"}', 'experiment', 'exp_basic') IS NOT NULL"
check "grant_assignment_access() grants it" t "
	SELECT bool_or(f::text LIKE 'log_exposure(%') FROM grant_assignment_access('expo_app') AS f"
check "an application role so granted may log exposures" 1 "
	SET ROLE expo_app;
	SELECT log_exposure('{\"userID\": \"app\"}', 'experiment', 'exp_basic') IS NOT NULL;
	RESET ROLE;
	SELECT count(*) FROM ea_exposures WHERE unit_id = 'app'"
check "but not read the table, the view or flush" "ERROR:  permission denied for table ea_exposures" "
	SET ROLE expo_app; SELECT count(*) FROM ea_exposures"
check "  nor flush" "ERROR:  permission denied for function flush_exposures" "
	SET ROLE expo_app; SELECT flush_exposures()"

# ---- the backlog bound ----
check "the backlog never exceeds the limit (+ one trimming step); the oldest are dropped and counted" "t|t|t" "
	TRUNCATE ea_exposures;
	SET experiment_assign.exposure_backlog_limit = 100;
	SET experiment_assign.exposure_dedup_window = 0;
	SELECT count(log_exposure(('{\"userID\": \"b' || g || '\"}')::jsonb, 'gate', 'targeting_us'))
	FROM generate_series(1, 1000) g;
	SELECT count(*) <= 100 + 128, (SELECT dropped FROM ea_exposure_status) >= 1000 - 100 - 128,
	       NOT bool_or(unit_id = 'b1') AND bool_or(unit_id = 'b1000')
	FROM ea_exposures"
check "ea_exposure_status counts pending and dropped" t "
	SELECT pending = (SELECT count(*) FROM ea_exposures) AND pending + dropped >= 1000 FROM ea_exposure_status"
q -c "DROP TABLE orders" -c "SELECT revoke_assignment_access('expo_app')" -c "DROP ROLE expo_app" >/dev/null

echo "exposures behaviour: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
