--
-- persistence: persistent assignment through get_user_persisted_values and
-- the persistence-aware get_experiment/get_layer.  Every branch of Server
-- Core's decision order, what is stored, NULL handling, malformed values,
-- transactions, read-only transactions and set-based use.  Documents: the
-- sticky conformance fixtures (test/conformance/fixtures/sticky_*).
--
\set base `cat test/conformance/fixtures/sticky_base.v2.json`
\set alloc_zero `cat test/conformance/fixtures/sticky_alloc_zero.v2.json`
\set inactive `cat test/conformance/fixtures/sticky_inactive.v2.json`
\set targeting_us `cat test/conformance/fixtures/sticky_targeting_us.v2.json`
\set targeting_ca `cat test/conformance/fixtures/sticky_targeting_ca.v2.json`
\set override `cat test/conformance/fixtures/sticky_override.v2.json`
\set company `cat test/conformance/fixtures/sticky_company.v2.json`
\set layer_a_inactive `cat test/conformance/fixtures/sticky_layer_a_inactive.v2.json`
CREATE TABLE sticky_docs (name text PRIMARY KEY, doc jsonb NOT NULL);
INSERT INTO sticky_docs VALUES
	('base', :'base'), ('alloc_zero', :'alloc_zero'), ('inactive', :'inactive'),
	('targeting_us', :'targeting_us'), ('targeting_ca', :'targeting_ca'),
	('override', :'override'), ('company', :'company'),
	('layer_a_inactive', :'layer_a_inactive');

CREATE FUNCTION use_doc(n text) RETURNS void LANGUAGE sql AS $$
	SELECT load_config_specs(doc) FROM sticky_docs WHERE name = n;
	SELECT;
