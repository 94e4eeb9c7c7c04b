-- hostile_inputs.sql: the issue 9 reproductions and their classes, in SQL.
--   deep documents: a 60,000-gate chain is refused at load (54000) and the
--     backend lives; a chain reachable only through later rules loads and
--     evaluates; config mappings that loop end in 54000;
--   one user, one verdict: a user the full build rejects is rejected by
--     every function, whichever parts of it the spec reads;
--   long unit ids: a designed 22023 naming the limit, never the index's
--     internal error.
BEGIN;
CREATE EXTENSION experiment_assign;
SELECT plan(44);

-- ---- deep documents ----
CREATE FUNCTION pg_temp.chain(n int, behind_public boolean) RETURNS jsonb LANGUAGE sql AS $f$
SELECT jsonb_build_object('time', 1, 'dynamic_configs', '[]'::jsonb, 'layer_configs', '[]'::jsonb,
  'feature_gates', (SELECT jsonb_agg(jsonb_build_object('name', 'g' || i, 'type', 'feature_gate',
    'entity', 'feature_gate', 'salt', 's', 'enabled', true, 'defaultValue', false, 'idType', 'userID',
    'rules', CASE WHEN behind_public THEN jsonb_build_array(jsonb_build_object('name', 'p', 'id', 'p' || i,
        'salt', 'p', 'passPercentage', 100, 'returnValue', true, 'idType', 'userID',
        'conditions', jsonb_build_array(jsonb_build_object('type', 'public', 'idType', 'userID'))))
      ELSE '[]'::jsonb END ||
      jsonb_build_array(jsonb_build_object('name', 'r', 'id', 'r' || i, 'salt', 'r',
      'passPercentage', 100, 'returnValue', true, 'idType', 'userID',
      'conditions', jsonb_build_array(CASE WHEN i < n - 1
        THEN jsonb_build_object('type', 'pass_gate', 'targetValue', 'g' || (i + 1), 'idType', 'userID')
        ELSE jsonb_build_object('type', 'public', 'idType', 'userID') END))))) FROM generate_series(0, n - 1) i))
$f$;

SELECT throws_ok($$SELECT load_config_specs(pg_temp.chain(60000, false))$$, '54000',
                 'spec nesting is too deep', 'the issue''s 60,000-gate chain is refused at load');
\ir lib/err_of.sql
SELECT matches((SELECT detail FROM pg_temp.err_of($$SELECT load_config_specs(pg_temp.chain(60000, false))$$)),
               'gate "g59698" always goes through a chain of 301',
               'the detail names the spec and the limit');
SELECT lives_ok($$SELECT load_config_specs(pg_temp.chain(301, false))$$, 'a chain of 300 nested gates loads');
SELECT ok(check_gate('{"userID": "a"}', 'g0'), 'and evaluates (300 levels)');
SELECT lives_ok($$SELECT load_config_specs(pg_temp.chain(60000, true))$$,
                'a 60,000-gate chain reachable only through later rules loads');
SELECT ok(check_gate('{"userID": "a"}', 'g0'), 'and g0 evaluates (first rule), no crash');
SELECT ok(check_gate('{"userID": "a"}', 'g59999'), 'the last gate evaluates');
SELECT is((get_feature_gate('{"userID": "a"}', 'g1') ->> 'rule_id'), 'p1', 'the needs walk of a deep chain is exact');

-- a loop through first rules: refused at load
SELECT throws_ok($$SELECT load_config_specs('{"time": 1, "dynamic_configs": [], "layer_configs": [],
  "feature_gates": [{"name": "self", "type": "feature_gate", "entity": "feature_gate", "salt": "s",
   "enabled": true, "defaultValue": false, "idType": "userID", "rules": [{"name": "r", "id": "r",
   "salt": "r", "passPercentage": 100, "returnValue": true, "idType": "userID",
   "conditions": [{"type": "pass_gate", "targetValue": "self", "idType": "userID"}]}]}]}')$$,
                 '54000', NULL, 'a gate that always passes through itself is refused at load');

-- a loop through config mappings: 54000 at evaluation, no crash
SELECT load_config_specs($${"time": 1, "layer_configs": [], "feature_gates": [], "dynamic_configs": [
 {"name": "a", "type": "dynamic_config", "entity": "dynamic_config", "salt": "s", "enabled": true,
  "defaultValue": {}, "idType": "userID", "rules": []},
 {"name": "b", "type": "dynamic_config", "entity": "dynamic_config", "salt": "s", "enabled": true,
  "defaultValue": {}, "idType": "userID", "rules": []}],
 "override_rules": {"o": {"name": "o", "id": "o", "salt": "o", "passPercentage": 100, "returnValue": true,
   "idType": "userID", "conditions": [{"type": "public", "idType": "userID"}]}},
 "overrides": {"a": [{"new_config_name": "b", "rules": [{"rule_name": "o", "start_time": 0}]}],
               "b": [{"new_config_name": "a", "rules": [{"rule_name": "o", "start_time": 0}]}]}}$$);
