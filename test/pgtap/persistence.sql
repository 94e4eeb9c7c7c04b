-- persistence.sql: persistent assignment - declared attributes, storage
-- structure, and the privilege model (an application role granted
-- assignment access assigns through the functions and the trigger without
-- any privilege on the tables; reading, erasing, importing and exporting is
-- granted explicitly; the full matrix is in assignment_access.sql).
BEGIN;
CREATE EXTENSION experiment_assign;
SELECT plan(54);

-- attributes: everything that may write is VOLATILE and PARALLEL UNSAFE
SELECT volatility_is(f, args, 'volatile', f || '(' || array_to_string(args, ',') || ') is VOLATILE')
FROM (VALUES ('get_user_persisted_values', ARRAY['jsonb', 'text']),
             ('get_experiment', ARRAY['jsonb', 'text', 'jsonb', 'boolean', 'boolean']),
             ('get_layer', ARRAY['jsonb', 'text', 'jsonb', 'boolean', 'boolean']),
             ('assign_experiment_trigger', ARRAY[]::text[]),
             ('delete_unit_assignments', ARRAY['text', 'text']),
             ('delete_experiment_assignments', ARRAY['text']),
             ('archive_experiment_assignments', ARRAY['text']),
             ('import_user_persisted_values', ARRAY['text', 'jsonb']),
             ('export_user_persisted_values', ARRAY[]::text[])) AS v(f, args);
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE (p.proname IN ('get_user_persisted_values', 'assign_experiment_trigger',
	                    'delete_unit_assignments', 'delete_experiment_assignments',
	                    'archive_experiment_assignments', 'import_user_persisted_values',
	                    'export_user_persisted_values')
	   OR p.oid IN ('get_experiment(jsonb,text,jsonb,boolean,boolean)'::regprocedure,
	                'get_layer(jsonb,text,jsonb,boolean,boolean)'::regprocedure))
	  AND (p.proparallel <> 'u' OR p.prosecdef)$$,
	'persistence functions are PARALLEL UNSAFE and not SECURITY DEFINER');
-- NULL persisted values are meaningful: the overloads are not STRICT
SELECT isnt_strict('get_experiment', ARRAY['jsonb', 'text', 'jsonb', 'boolean', 'boolean'],
                   'persistence-aware get_experiment is not STRICT');
SELECT isnt_strict('get_layer', ARRAY['jsonb', 'text', 'jsonb', 'boolean', 'boolean'],
                   'persistence-aware get_layer is not STRICT');
SELECT is_strict('get_user_persisted_values', ARRAY['jsonb', 'text']);
SELECT is_strict('import_user_persisted_values', ARRAY['text', 'jsonb']);
SELECT function_returns('get_user_persisted_values', ARRAY['jsonb', 'text'], 'jsonb');
SELECT function_returns('assign_experiment_trigger', ARRAY[]::text[], 'trigger');

-- storage: keyed by unit first, indexed for per-experiment joins, dumped
SELECT col_is_pk('ea_assignments', ARRAY['unit_id', 'id_type', 'config_name']);
SELECT has_index('ea_assignments', 'ea_assignments_config_unit', ARRAY['config_name', 'unit_id']);
SELECT col_not_null('ea_assignments', 'sticky');
SELECT col_default_is('ea_assignments', 'assigned_at', 'now()');
SELECT has_column('ea_assignments_archive', 'archived_at');
SELECT ok((SELECT 'ea_assignments'::regclass = ANY (extconfig)
              AND 'ea_assignments_archive'::regclass = ANY (extconfig)
           FROM pg_extension WHERE extname = 'experiment_assign'),
          'assignment tables are registered with pg_extension_config_dump');
SELECT has_view('ea_assignment_source');
SELECT columns_are('ea_assignment_source',
                   ARRAY['timestamp', 'unit_id', 'id_type', 'experiment_id', 'group_id',
                         'group_name', 'rule_id', 'config_name']);
SELECT has_view('ea_assignment_list');

-- privileges
SELECT table_privs_are('ea_assignments', 'public', ARRAY[]::text[], 'ea_assignments is private');
SELECT table_privs_are('ea_assignments_archive', 'public', ARRAY[]::text[], 'ea_assignments_archive is private');
SELECT table_privs_are('ea_assignment_list', 'public', ARRAY[]::text[], 'ea_assignment_list is not for PUBLIC');
SELECT table_privs_are('ea_assignment_source', 'public', ARRAY[]::text[], 'ea_assignment_source is not for PUBLIC');
SELECT function_privs_are(f, args, 'public', ARRAY[]::text[], f || ' is not executable by PUBLIC (0.2.0)')
FROM (VALUES ('get_user_persisted_values', ARRAY['jsonb', 'text']),
             ('get_experiment', ARRAY['jsonb', 'text', 'jsonb', 'boolean', 'boolean']),
             ('get_layer', ARRAY['jsonb', 'text', 'jsonb', 'boolean', 'boolean']),
             ('assign_experiment_trigger', ARRAY[]::text[])) AS v(f, args);
