-- assignment_access.sql: the privilege matrix of stored assignments (0.2.0).
-- PUBLIC evaluates; reading, storing and deleting assignments (the
-- persistence-aware overloads, get_user_persisted_values, the trigger's
-- writes) take grant_assignment_access(); the trigger checks the role
-- firing it at every row, whoever attached it.
BEGIN;
CREATE EXTENSION experiment_assign;
SELECT plan(55);

SELECT load_config_specs($${"time": 7, "feature_gates": [], "layer_configs": [
  {"name": "lay", "type": "dynamic_config", "entity": "layer", "salt": "l", "enabled": true,
   "defaultValue": {"p": 1}, "idType": "userID", "rules": []}],
 "dynamic_configs": [{"name": "exp", "type": "dynamic_config", "entity": "experiment",
  "salt": "s", "enabled": true, "defaultValue": {}, "idType": "userID", "isActive": true,
  "rules": [{"name": "control", "id": "exp_control", "groupName": "Control", "salt": "s",
   "passPercentage": 100, "returnValue": {"g": "c"}, "idType": "userID", "isExperimentGroup": true,
   "conditions": [{"type": "public", "idType": "userID"}]}]}]}$$);

CREATE ROLE ea_acc_none;		-- never granted
CREATE ROLE ea_acc_app;			-- granted with the one statement
CREATE ROLE ea_acc_owner;		-- owns a table with the trigger
CREATE ROLE ea_acc_delegate;	-- may call grant_assignment_access, owns nothing

-- 1. the list and the defaults
SELECT set_eq($$SELECT f::text FROM assignment_access_functions() f$$,
              ARRAY['get_experiment(jsonb,text,jsonb,boolean,boolean)',
                    'get_layer(jsonb,text,jsonb,boolean,boolean)',
                    'get_user_persisted_values(jsonb,text)',
                    'assign_experiment_trigger()',
                    'get_user_persisted_values(text)',
                    'save_user_persisted_value(text,text,jsonb)',
                    'delete_user_persisted_value(text,text)',
                    'log_exposure(jsonb,text,text,text)'],
              'assignment_access_functions() lists every assignment function');
SELECT is_empty($$SELECT function_signature FROM ea_assignment_access a
                  WHERE to_regprocedure(a.function_signature) IS NULL$$,
                'every listed signature names an existing function');
SELECT is_empty($$SELECT f FROM assignment_access_functions() f
                  WHERE has_function_privilege('public', f, 'EXECUTE')$$,
                'PUBLIC may execute no assignment function');
SELECT function_privs_are(f, args, 'public', ARRAY['EXECUTE'], f || ' (stateless) stays executable by PUBLIC')
FROM (VALUES ('check_gate', ARRAY['jsonb', 'text']),
             ('get_feature_gate', ARRAY['jsonb', 'text']),
             ('get_dynamic_config', ARRAY['jsonb', 'text']),
             ('get_experiment', ARRAY['jsonb', 'text']),
             ('get_layer', ARRAY['jsonb', 'text'])) AS v(f, args);
SELECT function_privs_are(f, args, 'public', ARRAY[]::text[], f || ' is not executable by PUBLIC')
FROM (VALUES ('grant_assignment_access', ARRAY['regrole']),
             ('revoke_assignment_access', ARRAY['regrole']),
             ('ea_assignment_access_set', ARRAY['regrole', 'boolean'])) AS v(f, args);
SELECT is_empty($$SELECT p.oid FROM pg_proc p
                  WHERE p.proname IN ('grant_assignment_access', 'revoke_assignment_access',
                                      'ea_assignment_access_set', 'assignment_access_functions')
                    AND (p.prosecdef OR p.proconfig IS NULL)$$,
                'the access functions are not SECURITY DEFINER and pin search_path');

-- 2. the one statement grants exactly the list
SELECT set_eq($$SELECT f::text FROM grant_assignment_access('ea_acc_app') f$$,
              $$SELECT f::text FROM assignment_access_functions() f$$,
              'grant_assignment_access returns what it granted: the whole list');
SELECT is_empty($$SELECT f FROM assignment_access_functions() f
                  WHERE NOT has_function_privilege('ea_acc_app', f, 'EXECUTE')$$,
                'the granted role may execute every assignment function');
SELECT is_empty($$SELECT f FROM assignment_access_functions() f
                  WHERE has_function_privilege('ea_acc_none', f, 'EXECUTE')$$,
                'an ungranted role may execute none');