$$;
-- a result in one line: group, rule, reason
CREATE FUNCTION brief(r jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT concat_ws(' | ', COALESCE(r ->> 'group_name', '(no group)'), r ->> 'rule_id', r ->> 'reason')
$$;
-- the persistence-aware call, as an application makes it
CREATE FUNCTION exp_sticky(u jsonb, et boolean DEFAULT false, eo boolean DEFAULT false) RETURNS text
LANGUAGE sql AS $$
	SELECT brief(get_experiment(u, 'sticky_exp', get_user_persisted_values(u, 'userID'), et, eo))
$$;
CREATE VIEW stored AS
	SELECT unit_id, id_type, config_name, group_name, rule_id,
		   sticky ->> 'config_delegate' AS delegate
	FROM ea_assignments ORDER BY 1, 2, 3;

\set u1 '{"userID": "sticky_user_1", "country": "US"}'
\set u1_ca '{"userID": "sticky_user_1", "country": "CA"}'

SELECT use_doc('base');

-- NULL user or name: NULL; NULL values are meaningful (delete), not NULL in
SELECT get_experiment(NULL, 'sticky_exp', '{}') IS NULL AS null_user,
	   get_experiment(:'u1', NULL, '{}') IS NULL AS null_name,
	   get_layer(NULL, 'sticky_layer', NULL) IS NULL AS null_layer_user,
	   get_user_persisted_values(NULL, 'userID') IS NULL AS null_values_user;

-- nothing stored yet
SELECT get_user_persisted_values(:'u1', 'userID') AS values_before;

-- 1. no unit id for the experiment's id type: evaluated, nothing touched
SELECT brief(get_experiment('{"country": "US"}', 'sticky_exp', '{}')) AS no_unit_id;
SELECT get_user_persisted_values('{"country": "US"}', 'userID') AS no_unit_values;

-- 2. first assignment of a user in an experiment group: saved
SELECT exp_sticky(:'u1') AS first_assignment;
SELECT * FROM stored;
SELECT jsonb_pretty(get_user_persisted_values(:'u1', 'userID')) AS persisted_values;
-- the storage key is "<unit id>:<id type>": another id type sees nothing
SELECT get_user_persisted_values(:'u1', 'stableID') AS other_id_type;

-- 3. a stored value: returned as is ("Persisted") whatever the allocation
SELECT use_doc('alloc_zero');
SELECT brief(get_experiment(:'u1', 'sticky_exp')) AS live_two_argument;
SELECT exp_sticky(:'u1') AS persisted;
SELECT jsonb_pretty(get_experiment(:'u1', 'sticky_exp', get_user_persisted_values(:'u1', 'userID')));

-- 4. values NULL (the SDK's None): the stored value is deleted, live result
SELECT brief(get_experiment(:'u1', 'sticky_exp', NULL)) AS null_values;
SELECT count(*) AS stored_after_null FROM ea_assignments;

-- 5. not in an experiment group (outside the allocation): not saved
SELECT exp_sticky(:'u1') AS not_allocated;
SELECT count(*) AS stored_not_allocated FROM ea_assignments;

-- 6. experiment inactive: the stored value is deleted, live result
SELECT use_doc('base');
SELECT exp_sticky(:'u1') AS reassigned;
SELECT use_doc('inactive');
SELECT exp_sticky(:'u1') AS inactive;
SELECT count(*) AS stored_inactive FROM ea_assignments;
-- an inactive experiment stores nothing
SELECT exp_sticky(:'u1') AS inactive_again;
SELECT count(*) AS stored_inactive_again FROM ea_assignments;

-- 7. enforce_targeting: a user who now fails targeting gets the live
-- result and the stored value is kept; one who passes gets the stored one
SELECT use_doc('targeting_us');
SELECT exp_sticky(:'u1') AS targeted_us;
SELECT use_doc('targeting_ca');
SELECT exp_sticky(:'u1') AS not_enforced,
	   exp_sticky(:'u1', et => true) AS enforced_fails,
	   exp_sticky(:'u1_ca', et => true) AS enforced_passes;
SELECT * FROM stored;

-- 8. enforce_overrides: a matching override wins, the stored value is kept
SELECT get_experiment(:'u1', 'sticky_exp', NULL) IS NOT NULL AS reset;
SELECT use_doc('base');
SELECT exp_sticky(:'u1') AS assigned;
SELECT use_doc('override');
SELECT exp_sticky(:'u1') AS override_ignored,
	   exp_sticky(:'u1', eo => true) AS override_enforced,
	   exp_sticky(:'u1', true, true) AS both_enforced;
SELECT * FROM stored;
SELECT get_experiment(:'u1', 'sticky_exp', NULL) IS NOT NULL AS reset;

-- 9. a custom id type: stored under "<companyID>:companyID"
SELECT use_doc('company');
SELECT brief(get_experiment(u, 'sticky_exp', get_user_persisted_values(u, 'companyID')))
FROM (VALUES ('{"userID": "m1", "customIDs": {"companyID": "acme"}}'::jsonb)) v(u);
SELECT * FROM stored;
-- another member of the same company shares the assignment
SELECT brief(get_experiment(u, 'sticky_exp', get_user_persisted_values(u, 'companyID')))
FROM (VALUES ('{"userID": "m2", "customIDs": {"companyID": "acme"}}'::jsonb)) v(u);
SELECT delete_unit_assignments('acme') AS erased;

-- 10. layers: stored under the layer name, delegate = allocated experiment
SELECT use_doc('base');
\set lu '{"userID": "sticky_layer_user_0", "country": "US"}'
SELECT brief(get_layer(:'lu', 'sticky_layer', get_user_persisted_values(:'lu', 'userID'))) AS layer_first;
SELECT * FROM stored;
SELECT brief(get_layer(:'lu', 'sticky_layer', get_user_persisted_values(:'lu', 'userID'))) AS layer_sticky;
SELECT get_layer(:'lu', 'sticky_layer', get_user_persisted_values(:'lu', 'userID')) ->> 'allocated_experiment_name' AS layer_delegate;
-- the delegate experiment deactivated: deleted
SELECT use_doc('layer_a_inactive');
SELECT brief(get_layer(:'lu', 'sticky_layer', get_user_persisted_values(:'lu', 'userID'))) AS layer_delegate_inactive;
SELECT count(*) AS stored_layer FROM ea_assignments;

-- the two-argument functions never read or write storage
SELECT use_doc('base');
SELECT brief(get_experiment(:'u1', 'sticky_exp')) AS plain,
	   brief(get_layer(:'lu', 'sticky_layer')) AS plain_layer;
SELECT count(*) AS stored_by_plain FROM ea_assignments;
-- NULL enforce flags count as false
SELECT brief(get_experiment(:'u1', 'sticky_exp', '{}', NULL, NULL)) AS null_flags;
SELECT brief(get_experiment(:'u1', 'sticky_exp', '{}', NULL, NULL)) AS null_flags_again;
-- passed values win over storage: the caller's values decide, as in the SDKs
SELECT brief(get_experiment(:'u1', 'sticky_exp', '{}')) AS empty_values_after_save;
-- a gate or dynamic config name: evaluated, never stored
SELECT brief(get_experiment(:'u1', 'sticky_targeting', '{}')) AS gate_name;
SELECT brief(get_experiment(:'u1', 'no_such_experiment', '{}')) AS unknown_name;
SELECT count(*) AS stored_now FROM ea_assignments;

-- malformed persisted values: an error naming the bad entry, never "none"
\set VERBOSITY default
SELECT get_experiment(:'u1', 'sticky_exp', '[]');
SELECT get_experiment(:'u1', 'sticky_exp', '{"sticky_exp": 5}');
SELECT get_experiment(:'u1', 'sticky_exp', '{"other": {"value": "yes", "secondary_exposures": []}}');
SELECT get_experiment(:'u1', 'sticky_exp', '{"sticky_exp": {"value": true}}');
SELECT get_layer(:'u1', 'sticky_layer', '{"sticky_layer": {"value": true, "secondary_exposures": [{"gate": 1}]}}');
SELECT get_experiment('[]', 'sticky_exp', '{}');

-- a rolled-back assignment is not stored
SELECT delete_unit_assignments('sticky_user_1') AS cleared;
BEGIN;
SELECT exp_sticky(:'u1') AS in_transaction;
SELECT count(*) AS stored_in_transaction FROM ea_assignments;
ROLLBACK;
SELECT count(*) AS stored_after_rollback FROM ea_assignments;

-- a read-only transaction: the evaluation is returned, nothing stored, a
-- WARNING (once per statement) says so
BEGIN;
SET TRANSACTION READ ONLY;
SELECT exp_sticky(:'u1') AS read_only;
SELECT u, exp_sticky(jsonb_build_object('userID', u)) AS read_only_many
FROM unnest(ARRAY['ro1', 'ro2']) AS u ORDER BY u;
COMMIT;
SELECT count(*) AS stored_after_read_only FROM ea_assignments;
-- ...and a delete that cannot happen is reported too
SELECT exp_sticky(:'u1') AS stored_again;
BEGIN READ ONLY;
SELECT brief(get_experiment(:'u1', 'sticky_exp', NULL)) AS read_only_delete;
-- reading stored values is fine
SELECT get_user_persisted_values(:'u1', 'userID') ? 'sticky_exp' AS read_only_read;
COMMIT;
SELECT count(*) AS still_stored FROM ea_assignments;

-- two calls for the same unit in one statement see each other
SELECT delete_unit_assignments('sticky_user_1') AS cleared;
SELECT n, exp_sticky(:'u1') AS same_statement
FROM generate_series(1, 3) AS n ORDER BY n;

-- set-based: 10,000 rows, 5,000 units each twice, one statement
CREATE TABLE signups (id int PRIMARY KEY, u jsonb NOT NULL, assignment jsonb);
INSERT INTO signups (id, u, assignment)
SELECT i, u, get_experiment(u, 'sticky_exp', get_user_persisted_values(u, 'userID'))
FROM (SELECT i, jsonb_build_object('userID', 'bulk' || (i % 5000)) AS u
	  FROM generate_series(1, 10000) AS i) s
ORDER BY i;
SELECT count(*) AS rows, count(DISTINCT u) AS units,
	   count(*) FILTER (WHERE assignment ->> 'reason' = 'Persisted') AS persisted,
	   count(*) FILTER (WHERE assignment ->> 'reason' <> 'Persisted') AS assigned
FROM signups;
SELECT count(*) AS stored_units FROM ea_assignments WHERE unit_id LIKE 'bulk%';
-- both rows of a unit got the same group, the stored one
SELECT count(*) AS disagreements
FROM signups s
JOIN ea_assignments a ON a.unit_id = s.u ->> 'userID' AND a.config_name = 'sticky_exp'
WHERE s.assignment ->> 'group_name' IS DISTINCT FROM a.group_name;
SELECT group_name, count(*) FROM ea_assignments WHERE unit_id LIKE 'bulk%' GROUP BY 1 ORDER BY 1;
-- UPDATE ... FROM: re-evaluating everybody is sticky
UPDATE signups s SET assignment = get_experiment(s.u, 'sticky_exp', get_user_persisted_values(s.u, 'userID'))
FROM (SELECT 1) AS one;
SELECT count(*) FILTER (WHERE assignment ->> 'reason' = 'Persisted') AS persisted_after_update
FROM signups;
SELECT delete_experiment_assignments('sticky_exp') AS deleted;
DROP TABLE signups;

-- a numeric unit id is the same unit as its string form (Server Core keys
-- storage by the string), and it is found again
SELECT use_doc('base');
SELECT get_experiment('{"userID": 7}', 'sticky_exp',
					  get_user_persisted_values('{"userID": 7}', 'userID')) ->> 'reason' AS first_numeric;
SELECT unit_id, id_type FROM ea_assignments WHERE unit_id = '7';
SELECT get_user_persisted_values('{"userID": 7}', 'userID') ? 'sticky_exp' AS found_numeric,
	   get_user_persisted_values('{"userID": "7"}', 'userID') ? 'sticky_exp' AS found_string;
SELECT get_experiment('{"userID": "7"}', 'sticky_exp',
					  get_user_persisted_values('{"userID": "7"}', 'userID')) ->> 'reason' AS again_as_string;
SELECT delete_unit_assignments('7') AS cleared;