SELECT function_privs_are(f, args, 'public', ARRAY[]::text[], f || ' is not executable by PUBLIC')
FROM (VALUES ('delete_unit_assignments', ARRAY['text', 'text']),
             ('delete_experiment_assignments', ARRAY['text']),
             ('archive_experiment_assignments', ARRAY['text']),
             ('import_user_persisted_values', ARRAY['text', 'jsonb']),
             ('export_user_persisted_values', ARRAY[]::text[])) AS v(f, args);

-- an experiment that puts everybody in Control
\ir lib/everyone_control.sql

CREATE ROLE ea_tap_app;
CREATE ROLE ea_tap_analyst;
CREATE TABLE tap_signups (id int, u jsonb, grp text);
CREATE TRIGGER assign BEFORE INSERT ON tap_signups FOR EACH ROW
	EXECUTE FUNCTION assign_experiment_trigger('exp', 'u', 'grp');
GRANT INSERT, SELECT ON tap_signups TO ea_tap_app;
SELECT count(*) FROM grant_assignment_access('ea_tap_app');
GRANT SELECT ON ea_assignment_list, ea_assignment_source TO ea_tap_analyst;
GRANT EXECUTE ON FUNCTION delete_unit_assignments(text, text) TO ea_tap_analyst;
GRANT EXECUTE ON FUNCTION export_user_persisted_values() TO ea_tap_analyst;

-- the application role assigns, through the functions and the trigger only
SET LOCAL ROLE ea_tap_app;
SELECT is(get_experiment('{"userID": "a1"}', 'exp', get_user_persisted_values('{"userID": "a1"}', 'userID')) ->> 'group_name',
          'Control', 'an application role assigns through get_experiment');
SELECT is(get_experiment('{"userID": "a1"}', 'exp', get_user_persisted_values('{"userID": "a1"}', 'userID')) ->> 'reason',
          'Persisted', 'and reads its stored value back');
SELECT lives_ok($$INSERT INTO tap_signups VALUES (1, '{"userID": "a2"}')$$,
                'an application role assigns through the trigger');
SELECT is((SELECT grp FROM tap_signups WHERE id = 1), 'Control', 'the trigger set the group');
SELECT throws_ok($$SELECT * FROM ea_assignments$$, '42501', NULL,
                 'the application role cannot read ea_assignments');
SELECT throws_ok($$INSERT INTO ea_assignments (unit_id, id_type, config_name, sticky) VALUES ('x', 'userID', 'exp', '{}')$$,
                 '42501', NULL, 'the application role cannot write ea_assignments');
SELECT throws_ok($$DELETE FROM ea_assignments$$, '42501', NULL,
                 'the application role cannot delete from ea_assignments');
SELECT throws_ok($$SELECT * FROM ea_assignment_source$$, '42501', NULL,
                 'the application role cannot read the assignment source');
SELECT throws_ok($$SELECT delete_unit_assignments('a1')$$, '42501', NULL,
                 'the application role cannot erase');
SELECT throws_ok($$SELECT * FROM export_user_persisted_values()$$, '42501', NULL,
                 'the application role cannot export');
SELECT throws_ok($$SELECT import_user_persisted_values('x:userID', '{}')$$, '42501', NULL,
                 'the application role cannot import');
SELECT throws_ok($$SELECT get_experiment('{"userID": "a1"}', 'exp', '{"exp": 1}')$$, '22023',
                 'invalid user persisted values', 'malformed persisted values are an error');
RESET ROLE;

-- a granted analyst reads and erases without any table privilege
SET LOCAL ROLE ea_tap_analyst;
SELECT is((SELECT count(*) FROM ea_assignment_source)::int, 2, 'the analyst reads the assignment source');
SELECT is((SELECT count(*) FROM export_user_persisted_values())::int, 2, 'the analyst exports');
SELECT is(delete_unit_assignments('a1'), 1::bigint, 'the analyst erases a unit');
SELECT throws_ok($$SELECT * FROM ea_assignments$$, '42501', NULL,
                 'the analyst still cannot read the table itself');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
