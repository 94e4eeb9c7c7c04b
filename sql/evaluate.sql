--
-- evaluate: the five evaluation functions on the v1 document (loaded by
-- load_specs), their result shapes, unknown names and NULL handling.
--
SELECT document_time, format FROM config_specs_info();

-- check_gate
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS nz,
       check_gate('{"userID": "u1", "country": "AU"}', 'nz_only') AS au,
       check_gate('{"userID": "u1"}', 'nz_only') AS no_country,
       check_gate('{"userID": "u1", "custom": {"country": "NZ"}}', 'nz_only') AS custom_field,
       check_gate('{"userID": "u1", "country": "NZ"}', 'off') AS disabled;

-- a gate on a custom id type
SELECT check_gate('{"userID": "u1", "customIDs": {"companyID": "acme"}}', 'company_gate') AS acme,
       check_gate('{"userID": "u1", "customIDs": {"companyID": "other"}}', 'company_gate') AS other,
       check_gate('{"userID": "u1"}', 'company_gate') AS no_company;

-- get_feature_gate
SELECT jsonb_pretty(get_feature_gate('{"userID": "u1", "country": "NZ"}', 'nz_only'));
SELECT jsonb_pretty(get_feature_gate('{"userID": "u1"}', 'off'));

-- get_dynamic_config: a pass_gate condition adds a secondary exposure
SELECT jsonb_pretty(get_dynamic_config('{"userID": "u1", "country": "NZ"}', 'colors'));
SELECT get_dynamic_config('{"userID": "u1"}', 'colors') -> 'value' AS value;

-- get_experiment: assignment is deterministic per unit id
SELECT jsonb_pretty(get_experiment('{"userID": "u1"}', 'exp'));
SELECT u, r ->> 'group_name' AS group_name, r -> 'value' AS value, r ->> 'rule_id' AS rule_id
FROM (SELECT u, get_experiment(jsonb_build_object('userID', u), 'exp') AS r
      FROM unnest(ARRAY['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) AS u) s
ORDER BY u;
SELECT get_experiment(jsonb_build_object('userID', 'u1'), 'exp')
     = get_experiment(jsonb_build_object('userID', 'u1'), 'exp') AS stable;
-- no unit id
SELECT get_experiment('{}', 'exp') - 'secondary_exposures' AS no_unit_id;

-- get_layer: delegated to the layer's experiment, or the layer default
SELECT jsonb_pretty(get_layer('{"userID": "u1", "country": "NZ"}', 'pricing'));
SELECT jsonb_pretty(get_layer('{"userID": "u1", "country": "AU"}', 'pricing'));

-- the kinds do not mix: a gate name is not a config
SELECT get_dynamic_config('{"userID": "u1"}', 'nz_only') ->> 'reason' AS reason;

-- unknown names: Server Core's Unrecognized result, not an error
SELECT check_gate('{"userID": "u1"}', 'no_such_gate') AS unknown_gate;
SELECT get_feature_gate('{"userID": "u1"}', 'no_such_gate');
SELECT get_dynamic_config('{"userID": "u1"}', 'no_such_config');
SELECT get_experiment('{"userID": "u1"}', 'no_such_experiment');
SELECT get_layer('{"userID": "u1"}', 'no_such_layer');

-- STRICT: NULL in, NULL out
SELECT check_gate(NULL, 'nz_only') IS NULL AS null_user,
       check_gate('{"userID": "u1"}', NULL) IS NULL AS null_name,
       get_feature_gate(NULL, 'nz_only') IS NULL AS gate,
       get_dynamic_config(NULL, 'colors') IS NULL AS config,
       get_experiment('{}', NULL) IS NULL AS experiment,
       get_layer(NULL, NULL) IS NULL AS layer;

-- many users in one query: a rough 50/50 split, stable across runs
SELECT r ->> 'group_name' AS group_name, count(*)
FROM (SELECT get_experiment(jsonb_build_object('userID', 'user-' || i), 'exp') AS r
      FROM generate_series(1, 2000) AS i) s
GROUP BY 1 ORDER BY 1;

-- the same in parallel workers (PARALLEL SAFE functions, cache per worker)
CREATE TABLE eval_users AS
	SELECT i, jsonb_build_object('userID', 'user-' || i) AS u FROM generate_series(1, 2000) AS i;
ANALYZE eval_users;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
SELECT get_experiment(u, 'exp') ->> 'group_name' AS group_name, count(*)
FROM eval_users GROUP BY 1 ORDER BY 1;
SELECT count(*) FILTER (WHERE check_gate(u || '{"country": "NZ"}', 'nz_only')) AS nz
FROM eval_users;
RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
DROP TABLE eval_users;

-- the v2 document evaluates too
SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v2';
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS nz,
       check_gate('{"userID": "u1", "country": "AU"}', 'nz_only') AS au;
SELECT jsonb_pretty(get_dynamic_config('{"userID": "u1", "country": "NZ"}', 'colors'));
SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v1';
