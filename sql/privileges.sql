--
-- privileges: evaluators are for everyone, writers for the owner and the
-- roles it grants them to; the tables stay private.
--
CREATE ROLE ea_app;
CREATE ROLE ea_admin;
GRANT EXECUTE ON FUNCTION load_config_specs(jsonb) TO ea_admin;
GRANT EXECUTE ON FUNCTION load_id_list(text, text[]) TO ea_admin;
GRANT SELECT ON test_docs TO ea_app, ea_admin;

SET ROLE ea_app;
SELECT check_gate('{"userID": "u1", "country": "NZ"}', 'nz_only') AS app_evaluates;
SELECT get_experiment('{"userID": "u1"}', 'exp') ->> 'group_name' AS app_experiment;
SELECT count(*) FROM ea_specs;
SELECT * FROM config_specs_info();
SELECT count(*) FROM ea_id_list_sizes;
SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v1';
SELECT load_id_list('beta_users', ARRAY['x']);
SELECT drop_id_list('beta_users');
SELECT count(*) FROM ea_config_specs;
SELECT count(*) FROM ea_id_lists;
RESET ROLE;

-- a granted administrator loads without any table privilege
SET ROLE ea_admin;
SELECT load_config_specs(doc) FROM test_docs WHERE name = 'v1';
SELECT load_id_list('beta_users', ARRAY['alice', 'bob']);
SELECT count(*) FROM ea_config_specs;
RESET ROLE;

-- a fresh backend of an unprivileged role loads the cache as the owner
\c -
SET ROLE ea_app;
SELECT check_gate('{"userID": "bob"}', 'beta') AS app_fresh_cache;
RESET ROLE;

REVOKE ALL ON test_docs FROM ea_app, ea_admin;
REVOKE ALL ON FUNCTION load_config_specs(jsonb) FROM ea_admin;
REVOKE ALL ON FUNCTION load_id_list(text, text[]) FROM ea_admin;
DROP ROLE ea_app;
DROP ROLE ea_admin;
