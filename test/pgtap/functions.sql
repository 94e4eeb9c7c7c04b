-- functions.sql: declared attributes of every function of the extension.
BEGIN;
CREATE EXTENSION experiment_assign;
SELECT plan(43);

-- evaluators and catalogue functions: STABLE, STRICT, PARALLEL SAFE
SELECT volatility_is(f, args, 'stable', f || ' is STABLE')
FROM (VALUES ('check_gate', ARRAY['jsonb', 'text']),
             ('get_feature_gate', ARRAY['jsonb', 'text']),
             ('get_dynamic_config', ARRAY['jsonb', 'text']),
             ('get_experiment', ARRAY['jsonb', 'text']),
             ('get_layer', ARRAY['jsonb', 'text']),
             ('config_specs_info', ARRAY[]::text[]),
             ('list_specs', ARRAY[]::text[])) AS v(f, args);
SELECT is_strict(f, args, f || ' is STRICT')
FROM (VALUES ('check_gate', ARRAY['jsonb', 'text']),
             ('get_feature_gate', ARRAY['jsonb', 'text']),
             ('get_dynamic_config', ARRAY['jsonb', 'text']),
             ('get_experiment', ARRAY['jsonb', 'text']),
             ('get_layer', ARRAY['jsonb', 'text'])) AS v(f, args);
SELECT is(p.proparallel, 's', p.proname || ' is PARALLEL SAFE')
FROM pg_proc p
WHERE p.oid IN ('check_gate(jsonb,text)'::regprocedure, 'get_feature_gate(jsonb,text)'::regprocedure,
                'get_dynamic_config(jsonb,text)'::regprocedure, 'get_experiment(jsonb,text)'::regprocedure,
                'get_layer(jsonb,text)'::regprocedure, 'config_specs_info()'::regprocedure,
                'list_specs()'::regprocedure)
ORDER BY p.proname;

-- writers: VOLATILE, STRICT, PARALLEL UNSAFE
SELECT volatility_is(f, args, 'volatile', f || ' is VOLATILE')
FROM (VALUES ('load_config_specs', ARRAY['jsonb']),
             ('load_id_list', ARRAY['text', 'text[]']),
             ('load_id_list_hashes', ARRAY['text', 'text[]']),
             ('load_id_list_file', ARRAY['text', 'text', 'boolean']),
             ('drop_id_list', ARRAY['text'])) AS v(f, args);
SELECT is(p.proparallel, 'u', p.proname || ' is PARALLEL UNSAFE')
FROM pg_proc p
WHERE p.oid IN ('load_config_specs(jsonb)'::regprocedure, 'load_id_list(text,text[])'::regprocedure,
                'load_id_list_hashes(text,text[])'::regprocedure,
                'load_id_list_file(text,text,boolean)'::regprocedure, 'drop_id_list(text)'::regprocedure,
                'ea_invalidate_cache()'::regprocedure)
ORDER BY p.proname;

-- return types
SELECT function_returns('check_gate', ARRAY['jsonb', 'text'], 'boolean');
SELECT function_returns('get_layer', ARRAY['jsonb', 'text'], 'jsonb');
SELECT function_returns('load_config_specs', ARRAY['jsonb'], 'bigint');
SELECT function_returns('load_id_list_file', ARRAY['text', 'text', 'boolean'], 'bigint');

-- every function of the extension is commented and names its C symbol
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'experiment_assign'
	WHERE obj_description(p.oid, 'pg_proc') IS NULL$$,
	'every function has a COMMENT');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'experiment_assign'
	WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
	  AND p.prosrc NOT LIKE 'ea\_pg\_%'$$,
	'every C function names a prefixed C symbol');

-- lint: every SECURITY DEFINER function pins its search_path
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'experiment_assign'
	WHERE p.prosecdef
	  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) AS c WHERE c LIKE 'search\_path=%')$$,
	'every SECURITY DEFINER function sets search_path');

-- the storage tables are kept by pg_dump and have no sequence
SELECT ok((SELECT 'ea_config_specs'::regclass = ANY (extconfig) AND 'ea_id_lists'::regclass = ANY (extconfig)
           FROM pg_extension WHERE extname = 'experiment_assign'),
          'storage tables are registered with pg_extension_config_dump');
-- (the tables Citus distributes or replicates; node-local tables such as the
-- exposure queue may have one)
SELECT is_empty($$
	SELECT s.relname FROM pg_class s
	JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
	WHERE s.relkind = 'S' AND d.refclassid = 'pg_class'::regclass
	  AND d.refobjid = ANY (ARRAY['ea_config_specs', 'ea_id_lists', 'ea_assignments',
								  'ea_assignments_archive']::regclass[])$$,
	'no sequence in the tables Citus distributes (reference and distributed tables)');
SELECT has_pk('ea_config_specs');
SELECT has_pk('ea_id_lists');
SELECT has_trigger('ea_config_specs', 'ea_config_specs_invalidate');
SELECT has_trigger('ea_id_lists', 'ea_id_lists_invalidate');

SELECT * FROM finish();
ROLLBACK;
