--
-- assignment_admin: erasure, deleting and archiving an experiment's
-- assignments, import/export of Statsig UserPersistedValues, and the
-- views (assignment list, analysis assignment source).
--
SELECT use_doc('base');
DELETE FROM ea_assignments;
SELECT brief(get_experiment(u, 'sticky_exp', get_user_persisted_values(u, 'userID'))),
	   brief(get_layer(u, 'sticky_layer', get_user_persisted_values(u, 'userID')))
FROM (SELECT jsonb_build_object('userID', 'adm' || i, 'country', 'US') AS u
	  FROM generate_series(1, 4) AS i) s;
SELECT * FROM stored;

-- the views
SELECT unit_id, id_type, storage_key, config_name, entity, allocated_experiment,
	   group_name, rule_id, is_active
FROM ea_assignment_list ORDER BY unit_id, config_name;
SELECT unit_id, id_type, experiment_id, group_id, group_name, rule_id, config_name,
	   "timestamp" IS NOT NULL AS has_timestamp
FROM ea_assignment_source ORDER BY unit_id, config_name;

-- export: one row per storage key, as an SDK's adapter holds it
SELECT storage_key, jsonb_object_keys(user_persisted_values) AS config
FROM export_user_persisted_values() ORDER BY 1, 2;

-- export and import round trip
CREATE TEMP TABLE exported AS SELECT * FROM export_user_persisted_values();
SELECT delete_experiment_assignments('sticky_exp') AS deleted_exp,
	   delete_experiment_assignments('sticky_layer') AS deleted_layer,
	   delete_experiment_assignments('no_such') AS deleted_none;
SELECT sum(import_user_persisted_values(storage_key, user_persisted_values)) AS imported FROM exported;
SELECT (SELECT jsonb_agg(e ORDER BY storage_key) FROM export_user_persisted_values() e)
	 = (SELECT jsonb_agg(e ORDER BY storage_key) FROM exported e) AS round_trip;

-- import: legacy configVersion is normalised, an existing value replaced,
-- unit ids may contain colons (the key splits at its last colon)
SELECT import_user_persisted_values('urn:user:42:userID', $$
{"sticky_exp": {"value": true, "json_value": {"color": "green"}, "rule_id": "sticky_exp_test",
 "group_name": "Test", "secondary_exposures": [], "time": 1700000000000, "configVersion": 3}}
$$) AS imported;
SELECT unit_id, id_type, config_name, group_name, rule_id, sticky ->> 'config_version' AS version,
	   sticky ? 'configVersion' AS legacy_key
FROM ea_assignments WHERE unit_id = 'urn:user:42';
-- an imported value is returned as the persisted value
SELECT brief(get_experiment(u, 'sticky_exp', get_user_persisted_values(u, 'userID')))
FROM (VALUES ('{"userID": "urn:user:42"}'::jsonb)) v(u);
SELECT import_user_persisted_values('urn:user:42:userID', $$
{"sticky_exp": {"value": true, "json_value": {"color": "blue"}, "rule_id": "sticky_exp_control",
 "group_name": "Control", "secondary_exposures": []}}
$$) AS replaced;
SELECT group_name FROM ea_assignments WHERE unit_id = 'urn:user:42';
SELECT import_user_persisted_values('nobody:userID', '{}') AS empty_import;

-- import errors: nothing is stored
\set VERBOSITY default
SELECT import_user_persisted_values('no-colon', '{}');
SELECT import_user_persisted_values(':userID', '{}');
SELECT import_user_persisted_values('u:', '{}');
SELECT import_user_persisted_values('u:userID', '[]');
SELECT import_user_persisted_values('u:userID', '{"good": {"value": true, "secondary_exposures": []}, "bad": {"value": true, "secondary_exposures": [], "rule_id": 5}}');
SELECT count(*) AS stored_for_u FROM ea_assignments WHERE unit_id = 'u';
SELECT import_user_persisted_values(NULL, '{}') IS NULL AS strict;

-- archive: rows move to ea_assignments_archive, the next call assigns afresh
SELECT archive_experiment_assignments('sticky_layer') AS archived;
SELECT count(*) AS layer_rows FROM ea_assignments WHERE config_name = 'sticky_layer';
SELECT unit_id, config_name, group_name, archived_at IS NOT NULL AS stamped
FROM ea_assignments_archive ORDER BY 1;
SELECT brief(get_layer(u, 'sticky_layer', get_user_persisted_values(u, 'userID'))) AS after_archive
FROM (VALUES ('{"userID": "adm1", "country": "US"}'::jsonb)) v(u);

-- erasure: current and archived rows of one unit, one id type or all
SELECT delete_unit_assignments('adm1', 'stableID') AS other_id_type;
SELECT delete_unit_assignments('adm1', 'userID') AS adm1;
SELECT delete_unit_assignments('adm2') AS adm2_all;
SELECT delete_unit_assignments(NULL) IS NULL AS null_unit;
SELECT count(*) AS left_for_adm1_adm2 FROM ea_assignments WHERE unit_id IN ('adm1', 'adm2');
SELECT count(*) AS archived_left_for_adm1_adm2 FROM ea_assignments_archive WHERE unit_id IN ('adm1', 'adm2');

-- the storage is transactional: an erasure rolled back leaves the rows
BEGIN;
SELECT delete_unit_assignments('adm3') AS adm3;
ROLLBACK;
SELECT count(*) AS adm3_rows FROM ea_assignments WHERE unit_id = 'adm3';

DELETE FROM ea_assignments;
DELETE FROM ea_assignments_archive;
