-- demo.sql: load the example config specs and assign a few users.
-- Run by "make demo" in a throwaway cluster, from the source tree.
\set ON_ERROR_STOP on
\pset footer off

CREATE EXTENSION IF NOT EXISTS experiment_assign;

\echo '== load the config specs (examples/config_specs.json)'
\set specs `cat examples/config_specs.json`
SELECT load_config_specs(:'specs') AS document_time;
SELECT * FROM ea_specs ORDER BY kind, name;

\echo '== an ID list for the beta_testers gate'
SELECT load_id_list('beta_users', ARRAY['user-2', 'user-4']) AS beta_users;

\echo '== users'
CREATE TEMP TABLE demo_users (u jsonb);
INSERT INTO demo_users VALUES
	('{"userID": "user-1", "email": "ana@example.com", "country": "NZ"}'),
	('{"userID": "user-2", "email": "bo@gmail.com", "country": "NZ"}'),
	('{"userID": "user-3", "country": "US"}'),
	('{"userID": "user-4", "country": "DE"}'),
	('{"userID": "user-5"}');

\echo '== gates'
SELECT u ->> 'userID' AS user,
       check_gate(u, 'employees_only') AS employees_only,
       check_gate(u, 'half_rollout') AS half_rollout,
       check_gate(u, 'beta_testers') AS beta_testers,
       check_gate(u, 'staging_only') AS staging_only
FROM demo_users ORDER BY 1;

\echo '== the same gate in the staging environment tier'
SET experiment_assign.environment_tier = 'staging';
SELECT u ->> 'userID' AS user, check_gate(u, 'staging_only') AS staging_only
FROM demo_users ORDER BY 1;
RESET experiment_assign.environment_tier;

\echo '== dynamic config, experiment and layer'
SELECT u ->> 'userID' AS user,
       get_dynamic_config(u, 'homepage') -> 'value' AS homepage,
       get_experiment(u, 'checkout_flow') ->> 'group_name' AS checkout_group,
       get_experiment(u, 'checkout_flow') -> 'value' AS checkout,
       get_layer(u, 'pricing_layer') -> 'value' AS pricing
FROM demo_users ORDER BY 1;

\echo '== one full result'
SELECT jsonb_pretty(get_experiment('{"userID": "user-1"}', 'checkout_flow'));

\echo '== 10000 users: the checkout_flow split'
SELECT get_experiment(jsonb_build_object('userID', 'user-' || i), 'checkout_flow') ->> 'group_name' AS group_name,
       count(*)
FROM generate_series(1, 10000) AS i
GROUP BY 1 ORDER BY 1;

\echo '== persistent assignment: assign the 10000 users and store their groups'
CREATE TEMP TABLE demo_signups AS
SELECT i, jsonb_build_object('userID', 'user-' || i) AS u FROM generate_series(1, 10000) AS i;
SELECT get_experiment(u, 'checkout_flow', get_user_persisted_values(u, 'userID')) ->> 'group_name' AS group_name,
       count(*)
FROM demo_signups GROUP BY 1 ORDER BY 1;
SELECT count(*) AS stored_assignments FROM ea_assignments WHERE config_name = 'checkout_flow';

\echo '== the split changes to 90% Control: live evaluation would move users, stored groups stay'
SELECT load_config_specs(jsonb_set(:'specs'::jsonb,
		'{dynamic_configs,1,rules,0,conditions,0,targetValue}', '900')) AS document_time;
SELECT count(*) FILTER (WHERE live IS DISTINCT FROM sticky) AS moved_by_the_new_split,
       count(*) FILTER (WHERE reason = 'Persisted') AS served_from_storage,
       count(*) AS users
FROM (SELECT get_experiment(u, 'checkout_flow') ->> 'group_name' AS live,
             r ->> 'group_name' AS sticky, r ->> 'reason' AS reason
      FROM demo_signups,
           LATERAL get_experiment(u, 'checkout_flow', get_user_persisted_values(u, 'userID')) AS r) s;

\echo '== assign on insert: a trigger fills the group of each new row (user-1 keeps its group)'
CREATE TEMP TABLE demo_orders (id int PRIMARY KEY, user_id text, checkout_group text);
CREATE TRIGGER assign BEFORE INSERT ON demo_orders FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('checkout_flow', 'user_id', 'checkout_group');
INSERT INTO demo_orders (id, user_id) VALUES (1, 'user-1'), (2, 'user-20001'), (3, 'user-20002');
SELECT * FROM demo_orders ORDER BY id;

\echo '== the assignment source for analysis: units per experiment and group'
SELECT experiment_id, group_name, count(*) AS units
FROM ea_assignment_source GROUP BY 1, 2 ORDER BY 1, 2;
