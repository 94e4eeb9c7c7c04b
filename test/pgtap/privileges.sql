-- privileges.sql: who may evaluate, load and read the tables.
BEGIN;
CREATE EXTENSION experiment_assign;
SELECT plan(18);

CREATE ROLE ea_tap_app;

SELECT table_privs_are('ea_config_specs', 'public', ARRAY[]::text[], 'ea_config_specs is private');
SELECT table_privs_are('ea_id_lists', 'public', ARRAY[]::text[], 'ea_id_lists is private');
SELECT table_privs_are('ea_specs', 'public', ARRAY['SELECT'], 'ea_specs is readable by PUBLIC');
SELECT table_privs_are('ea_id_list_sizes', 'public', ARRAY['SELECT'], 'ea_id_list_sizes is readable by PUBLIC');

SELECT function_privs_are(f, args, 'public', ARRAY['EXECUTE'], f || ' is executable by PUBLIC')
FROM (VALUES ('check_gate', ARRAY['jsonb', 'text']),
             ('get_feature_gate', ARRAY['jsonb', 'text']),
             ('get_dynamic_config', ARRAY['jsonb', 'text']),
             ('get_experiment', ARRAY['jsonb', 'text']),
             ('get_layer', ARRAY['jsonb', 'text'])) AS v(f, args);
SELECT function_privs_are(f, args, 'public', ARRAY[]::text[], f || ' is not executable by PUBLIC')
FROM (VALUES ('load_config_specs', ARRAY['jsonb']),
             ('load_id_list', ARRAY['text', 'text[]']),
             ('load_id_list_hashes', ARRAY['text', 'text[]']),
             ('load_id_list_file', ARRAY['text', 'text', 'boolean']),
             ('drop_id_list', ARRAY['text']),
             ('ea_invalidate_cache', ARRAY[]::text[])) AS v(f, args);

-- an unprivileged role: evaluates, cannot load
SELECT load_config_specs('{"time": 5, "feature_gates": [], "dynamic_configs": [], "layer_configs": []}');
SET LOCAL ROLE ea_tap_app;
SELECT throws_ok($$SELECT load_config_specs('{"feature_gates": []}')$$, '42501',
                 NULL, 'load_config_specs is refused to an unprivileged role');
SELECT throws_ok($$SELECT * FROM ea_config_specs$$, '42501', NULL,
                 'the specs table is refused to an unprivileged role');
SELECT lives_ok($$SELECT check_gate('{"userID": "u"}', 'g')$$,
                'an unprivileged role evaluates');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
