--
-- adapter: the functions behind an SDK's persistent storage adapter
-- (adapters/node): get_user_persisted_values(storage_key),
-- save_user_persisted_value and delete_user_persisted_value.  Keys and
-- values as Server Core writes them, first-assignment-wins saves, errors,
-- privileges.  Document: test/conformance/fixtures/sticky_base.v2.json.
--
\set adapter_base `cat test/conformance/fixtures/sticky_base.v2.json`
SELECT load_config_specs(:'adapter_base') > 0 AS loaded;
DELETE FROM ea_assignments;

-- exactly what node-core 0.23.2 passes to save() for sticky_exp and sticky_layer
\set exp_value '{"value": true, "json_value": {"color": "green"}, "rule_id": "sticky_exp_test", "group_name": "Test", "secondary_exposures": [], "undelegated_secondary_exposures": null, "config_delegate": null, "explicit_parameters": null, "time": 1700000000000, "config_version": 1}'
\set layer_value '{"value": true, "json_value": {"title": "A test"}, "rule_id": "sle_a_test", "group_name": "Test", "secondary_exposures": [], "undelegated_secondary_exposures": [], "config_delegate": "sticky_layer_exp_a", "explicit_parameters": ["title"], "time": 1700000000000, "config_version": 1}'

-- load of a unit with nothing stored: {}
SELECT get_user_persisted_values('nobody:userID') AS empty_load;

-- save: a first assignment is stored, the row's columns filled in
SELECT save_user_persisted_value('ad1:userID', 'sticky_exp', :'exp_value') AS saved;
SELECT save_user_persisted_value('ad1:userID', 'sticky_layer', :'layer_value') AS saved_layer;
SELECT unit_id, id_type, config_name, group_name, rule_id, assigned_at IS NOT NULL AS stamped
FROM ea_assignments ORDER BY unit_id, config_name;
SELECT get_user_persisted_values('ad1:userID') -> 'sticky_exp' = :'exp_value'::jsonb AS stored_as_given,
	   get_user_persisted_values('ad1:userID') -> 'sticky_layer' = :'layer_value'::jsonb AS layer_as_given;
-- load by key is what the (user, id type) form returns
SELECT get_user_persisted_values('ad1:userID')
	 = get_user_persisted_values('{"userID": "ad1"}', 'userID') AS same_as_user_form;

-- a second save keeps the first value (first assignment wins)
SELECT save_user_persisted_value('ad1:userID', 'sticky_exp',
	jsonb_set(:'exp_value'::jsonb, '{group_name}', '"Control"')) AS saved_again;
SELECT group_name FROM ea_assignments WHERE unit_id = 'ad1' AND config_name = 'sticky_exp';

-- SQL returns the saved value as persisted, whatever the live evaluation says
SELECT r ->> 'group_name' AS grp, r ->> 'reason' AS reason
FROM (SELECT get_experiment(u, 'sticky_exp', get_user_persisted_values(u, 'userID')) AS r
	  FROM (VALUES ('{"userID": "ad1"}'::jsonb)) v(u)) s;
SELECT r ->> 'group_name' AS grp, r ->> 'allocated_experiment_name' AS allocated, r ->> 'reason' AS reason
FROM (SELECT get_layer(u, 'sticky_layer', get_user_persisted_values(u, 'userID')) AS r
	  FROM (VALUES ('{"userID": "ad1"}'::jsonb)) v(u)) s;

-- a value SQL assigned is what load returns
SELECT get_experiment('{"userID": "ad2"}', 'sticky_exp',
					  get_user_persisted_values('{"userID": "ad2"}', 'userID')) ->> 'group_name'
	 = get_user_persisted_values('ad2:userID') -> 'sticky_exp' ->> 'group_name' AS sql_assignment_loaded;

-- keys split at the last colon; other id types; legacy configVersion normalised
SELECT save_user_persisted_value('urn:acme:7:companyID', 'sticky_exp',
	(:'exp_value'::jsonb - 'config_version') || '{"configVersion": 4}') AS saved_custom;
SELECT unit_id, id_type, sticky ->> 'config_version' AS version, sticky ? 'configVersion' AS legacy_key
FROM ea_assignments WHERE id_type = 'companyID';
SELECT get_user_persisted_values('urn:acme:7:companyID') ? 'sticky_exp' AS loaded_custom,
	   get_user_persisted_values('urn:acme:7:userID') AS other_id_type;