-- the tables: signups with the trigger, attached by the superuser
CREATE TABLE acc_signups (id int, u jsonb, grp text);
CREATE TRIGGER assign BEFORE INSERT ON acc_signups FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'grp');
GRANT INSERT, SELECT ON acc_signups TO ea_acc_none, ea_acc_app;

-- 3. an ungranted role: evaluates, nothing else
SET LOCAL ROLE ea_acc_none;
SELECT is(get_experiment('{"userID": "v1"}', 'exp') ->> 'group_name', 'Control',
          'ungranted: the stateless get_experiment evaluates');
SELECT ok(check_gate('{"userID": "v1"}', 'nope') IS NOT NULL, 'ungranted: check_gate evaluates');
SELECT ok(get_layer('{"userID": "v1"}', 'lay') IS NOT NULL, 'ungranted: the stateless get_layer evaluates');
SELECT throws_ok($$SELECT get_user_persisted_values('{"userID": "victim"}', 'userID')$$,
                 '42501', NULL, 'ungranted: cannot read a unit''s stored values');
SELECT throws_ok($$SELECT get_experiment('{"userID": "victim"}', 'exp', NULL)$$,
                 '42501', NULL, 'ungranted: cannot reset a unit''s stored group');
SELECT throws_ok($$SELECT get_experiment('{"userID": "victim"}', 'exp', '{}')$$,
                 '42501', NULL, 'ungranted: cannot store (forge) a group');
SELECT throws_ok($$SELECT get_layer('{"userID": "victim"}', 'lay', '{}')$$,
                 '42501', NULL, 'ungranted: cannot store a layer assignment');
SELECT throws_ok($$INSERT INTO acc_signups VALUES (1, '{"userID": "victim"}')$$,
                 '42501', 'permission denied to store experiment assignments',
                 'ungranted: the trigger refuses to store for it');
SELECT throws_ok($$SELECT grant_assignment_access('ea_acc_none')$$,
                 '42501', NULL, 'ungranted: cannot grant itself access');
SELECT lives_ok($$SELECT * FROM ea_assignment_access$$, 'ungranted: may read the list of assignment functions');
SELECT throws_ok($$INSERT INTO ea_assignment_access VALUES ('check_gate(jsonb, text)')$$, '42501', NULL,
                 'ungranted: cannot change the list');
RESET ROLE;

-- 4. the granted role does everything the SDK's adapter does
SET LOCAL ROLE ea_acc_app;
SELECT is(get_experiment('{"userID": "a1"}', 'exp', '{}') ->> 'group_name', 'Control',
          'granted: assigns through get_experiment');
SELECT is(get_experiment('{"userID": "a1"}', 'exp', get_user_persisted_values('{"userID": "a1"}', 'userID')) ->> 'reason',
          'Persisted', 'granted: reads its stored value back');
SELECT ok(get_layer('{"userID": "a1"}', 'lay', '{}') IS NOT NULL, 'granted: persistence-aware get_layer');
SELECT lives_ok($$INSERT INTO acc_signups VALUES (2, '{"userID": "a2"}')$$,
                'granted: the trigger assigns');
SELECT is((SELECT grp FROM acc_signups WHERE id = 2), 'Control', 'granted: the trigger set the group');
SELECT throws_ok($$SELECT * FROM ea_assignments$$, '42501', NULL,
                 'granted: still no access to the table itself');
SELECT throws_ok($$SELECT grant_assignment_access('ea_acc_none')$$, '42501', NULL,
                 'granted: may not grant others');
SELECT throws_ok($$SELECT delete_unit_assignments('a1')$$, '42501', NULL,
                 'granted: erasure stays a separate grant');
RESET ROLE;

-- 5. a delegate given EXECUTE on the grant function still is not the owner
GRANT EXECUTE ON FUNCTION grant_assignment_access(regrole) TO ea_acc_delegate;
GRANT EXECUTE ON FUNCTION ea_assignment_access_set(regrole, boolean) TO ea_acc_delegate;
SET LOCAL ROLE ea_acc_delegate;
SELECT throws_ok($$SELECT grant_assignment_access('ea_acc_none')$$, '42501',
                 'permission denied to grant assignment access',
                 'a non-owner cannot grant access even with EXECUTE on the function');
RESET ROLE;
SELECT is_empty($$SELECT f FROM assignment_access_functions() f
                  WHERE has_function_privilege('ea_acc_none', f, 'EXECUTE')$$,
                'and nothing was granted');