SELECT throws_ok($$SELECT get_dynamic_config('{"userID": "a"}', 'a')$$, '54000', NULL,
                 'config mappings that loop end in 54000');

-- deep JSON in a document: a clean error
SELECT throws_ok($$SELECT load_config_specs(('{"time": 1, "feature_gates": [], "layer_configs": [], "dynamic_configs": [{"name": "c", "type": "dynamic_config", "entity": "dynamic_config", "salt": "s", "enabled": true, "idType": "userID", "rules": [], "defaultValue": '
  || repeat('[', 5000) || repeat(']', 5000) || '}]}')::jsonb)$$,
                 NULL, NULL, 'a 5,000-deep defaultValue is an error, not a crash');

-- ---- one user, one verdict ----
SELECT load_config_specs($${"time": 7, "feature_gates": [{"name": "g", "type": "feature_gate",
  "entity": "feature_gate", "salt": "s", "enabled": true, "defaultValue": false, "idType": "userID",
  "rules": [{"name": "r", "id": "r", "salt": "r", "passPercentage": 100, "returnValue": true,
   "idType": "userID", "conditions": [{"type": "user_field", "field": "email", "operator": "any",
   "targetValue": ["a@b.c"], "idType": "userID"}]}]}], "layer_configs": [],
 "dynamic_configs": [{"name": "exp", "type": "dynamic_config", "entity": "experiment",
  "salt": "s", "enabled": true, "defaultValue": {}, "idType": "userID", "isActive": true,
  "rules": [{"name": "control", "id": "exp_control", "groupName": "Control", "salt": "s",
   "passPercentage": 100, "returnValue": {"g": "c"}, "idType": "userID", "isExperimentGroup": true,
   "conditions": [{"type": "public", "idType": "userID"}]}]}]}$$);
CREATE TABLE hostile_users (label text, u jsonb, bad boolean);
INSERT INTO hostile_users VALUES
 ('1e400 in customIDs', '{"userID": "a", "customIDs": {"companyID": 1e400}}', true),
 ('-1e400 in custom', '{"userID": "a", "custom": {"n": -1e400}}', true),
 ('1e400 deep in custom', '{"userID": "a", "custom": {"n": {"x": [1, 2, 1e400]}}}', true),
 ('1e400 in privateAttributes', '{"userID": "a", "privateAttributes": {"n": 1e400}}', true),
 ('1e400 in an unknown top-level key', '{"userID": "a", "other": 1e400}', true),
 ('custom 70 deep', ('{"userID": "a", "custom": {"d": ' || repeat('[', 70) || repeat(']', 70) || '}}')::jsonb, true),
 ('unknown key 70 deep', ('{"userID": "a", "zzz": ' || repeat('{"a":', 70) || '1' || repeat('}', 70) || '}')::jsonb, true),
 ('custom 63 deep', ('{"userID": "a", "custom": {"d": ' || repeat('[', 62) || repeat(']', 62) || '}}')::jsonb, false),
 ('unknown key 63 deep', ('{"userID": "a", "zzz": ' || repeat('[', 63) || repeat(']', 63) || '}')::jsonb, false),
 ('1e300 in custom', '{"userID": "a", "custom": {"n": 1e300}}', false),
 ('1e-400 in custom', '{"userID": "a", "custom": {"n": 1e-400}}', false),
 -- numeric's short format ends at 1e256: both sides of it, and both ends of f64
 ('9.9e255 in custom (short format)', '{"userID": "a", "custom": {"n": 9.9e255}}', false),
 ('1e256 in custom (long format)', '{"userID": "a", "custom": {"n": 1e256}}', false),
 ('f64 max in custom', '{"userID": "a", "custom": {"n": -1.7976931348623157e308}}', false),
 ('1.8e308 in custom', '{"userID": "a", "custom": {"n": 1.8e308}}', true),
 -- what the walker checks in a user object the spec reads nothing of
 ('a boolean in customIDs', '{"userID": "a", "customIDs": {"x": true}}', true),
 ('an array in customIDs', '{"userID": "a", "customIDs": {"x": ["y"]}}', true),
 ('custom not an object', '{"userID": "a", "custom": "x"}', true),
 ('email a number', '{"userID": "a", "email": 5}', true),
 ('1e400 in statsigEnvironment', '{"userID": "a", "statsigEnvironment": {"tier": 1e400}}', true),
 ('strings, numbers and nulls in customIDs', '{"userID": "a", "email": null, "customIDs": {"n": 5, "s": "t", "z": null}}', false);