-- delete: true when a value was stored
SELECT delete_user_persisted_value('ad1:userID', 'sticky_exp') AS deleted,
	   delete_user_persisted_value('ad1:userID', 'sticky_exp') AS deleted_again,
	   delete_user_persisted_value('nobody:userID', 'sticky_exp') AS deleted_nothing;
SELECT jsonb_object_keys(get_user_persisted_values('ad1:userID')) AS left_for_ad1;
-- after a delete the next save is a first assignment again
SELECT save_user_persisted_value('ad1:userID', 'sticky_exp',
	jsonb_set(:'exp_value'::jsonb, '{group_name}', '"Control"')) AS saved_after_delete;
SELECT group_name FROM ea_assignments WHERE unit_id = 'ad1' AND config_name = 'sticky_exp';

-- transactional: a rolled-back save is not stored
BEGIN;
SELECT save_user_persisted_value('ad3:userID', 'sticky_exp', :'exp_value') AS saved_in_tx;
ROLLBACK;
SELECT get_user_persisted_values('ad3:userID') AS after_rollback;

-- errors: 22023 naming the bad part; nothing is stored
\set VERBOSITY default
SELECT get_user_persisted_values('no-colon');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT save_user_persisted_value(':userID', 'sticky_exp', :'exp_value');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT save_user_persisted_value('u:', 'sticky_exp', :'exp_value');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT save_user_persisted_value('u:userID', '', :'exp_value');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT save_user_persisted_value('u:userID', 'sticky_exp', '[]');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT save_user_persisted_value('u:userID', 'sticky_exp', '{"value": "yes", "secondary_exposures": []}');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT save_user_persisted_value('u:userID', 'sticky_exp', '{"value": true}');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT save_user_persisted_value('u:userID', 'sticky_exp', :'exp_value'::jsonb || '{"rule_id": 5}');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT save_user_persisted_value('u:userID', 'sticky_exp', :'exp_value'::jsonb || '{"time": "now"}');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT delete_user_persisted_value('u', 'sticky_exp');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT delete_user_persisted_value('u:userID', '');
\echo sqlstate :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
SELECT count(*) AS stored_for_u FROM ea_assignments WHERE unit_id = 'u';
-- STRICT
SELECT get_user_persisted_values(NULL::text) IS NULL AS load_strict,
	   save_user_persisted_value('u:userID', 'sticky_exp', NULL) IS NULL AS save_strict,
	   delete_user_persisted_value(NULL, 'sticky_exp') IS NULL AS delete_strict;

-- attributes: VOLATILE, STRICT, PARALLEL UNSAFE; no EXECUTE for PUBLIC
SELECT p.oid::regprocedure AS function, p.provolatile, p.proisstrict, p.proparallel,
	   has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
FROM pg_proc p
WHERE p.proname IN ('save_user_persisted_value', 'delete_user_persisted_value')
   OR p.oid = 'get_user_persisted_values(text)'::regprocedure
ORDER BY p.proname;

-- grant_assignment_access() covers the adapter's functions
SELECT f AS assignment_function FROM assignment_access_functions() AS f
WHERE f::text LIKE '%user_persisted_value%' ORDER BY f::text;

-- privileges: an application role needs a grant; with it, no privilege on
-- the table is needed
CREATE ROLE ea_adapter_app;
SET ROLE ea_adapter_app;
SELECT get_user_persisted_values('ad1:userID');
SELECT save_user_persisted_value('ad4:userID', 'sticky_exp', :'exp_value');
SELECT delete_user_persisted_value('ad1:userID', 'sticky_exp');
RESET ROLE;
GRANT EXECUTE ON FUNCTION get_user_persisted_values(text),
	save_user_persisted_value(text, text, jsonb),
	delete_user_persisted_value(text, text) TO ea_adapter_app;
SET ROLE ea_adapter_app;
SELECT save_user_persisted_value('ad4:userID', 'sticky_exp', :'exp_value') AS app_saved;
SELECT get_user_persisted_values('ad4:userID') -> 'sticky_exp' ->> 'group_name' AS app_loaded;
SELECT delete_user_persisted_value('ad4:userID', 'sticky_exp') AS app_deleted;
SELECT count(*) FROM ea_assignments;
RESET ROLE;
REVOKE ALL ON FUNCTION get_user_persisted_values(text),
	save_user_persisted_value(text, text, jsonb),
	delete_user_persisted_value(text, text) FROM ea_adapter_app;
DROP ROLE ea_adapter_app;
DELETE FROM ea_assignments;
