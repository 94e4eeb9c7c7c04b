--
-- load_specs: loading config specs documents (v1 and v2), malformed
-- documents, and what stays in force after a failed or rolled-back load.
-- Runs first: creates the extension and the documents later tests use.
--
CREATE EXTENSION experiment_assign;

-- SQLSTATE of a statement, or 'ok'
CREATE FUNCTION sqlstate_of(sql text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE sql;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END
$$;

-- the test documents (v1 and v2), shared with later tests
CREATE TABLE test_docs (name text PRIMARY KEY, doc jsonb NOT NULL);
INSERT INTO test_docs VALUES ('v1', $json$
{
  "time": 1700000000000,
  "has_updates": true,
  "feature_gates": [
    {"name": "nz_only", "type": "feature_gate", "entity": "feature_gate",
     "salt": "salt-nz", "enabled": true, "defaultValue": false, "idType": "userID",
     "rules": [{"name": "nz", "id": "rule_nz", "salt": "salt-rule-nz",
                "passPercentage": 100, "returnValue": true, "idType": "userID",
                "conditions": [{"type": "user_field", "field": "country", "operator": "any",
                                "targetValue": ["NZ"], "idType": "userID"}]}]},
    {"name": "staging_only", "type": "feature_gate", "entity": "feature_gate",
     "salt": "salt-staging", "enabled": true, "defaultValue": false, "idType": "userID",
     "rules": [{"name": "staging", "id": "rule_staging", "salt": "salt-rule-staging",
                "passPercentage": 100, "returnValue": true, "idType": "userID",
                "conditions": [{"type": "environment_field", "field": "tier", "operator": "any",
                                "targetValue": ["staging"], "idType": "userID"}]}]},
    {"name": "beta", "type": "feature_gate", "entity": "feature_gate",
     "salt": "salt-beta", "enabled": true, "defaultValue": false, "idType": "userID",
     "rules": [{"name": "beta", "id": "rule_beta", "salt": "salt-rule-beta",
                "passPercentage": 100, "returnValue": true, "idType": "userID",
                "conditions": [{"type": "unit_id", "operator": "in_segment_list",
                                "targetValue": "beta_users", "idType": "userID"}]}]},
    {"name": "not_beta", "type": "feature_gate", "entity": "feature_gate",
     "salt": "salt-not-beta", "enabled": true, "defaultValue": false, "idType": "userID",
     "rules": [{"name": "not beta", "id": "rule_not_beta", "salt": "salt-rule-not-beta",
                "passPercentage": 100, "returnValue": true, "idType": "userID",
                "conditions": [{"type": "unit_id", "operator": "not_in_segment_list",
                                "targetValue": "beta_users", "idType": "userID"}]}]},
    {"name": "after_launch", "type": "feature_gate", "entity": "feature_gate",
     "salt": "salt-launch", "enabled": true, "defaultValue": false, "idType": "userID",
     "rules": [{"name": "launch", "id": "rule_launch", "salt": "salt-rule-launch",
                "passPercentage": 100, "returnValue": true, "idType": "userID",
                "conditions": [{"type": "current_time", "operator": "after",
                                "targetValue": 1800000000000, "idType": "userID"}]}]},
    {"name": "company_gate", "type": "feature_gate", "entity": "feature_gate",
     "salt": "salt-company", "enabled": true, "defaultValue": false, "idType": "companyID",
     "rules": [{"name": "acme", "id": "rule_acme", "salt": "salt-rule-acme",
                "passPercentage": 100, "returnValue": true, "idType": "companyID",
                "conditions": [{"type": "unit_id", "operator": "any",
                                "targetValue": ["acme"], "idType": "companyID"}]}]},
    {"name": "off", "type": "feature_gate", "entity": "feature_gate",
     "salt": "salt-off", "enabled": false, "defaultValue": false, "idType": "userID",
     "rules": [{"name": "all", "id": "rule_all", "salt": "salt-rule-all",
                "passPercentage": 100, "returnValue": true, "idType": "userID",
                "conditions": [{"type": "public", "idType": "userID"}]}]}
  ],
  "dynamic_configs": [
    {"name": "colors", "type": "dynamic_config", "entity": "dynamic_config",
     "salt": "salt-colors", "enabled": true, "defaultValue": {"color": "blue"}, "idType": "userID",
     "rules": [{"name": "nz", "id": "rule_colors_nz", "salt": "salt-rule-colors",
                "passPercentage": 100, "returnValue": {"color": "black"}, "idType": "userID",
                "conditions": [{"type": "pass_gate", "targetValue": "nz_only", "idType": "userID"}]}]},
    {"name": "exp", "type": "dynamic_config", "entity": "experiment",
     "salt": "salt-exp", "enabled": true, "isActive": true, "defaultValue": {"steps": 3},
     "idType": "userID", "version": 4,
     "rules": [{"name": "control", "groupName": "Control", "id": "exp_control", "salt": "exp_control",
                "passPercentage": 100, "returnValue": {"steps": 3}, "idType": "userID",
                "isExperimentGroup": true,
                "conditions": [{"type": "user_bucket", "operator": "lt", "targetValue": 500,
                                "additionalValues": {"salt": "salt-exp"}, "idType": "userID"}]},
               {"name": "test", "groupName": "Test", "id": "exp_test", "salt": "exp_test",
                "passPercentage": 100, "returnValue": {"steps": 1}, "idType": "userID",
                "isExperimentGroup": true,
                "conditions": [{"type": "user_bucket", "operator": "lt", "targetValue": 1000,
                                "additionalValues": {"salt": "salt-exp"}, "idType": "userID"}]}]},
    {"name": "exp_in_layer", "type": "dynamic_config", "entity": "experiment",
     "salt": "salt-exp-layer", "enabled": true, "isActive": true, "hasSharedParams": true,
     "explicitParameters": ["price"], "defaultValue": {"price": 10, "currency": "USD"},
     "idType": "userID",
     "rules": [{"name": "discount", "groupName": "Discount", "id": "exp_layer_discount",
                "salt": "exp_layer_discount", "passPercentage": 100,
                "returnValue": {"price": 8, "currency": "USD"}, "idType": "userID",
                "isExperimentGroup": true,
                "conditions": [{"type": "public", "idType": "userID"}]}]}
  ],
  "layer_configs": [
    {"name": "pricing", "type": "dynamic_config", "entity": "layer",
     "salt": "salt-pricing", "enabled": true, "defaultValue": {"price": 10, "currency": "USD"},
     "idType": "userID",
     "rules": [{"name": "experimentAssignment", "id": "experimentAssignment", "salt": "",
                "passPercentage": 100, "returnValue": {"price": 10, "currency": "USD"},
                "idType": "userID", "configDelegate": "exp_in_layer",
                "conditions": [{"type": "user_field", "field": "country", "operator": "any",
                                "targetValue": ["NZ"], "idType": "userID"}]}]}
  ],
  "layers": {"pricing": ["exp_in_layer"]},
  "id_lists": {"beta_users": true}
}
$json$), ('v2', $json$
{
  "response_format": "dcs-v2",
  "time": 1700000100000,
  "has_updates": true,
  "feature_gates": {
    "nz_only": {"type": "feature_gate", "entity": "feature_gate",
                "salt": "salt-nz", "enabled": true, "defaultValue": false, "idType": "userID",
                "rules": [{"name": "nz", "id": "rule_nz_v2", "salt": "salt-rule-nz",
                           "passPercentage": 100, "returnValue": true, "idType": "userID",
                           "conditions": ["c_nz"]}]}
  },
  "dynamic_configs": {
    "colors": {"type": "dynamic_config", "entity": "dynamic_config",
               "salt": "salt-colors", "enabled": true, "defaultValue": {"color": "red"},
               "idType": "userID",
               "rules": [{"name": "nz", "id": "rule_colors_nz_v2", "salt": "salt-rule-colors",
                          "passPercentage": 100, "returnValue": {"color": "white"},
                          "idType": "userID", "conditions": ["c_gate"]}]}
  },
  "layer_configs": {},
  "experiment_to_layer": {},
  "condition_map": {
    "c_nz": {"type": "user_field", "field": "country", "operator": "any",
             "targetValue": ["NZ"], "idType": "userID"},
    "c_gate": {"type": "pass_gate", "targetValue": "nz_only", "idType": "userID"}
  }
}
$json$);

-- nothing loaded yet: evaluations fail, catalogue functions are empty
SELECT check_gate('{"userID": "u1"}', 'nz_only');
SELECT * FROM config_specs_info();
SELECT count(*) FROM ea_specs;

-- a v1 document: returns its time
SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v1';
SELECT * FROM config_specs_info();
SELECT document_time, format FROM ea_config_specs;
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only');

-- a v2 document replaces it (still one row)
SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v2';
SELECT * FROM config_specs_info();
SELECT count(*), min(document_time), min(format) FROM ea_config_specs;
SELECT get_feature_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') ->> 'rule_id' AS rule_id;

-- NULL in, NULL out
SELECT load_config_specs(NULL) IS NULL AS is_null;

-- malformed documents: errors, and the v2 document stays in force
SELECT load_config_specs('[]');
SELECT load_config_specs('"specs"');
SELECT load_config_specs('{}');
SELECT load_config_specs('{"feature_gates": 5, "dynamic_configs": [], "layer_configs": []}');
SELECT load_config_specs('{"time": "yesterday", "feature_gates": [], "dynamic_configs": [], "layer_configs": []}');
SELECT load_config_specs('{"feature_gates": [{"name": 7}], "dynamic_configs": [], "layer_configs": []}');
SELECT load_config_specs('{"feature_gates": [{"name": "g", "rules": "none"}], "dynamic_configs": [], "layer_configs": []}');
SELECT load_config_specs('{"response_format": "dcs-v2", "feature_gates": {}, "dynamic_configs": {}, "layer_configs": {}, "condition_map": []}');
SELECT load_config_specs('{"response_format": "dcs-v2", "feature_gates": [], "dynamic_configs": {}, "layer_configs": {}}');
-- truncated JSON never reaches the function: jsonb input rejects it
SELECT load_config_specs('{"time": 1, "feature_gates": [');
SELECT sqlstate_of($$SELECT load_config_specs('[]')$$) AS not_object,
       sqlstate_of($$SELECT load_config_specs('{"feature_gates": 5}')$$) AS wrong_type,
       sqlstate_of($$SELECT load_config_specs('{"time": 1, "feature_gates": [')$$) AS truncated;
SELECT * FROM config_specs_info();

-- a rolled-back load changes nothing
BEGIN;
SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v1';
SELECT document_time, format FROM config_specs_info();
ROLLBACK;
SELECT document_time, format FROM config_specs_info();
SELECT document_time, format FROM ea_config_specs;

-- so does one rolled back to a savepoint
BEGIN;
SAVEPOINT s;
SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v1';
ROLLBACK TO SAVEPOINT s;
SELECT document_time FROM config_specs_info();
COMMIT;

-- leave the v1 document in force for the next tests
SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v1';
