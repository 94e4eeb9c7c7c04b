-- bench/trigger.sql: figure 4.  INSERT ... SELECT of every user into a table
-- with the extension's assign-on-insert trigger, and into the same table
-- without it.
--
-- The trigger function is found by its type: a function of the extension
-- returning "trigger" other than ea_invalidate_cache (that is
-- assign_experiment_trigger).  Its arguments are set below (:trigger_args).
-- Assignments stored by the persistence step are deleted first, so every
-- user is a first assignment for the trigger.  When there is no such function, or CREATE TRIGGER fails,
-- this prints {"missing": ...} and the rest of the run goes on.
--   psql -v experiment=E -f bench/trigger.sql
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on
SET max_parallel_workers_per_gather = 0;
SET jit = off;
-- exposure logging off, as in the SDKs this is compared with (its cost is
-- measured by bench/exposures.sh)
SET experiment_assign.log_exposures = off;
SELECT count(*) AS n FROM bench_users \gset
SELECT coalesce((
	SELECT p.oid::regproc::text FROM pg_proc p
	JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
	JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
	WHERE e.extname = 'experiment_assign' AND p.prorettype = 'trigger'::regtype
	  AND p.proname <> 'ea_invalidate_cache'
	ORDER BY p.proname LIMIT 1), '') AS trigger_fn \gset
-- assign_experiment_trigger(experiment, user column, result column)
SELECT format('%L, %L, %L', :'experiment', 'u', 'assignment') AS trigger_args \gset

DROP TABLE IF EXISTS bench_signup_plain, bench_signup_trig;
CREATE TABLE bench_signup_plain (id bigint PRIMARY KEY, u jsonb NOT NULL,
								 assignment jsonb, group_name text);
CREATE TABLE bench_signup_trig (LIKE bench_signup_plain INCLUDING ALL);
SELECT :'trigger_fn' <> '' AS has_trigger \gset
\if :has_trigger
SELECT set_config('bench.trigger_fn', :'trigger_fn', false),
	   set_config('bench.trigger_args', :'trigger_args', false) \g /dev/null
DO $$
BEGIN
	EXECUTE format('CREATE TRIGGER bench_assign BEFORE INSERT ON bench_signup_trig '
				   'FOR EACH ROW EXECUTE FUNCTION %s(%s)',
				   current_setting('bench.trigger_fn'), current_setting('bench.trigger_args'));
EXCEPTION WHEN OTHERS THEN
	RAISE WARNING 'bench: CREATE TRIGGER failed: %', SQLERRM;
END $$;
SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'bench_assign') AS has_trigger \gset
\endif
\if :has_trigger
-- the users are new to the trigger: forget what the persistence step stored
SELECT bench_has_function('delete_experiment_assignments', 1) AS has_delete \gset
\if :has_delete
SELECT delete_experiment_assignments(:'experiment') \g /dev/null
\endif
CHECKPOINT;
SELECT bench_time('INSERT INTO bench_signup_plain (id, u) SELECT id, u FROM bench_users') AS plain_s \gset
CHECKPOINT;
SELECT bench_time('INSERT INTO bench_signup_trig (id, u) SELECT id, u FROM bench_users') AS trig_s \gset
SELECT json_build_object('impl', 'sql', 'kind', 'trigger', 'n', :n, 'function', :'trigger_fn',
	'plain_s', :plain_s, 'trigger_s', :trig_s,
	'assigned', (SELECT json_object_agg(k, c) FROM (
		SELECT coalesce(assignment ->> 'group_name', '(none)') AS k, count(*) AS c
		FROM bench_signup_trig GROUP BY 1) s));
\else
SELECT json_build_object('impl', 'sql', 'kind', 'trigger', 'missing', true,
	'function', nullif(:'trigger_fn', ''));
\endif
