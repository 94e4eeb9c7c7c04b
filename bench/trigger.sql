-- bench/trigger.sql: figure 4.  INSERT ... SELECT of every user into a table
-- with the extension's assign-on-insert trigger, and into the same table
-- without it.
--
-- The trigger function is found by its type: a function of the extension
-- returning "trigger" other than ea_invalidate_cache (that is
-- assign_experiment_trigger).  Its arguments are set below (:trigger_args).
-- Assignments stored by the persistence step are deleted first, so every
-- user is a first assignment for the trigger, and ea_assignments is vacuumed
-- (see below).  When there is no such function, or CREATE TRIGGER fails,
-- this prints {"missing": ...} and the rest of the run goes on.
--
-- Then the PostgreSQL floor: the work PostgreSQL does for the trigger's
-- statement without any evaluation by the extension, on the same users and
-- tables, each component timed on its own:
--   insert  the plain insert of the same users with the result column
--           filled (the larger rows), from the same scan of bench_users: each
--           row gets the result the trigger wrote whose size is nearest the
--           mean (one value, an InitPlan: no per-row work but the write);
--   probe   one primary-key index probe of ea_assignments per user for
--           (unit id, id type), as the trigger's read of the stored values
--           does: a forced nested loop with an inner index scan, less the
--           outer scan computing the unit id alone.  The trigger's probes
--           find nothing in an index that grows from its state before the
--           statement to its state after: this is the mean of the probes on
--           the table as the trigger found it and of probes for absent keys
--           (the unit id with "~" appended, which sorts next to it) on the
--           table as the trigger left it; the cost of a descent is concave
--           in the index size, so the mean of the two ends does not
--           overstate it;
--   store   the rows the trigger stored, inserted again into ea_assignments
--           with ON CONFLICT DO NOTHING after deleting them, in one
--           statement, less the scan of their copy.
-- Each is set-based (one executor for all rows), so per-row executor
-- start-up is not in the floor: the floor is a lower bound, what remains
-- above it is counted as the extension's.
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
SELECT format('%I.ea_assignments', n.nspname) AS ea_table FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'experiment_assign' \gset
-- The deleted rows' index entries would stay until a vacuum, and each of the
-- trigger's probes and stores would visit the dead entry of its own unit (the
-- same users were stored by the persistence step): not what a table of new
-- sign-ups meets.  So the table is vacuumed after every delete, for the
-- trigger and for the floor alike (psql -v novacuum=1: not before the
-- trigger, to see what the dead entries cost).
\if :has_delete
SELECT delete_experiment_assignments(:'experiment') \g /dev/null
\endif
SELECT :{?novacuum} AS novacuum \gset
\if :novacuum
\else
VACUUM :ea_table;
\endif
SELECT bench_settle() \g /dev/null
SELECT bench_time('INSERT INTO bench_signup_plain (id, u) SELECT id, u FROM bench_users') AS plain_s \gset
SELECT bench_settle() \g /dev/null
SELECT bench_time('INSERT INTO bench_signup_trig (id, u) SELECT id, u FROM bench_users') AS trig_s \gset

-- the PostgreSQL floor (see the top of this file)
DROP TABLE IF EXISTS bench_floor_value, bench_floor_rows, bench_signup_floor;
CREATE TABLE bench_floor_value AS
SELECT assignment FROM bench_signup_trig
ORDER BY abs(pg_column_size(assignment) -
			 (SELECT avg(pg_column_size(assignment)) FROM bench_signup_trig)), id
LIMIT 1;
CREATE TABLE bench_floor_rows AS SELECT * FROM :ea_table WHERE config_name = :'experiment';
CREATE TABLE bench_signup_floor (LIKE bench_signup_plain INCLUDING ALL);
VACUUM ANALYZE bench_floor_rows;
SELECT count(*) AS stored FROM bench_floor_rows \gset
SELECT avg(pg_column_size(assignment))::int AS mean_bytes FROM bench_signup_trig \gset
SELECT pg_column_size(assignment) AS value_bytes FROM bench_floor_value \gset
-- insert: the filled rows
SELECT bench_settle() \g /dev/null
SELECT bench_time('INSERT INTO bench_signup_floor (id, u, assignment) '
				  'SELECT id, u, (SELECT assignment FROM bench_floor_value) FROM bench_users') AS floor_insert_s \gset
-- probe: ea_assignments as the trigger found it
DELETE FROM :ea_table WHERE config_name = :'experiment';
VACUUM ANALYZE :ea_table;
BEGIN;
-- the primary key's probe alone, for this transaction (rolled back)
SELECT bench_force_pk_probe(:'ea_table') \g /dev/null
SELECT format('SELECT count(a.config_name) FROM bench_users b LEFT JOIN %s a '
			  'ON a.unit_id = b.u ->> %L AND a.id_type = %L', :'ea_table', 'userID', 'userID') AS probe_sql \gset
