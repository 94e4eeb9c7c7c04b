-- Loads a document with one experiment, "exp", that puts every user in its
-- Control group (rule exp_control).  \ir'd by the pgTAP files of persistent
-- assignment.
SELECT load_config_specs($${"time": 7, "feature_gates": [], "layer_configs": [],
 "dynamic_configs": [{"name": "exp", "type": "dynamic_config", "entity": "experiment",
  "salt": "s", "enabled": true, "defaultValue": {}, "idType": "userID", "isActive": true,
  "rules": [{"name": "control", "id": "exp_control", "groupName": "Control", "salt": "s",
   "passPercentage": 100, "returnValue": {"g": "c"}, "idType": "userID", "isExperimentGroup": true,
   "conditions": [{"type": "public", "idType": "userID"}]}]}]}$$);
