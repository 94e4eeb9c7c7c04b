--
-- settings: experiment_assign.environment_tier and
-- experiment_assign.evaluation_time_ms.
--
-- the settings exist once the library is loaded (by the first call, or
-- LOAD, or shared_preload_libraries)
LOAD 'experiment_assign';
SHOW experiment_assign.environment_tier;
SELECT check_gate('{"userID": "u1"}', 'staging_only') AS no_tier;

SET experiment_assign.environment_tier = 'staging';
SELECT check_gate('{"userID": "u1"}', 'staging_only') AS staging;
SELECT get_feature_gate('{"userID": "u1"}', 'staging_only') ->> 'rule_id' AS rule_id;

SET experiment_assign.environment_tier = 'production';
SELECT check_gate('{"userID": "u1"}', 'staging_only') AS production;

-- SET LOCAL is undone at the end of the transaction
RESET experiment_assign.environment_tier;
BEGIN;
SET LOCAL experiment_assign.environment_tier = 'staging';
SELECT check_gate('{"userID": "u1"}', 'staging_only') AS local_staging;
COMMIT;
SELECT check_gate('{"userID": "u1"}', 'staging_only') AS after_commit;

-- too long a tier is refused
SELECT set_config('experiment_assign.environment_tier', repeat('x', 300), false);

-- evaluation time: empty means the wall clock; a fixed time makes
-- current_time conditions reproducible
SHOW experiment_assign.evaluation_time_ms;
SET experiment_assign.evaluation_time_ms = '1700000000000';
SELECT check_gate('{"userID": "u1"}', 'after_launch') AS before_launch;
SET experiment_assign.evaluation_time_ms = '1900000000000';
SELECT check_gate('{"userID": "u1"}', 'after_launch') AS after_launch;
SET experiment_assign.evaluation_time_ms = 'tomorrow';
SET experiment_assign.evaluation_time_ms = '-5';
RESET experiment_assign.evaluation_time_ms;

-- the prefix is reserved: unknown settings are refused
SET experiment_assign.no_such_setting = 'on';