SELECT bench_plan_uses_index(:'probe_sql') AS probe_plan_ok \gset
SELECT bench_time('SELECT count(b.u ->> ''userID'') FROM bench_users b') AS probe_outer_s \gset
SELECT bench_time(:'probe_sql') AS probe_raw_s \gset
ROLLBACK;
-- store: the stored rows again, with the trigger's ON CONFLICT DO NOTHING
SELECT bench_time('SELECT count(*) FROM (SELECT * FROM bench_floor_rows OFFSET 0) s') AS store_scan_s \gset
SELECT bench_settle() \g /dev/null
SELECT bench_time(format('INSERT INTO %s SELECT * FROM bench_floor_rows '
						 'ON CONFLICT (unit_id, id_type, config_name) DO NOTHING', :'ea_table')) AS store_raw_s \gset
-- probe, the other end: absent keys in the table as the trigger left it
ANALYZE :ea_table;
BEGIN;
-- the primary key's probe alone, for this transaction (rolled back)
SELECT bench_force_pk_probe(:'ea_table') \g /dev/null
SELECT format('SELECT count(a.config_name) FROM bench_users b LEFT JOIN %s a '
			  'ON a.unit_id = (b.u ->> %L) || %L AND a.id_type = %L',
			  :'ea_table', 'userID', '~', 'userID') AS probe_full_sql \gset
SELECT :'probe_plan_ok'::boolean AND bench_plan_uses_index(:'probe_full_sql') AS probe_plan_ok \gset
SELECT bench_time('SELECT count((b.u ->> ''userID'') || ''~'') FROM bench_users b') AS probe_full_outer_s \gset
SELECT bench_time(:'probe_full_sql') AS probe_full_raw_s \gset
ROLLBACK;
SELECT (greatest(:probe_raw_s - :probe_outer_s, 0) +
		greatest(:probe_full_raw_s - :probe_full_outer_s, 0)) / 2 AS floor_probe_s,
	   greatest(:store_raw_s - :store_scan_s, 0) AS floor_store_s \gset
DROP TABLE bench_floor_value, bench_floor_rows, bench_signup_floor;

-- The same trigger writing the group name into a text column instead of the
-- whole result into a jsonb one (the row then grows by a few bytes, not by
-- 500): how much of the trigger's cost is the size of what it writes.
DROP TABLE IF EXISTS bench_signup_trig_text;
CREATE TABLE bench_signup_trig_text (LIKE bench_signup_plain INCLUDING ALL);
SELECT set_config('bench.trigger_args_text',
				  format('%L, %L, %L', :'experiment', 'u', 'group_name'), false) \g /dev/null
DO $$
BEGIN
	EXECUTE format('CREATE TRIGGER bench_assign_text BEFORE INSERT ON bench_signup_trig_text '
				   'FOR EACH ROW EXECUTE FUNCTION %s(%s)',
				   current_setting('bench.trigger_fn'), current_setting('bench.trigger_args_text'));
END $$;
DELETE FROM :ea_table WHERE config_name = :'experiment';
VACUUM :ea_table;
SELECT bench_settle() \g /dev/null
SELECT bench_time('INSERT INTO bench_signup_trig_text (id, u) SELECT id, u FROM bench_users') AS trig_text_s \gset
DROP TABLE bench_signup_trig_text;

SELECT json_build_object('impl', 'sql', 'kind', 'trigger', 'n', :n, 'function', :'trigger_fn',
	'plain_s', :plain_s, 'trigger_s', :trig_s, 'trigger_text_s', :trig_text_s,
	'assigned', (SELECT json_object_agg(k, c) FROM (
		SELECT coalesce(assignment ->> 'group_name', '(none)') AS k, count(*) AS c
		FROM bench_signup_trig GROUP BY 1) s),
	'floor', json_build_object('stored', :stored,
		'insert_s', :floor_insert_s, 'result_bytes', :value_bytes, 'mean_result_bytes', :mean_bytes,
		'probe_s', :floor_probe_s, 'probe_raw_s', :probe_raw_s, 'probe_outer_s', :probe_outer_s,
		'probe_full_raw_s', :probe_full_raw_s, 'probe_full_outer_s', :probe_full_outer_s,
		'probe_plan_ok', :'probe_plan_ok'::boolean,
		'store_s', :floor_store_s, 'store_raw_s', :store_raw_s, 'store_scan_s', :store_scan_s,
		'total_s', :floor_insert_s + :floor_probe_s + :floor_store_s));
\else
SELECT json_build_object('impl', 'sql', 'kind', 'trigger', 'missing', true,
	'function', nullif(:'trigger_fn', ''));
\endif