-- the verdict of each function for each user: 'ok' or the SQLSTATE
CREATE FUNCTION pg_temp.verdict(stmt text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
	EXECUTE stmt;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END $f$;
CREATE TABLE t_assign (u jsonb, grp text);
CREATE TRIGGER a BEFORE INSERT ON t_assign FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'grp');
CREATE TEMP TABLE verdicts AS
SELECT label,
       pg_temp.verdict(format('SELECT check_gate(%L, %L)', u, 'g')) AS check_gate,
       pg_temp.verdict(format('SELECT get_feature_gate(%L, %L)', u, 'g')) AS get_feature_gate,
       pg_temp.verdict(format('SELECT get_experiment(%L, %L)', u, 'exp')) AS get_experiment,
       pg_temp.verdict(format('SELECT get_layer(%L, %L)', u, 'nolayer')) AS get_layer,
       pg_temp.verdict(format('SELECT get_experiment(%L, %L, NULL)', u, 'exp')) AS persisted,
       pg_temp.verdict(format('SELECT get_user_persisted_values(%L, %L)', u, 'userID')) AS persisted_values,
       pg_temp.verdict(format('INSERT INTO t_assign VALUES (%L)', u)) AS trigger_
FROM hostile_users;
SELECT is_empty($$SELECT * FROM verdicts
                  WHERE NOT (check_gate = get_feature_gate AND check_gate = get_experiment
                             AND check_gate = get_layer AND check_gate = persisted
                             AND check_gate = trigger_ AND check_gate = persisted_values)$$,
                'every function gives each hostile user the same verdict');
SELECT is(check_gate, '22023', label || ': rejected by every function (22023)')
FROM verdicts JOIN hostile_users USING (label) WHERE bad ORDER BY label;
SELECT is(check_gate, 'ok', label || ': accepted by every function')
FROM verdicts JOIN hostile_users USING (label) WHERE NOT bad ORDER BY label;
-- repeated calls (the per-backend user cache) keep the verdict
SELECT throws_ok($$SELECT check_gate('{"userID": "a", "customIDs": {"companyID": 1e400}}', 'g')$$, '22023',
                 NULL, 'the verdict does not depend on the cache (check_gate again)');
SELECT throws_ok($$SELECT get_experiment('{"userID": "a", "customIDs": {"companyID": 1e400}}', 'exp')$$, '22023',
                 NULL, 'nor on the spec (get_experiment after check_gate)');

-- ---- long unit ids ----
SELECT throws_ok(format('SELECT get_experiment(%L, %L, NULL)', jsonb_build_object('userID', repeat('x', 2700)), 'exp'),
                 '22023', 'unit id is too long to store an assignment',
                 'a 2,700-byte unit id: a designed 22023, not the btree error');
SELECT matches((SELECT detail FROM pg_temp.err_of(format('SELECT get_experiment(%L, %L, NULL)',
                 jsonb_build_object('userID', repeat('x', 2700)), 'exp'))),
               'at most 2400 bytes', 'the detail names the limit');
SELECT throws_ok(format('INSERT INTO t_assign VALUES (%L)', jsonb_build_object('userID', repeat('y', 10000))),
                 '22023', NULL, 'the trigger gives the same error');
SELECT throws_ok(format('SELECT get_user_persisted_values(%L, %L)', jsonb_build_object('userID', repeat('z', 3000)), 'userID'),
                 '22023', NULL, 'reading a unit id too long to be stored: the same error');
SELECT throws_ok(format('SELECT import_user_persisted_values(%L, %L)', repeat('w', 3000) || ':userID',
                 '{"exp": {"value": true, "json_value": {}, "rule_id": "r", "group_name": "Control", "secondary_exposures": [], "undelegated_secondary_exposures": [], "config_version": 1, "time": 1}}'),
                 '22023', NULL, 'import refuses it too');
SELECT lives_ok(format('SELECT get_experiment(%L, %L, %L)', jsonb_build_object('userID', repeat('v', 2300)), 'exp', '{}'),
                'a 2,300-byte unit id is stored');
SELECT is((SELECT length(unit_id) FROM ea_assignments WHERE unit_id LIKE 'vvv%'), 2300, 'and kept whole');
SELECT ok(check_gate(jsonb_build_object('userID', repeat('x', 100000)), 'g') IS NOT NULL,
          'the stateless evaluators take unit ids of any length');
SELECT is((SELECT count(*)::int FROM ea_assignments WHERE length(unit_id) > 2400), 0, 'nothing too long was stored');

SELECT * FROM finish();
ROLLBACK;
