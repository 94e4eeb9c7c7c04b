-- errors.sql: the SQLSTATE of every error the extension raises.
BEGIN;
CREATE EXTENSION experiment_assign;
SELECT plan(16);

SELECT throws_ok($$SELECT check_gate('{"userID": "u"}', 'g')$$, '55000',
                 'no config specs are loaded', 'evaluating before any load');
SELECT throws_ok($$SELECT get_experiment('{"userID": "u"}', 'e')$$, '55000');

SELECT throws_ok($$SELECT load_config_specs('[]')$$, '22023', 'invalid config specs document',
                 'a document that is not an object');
SELECT throws_ok($$SELECT load_config_specs('{"feature_gates": 5}')$$, '22023');
SELECT throws_ok($$SELECT load_config_specs('{"feature_gates": [')$$, '22P02', NULL,
                 'truncated JSON');

SELECT lives_ok($$SELECT load_config_specs('{"time": 5, "feature_gates": [], "dynamic_configs": [], "layer_configs": []}')$$,
                'a minimal document loads');
SELECT throws_ok($$SELECT check_gate('[]', 'g')$$, '22023', 'invalid StatsigUser', 'user not an object');
SELECT throws_ok($$SELECT get_layer('{"custom": []}', 'l')$$, '22023', 'invalid StatsigUser',
                 'user field of the wrong type');
SELECT throws_ok($$SELECT get_dynamic_config('{"userID": "u", "email": 1}', 'c')$$, '22023');

SELECT throws_ok($$SELECT load_id_list_file('l', E'+ok\nbad')$$, '22P02', 'invalid ID list file',
                 'an ID-list line without + or -');
SELECT throws_ok($$SELECT load_id_list('l', ARRAY[NULL])$$, '22004', NULL, 'a NULL unit id');
SELECT throws_ok($$SELECT load_id_list_hashes('l', ARRAY['a b'])$$, '22023');
SELECT throws_ok($$SELECT load_id_list('', ARRAY['a'])$$, '22023', 'invalid ID list name');

SELECT throws_ok($$SET experiment_assign.evaluation_time_ms = 'soon'$$, '22023');
SELECT throws_ok($$SET experiment_assign.no_such_setting = 1$$, '42602');
SELECT throws_ok($$SELECT ea_invalidate_cache()$$, '39P01');

SELECT * FROM finish();
ROLLBACK;