-- 6. a table owner: needs the grant to attach the trigger and at every firing
CREATE SCHEMA acc_owned AUTHORIZATION ea_acc_owner;
SET LOCAL ROLE ea_acc_owner;
CREATE TABLE acc_owned.t (id int, u jsonb, grp text);
SELECT throws_ok($$CREATE TRIGGER a BEFORE INSERT ON acc_owned.t FOR EACH ROW
                   EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'grp')$$,
                 '42501', NULL, 'an ungranted owner cannot attach the trigger');
RESET ROLE;
SELECT ok((SELECT count(*) FROM grant_assignment_access('ea_acc_owner')) > 0, 'grant the owner');
SET LOCAL ROLE ea_acc_owner;
SELECT lives_ok($$CREATE TRIGGER a BEFORE INSERT ON acc_owned.t FOR EACH ROW
                  EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'grp')$$,
                'a granted owner attaches the trigger');
SELECT lives_ok($$INSERT INTO acc_owned.t VALUES (1, '{"userID": "o1"}')$$,
                'a granted owner''s trigger assigns');
RESET ROLE;
SELECT ok((SELECT count(*) FROM revoke_assignment_access('ea_acc_owner')) > 0, 'revoke the owner');
SELECT is_empty($$SELECT f FROM assignment_access_functions() f
                  WHERE has_function_privilege('ea_acc_owner', f, 'EXECUTE')$$,
                'revoke_assignment_access takes every function back');
SET LOCAL ROLE ea_acc_owner;
SELECT throws_ok($$INSERT INTO acc_owned.t VALUES (2, '{"userID": "forged"}')$$,
                 '42501', 'permission denied to store experiment assignments',
                 'the trigger an owner attached refuses once the owner is revoked');
RESET ROLE;
-- a trigger the superuser attaches to a table of an ungranted owner
CREATE TABLE acc_owned.t2 (id int, u jsonb, grp text);
ALTER TABLE acc_owned.t2 OWNER TO ea_acc_owner;
CREATE TRIGGER a BEFORE INSERT ON acc_owned.t2 FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'grp');
SET LOCAL ROLE ea_acc_owner;
SELECT throws_ok($$INSERT INTO acc_owned.t2 VALUES (1, '{"userID": "forged3"}')$$,
                 '42501', 'permission denied to store experiment assignments',
                 'a trigger attached for an ungranted owner refuses too');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM ea_assignments WHERE unit_id LIKE 'forged%'), 0,
          'nothing forged was stored');
SELECT is((SELECT count(*)::int FROM ea_assignments WHERE unit_id = 'victim'), 0,
          'nothing was stored for the victim by the ungranted role');

-- 7. the error names the role and says what to run
SET LOCAL ROLE ea_acc_none;
CREATE FUNCTION pg_temp.acc_err(OUT detail text, OUT hint text) LANGUAGE plpgsql AS $f$
BEGIN
	INSERT INTO acc_signups VALUES (9, '{"userID": "x"}');
EXCEPTION WHEN insufficient_privilege THEN
	GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $f$;
SELECT matches((SELECT detail FROM pg_temp.acc_err()), 'Role "ea_acc_none" fired trigger "assign" on table "acc_signups"',
               'the detail names the role, trigger and table');
SELECT is((SELECT hint FROM pg_temp.acc_err()),
          'The extension owner or a superuser can run: SELECT grant_assignment_access(''ea_acc_none'');',
          'the hint is the one statement');
RESET ROLE;

-- 8. revoking the app role
SELECT ok((SELECT count(*) FROM revoke_assignment_access('ea_acc_app')) = 8, 'revoke the app role');
SET LOCAL ROLE ea_acc_app;
SELECT throws_ok($$SELECT get_experiment('{"userID": "a1"}', 'exp', '{}')$$, '42501', NULL,
                 'a revoked role cannot assign any more');
SELECT throws_ok($$INSERT INTO acc_signups VALUES (3, '{"userID": "a3"}')$$, '42501', NULL,
                 'nor through the trigger');
SELECT lives_ok($$SELECT get_experiment('{"userID": "a1"}', 'exp')$$, 'but still evaluates');
RESET ROLE;

-- 9. idempotent, and a missing role is a clean error
SELECT lives_ok($$SELECT grant_assignment_access('ea_acc_app'); SELECT grant_assignment_access('ea_acc_app')$$,
                'granting twice is harmless');
SELECT throws_ok($$SELECT grant_assignment_access('no_such_role_x')$$, '42704', NULL,
                 'an unknown role is an error');
SELECT is_empty($$SELECT grant_assignment_access(NULL)$$, 'NULL role: STRICT, nothing happens');

SELECT * FROM finish();
ROLLBACK;
