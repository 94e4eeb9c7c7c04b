/* experiment_assign--0.1.0--0.2.0.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION experiment_assign UPDATE TO '0.2.0'" to load this file. \quit

/*
 * Every schema change of 0.2.0, in the same sections as the install script
 * experiment_assign--0.2.0.sql.  The upgrade test (test/suites/upgrade.sh)
 * installs 0.1.0, stores data, runs ALTER EXTENSION ... UPDATE and compares
 * the catalogue with a fresh 0.2.0 install.
 */

/* ---------------------------------------------------------------------
 * 0.2.0: release and upgrades (issue 14)
 * ------------------------------------------------------------------- */
-- section release: begin



-- section release: end

/* ---------------------------------------------------------------------
 * 0.2.0: hardening and least privilege (issue 9)
 * ------------------------------------------------------------------- */
-- section hardening: begin



-- section hardening: end

/* ---------------------------------------------------------------------
 * 0.2.0: Citus (issue 8)
 * ------------------------------------------------------------------- */
-- section citus: begin

/*
 * Citus (see README, "Scale-out with Citus").  On a Citus coordinator the
 * storage tables become Citus tables: the specs and ID lists reference
 * tables (a load commits on every node or none), the assignments and their
 * archive distributed by unit_id and co-located.  The invalidation triggers
 * go (Citus refuses reference tables with triggers); each node then
 * compares the version of the document row in its own placement once per
 * statement instead.  Idempotent; stored rows are moved into the shards.
 */
CREATE FUNCTION @extschema@.experiment_assign_distribute(collect_worker_rows boolean DEFAULT true)
RETURNS text
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	s text := pg_catalog.quote_ident(
		(SELECT n.nspname FROM pg_catalog.pg_extension e
		 JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
		 WHERE e.extname OPERATOR(pg_catalog.=) 'experiment_assign'));
	t record;
	done text[] := '{}';
	mode text;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'citus') THEN
		RAISE EXCEPTION 'citus is not installed in this database'
			USING ERRCODE = '55000',
				  DETAIL = 'experiment_assign_distribute() turns the storage tables into Citus tables.',
				  HINT = 'Run CREATE EXTENSION citus on the coordinator first, or keep using experiment_assign on one node.';
	END IF;
	IF (SELECT groupid FROM pg_catalog.pg_dist_local_group) OPERATOR(pg_catalog.<>) 0 THEN
		RAISE EXCEPTION 'experiment_assign_distribute() must run on the Citus coordinator'
			USING ERRCODE = '55000',
				  DETAIL = pg_catalog.format('This node is a worker (node group %s).',
											 (SELECT groupid FROM pg_catalog.pg_dist_local_group)),
				  HINT = 'Connect to the coordinator and call it there.';
	END IF;
	-- inside CREATE EXTENSION Citus needs one connection per node
	mode := pg_catalog.current_setting('citus.multi_shard_modify_mode');
	PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true);
	FOR t IN
		SELECT g.tgname, g.tgrelid::pg_catalog.regclass AS rel FROM pg_catalog.pg_trigger g
		WHERE g.tgrelid OPERATOR(pg_catalog.=) ANY (ARRAY[
				pg_catalog.format('%s.ea_config_specs', s)::pg_catalog.regclass,
				pg_catalog.format('%s.ea_id_lists', s)::pg_catalog.regclass]::pg_catalog.oid[])
		  AND g.tgname OPERATOR(pg_catalog.=) ANY (ARRAY['ea_config_specs_invalidate', 'ea_id_lists_invalidate']::pg_catalog.name[])
		  AND NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition d
						  WHERE d.logicalrelid OPERATOR(pg_catalog.=) g.tgrelid)
	LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
	END LOOP;
	/*
	 * Rows stored in the workers' own tables before the assignments were
	 * distributed (a cluster that ran 0.1.0's layout): gathered here, so
	 * that no unit loses its group.  A unit stored on several nodes keeps
	 * its earliest assignment (the first writer wins, as everywhere).
	 */
	IF collect_worker_rows AND NOT EXISTS (
			SELECT FROM pg_catalog.pg_dist_partition
			WHERE logicalrelid OPERATOR(pg_catalog.=) pg_catalog.format('%s.ea_assignments', s)::pg_catalog.regclass) THEN
		FOR t IN
			SELECT w.nodename, w.nodeport, w.result
			FROM pg_catalog.run_command_on_workers(pg_catalog.format(
				'SELECT pg_catalog.json_build_object(''a'', (SELECT COALESCE(pg_catalog.json_agg(a), ''[]'') FROM %1$s.ea_assignments a), '
				'''b'', (SELECT COALESCE(pg_catalog.json_agg(b), ''[]'') FROM %1$s.ea_assignments_archive b))', s)) AS w
			WHERE w.success
		LOOP
			EXECUTE pg_catalog.format(
				'INSERT INTO %1$s.ea_assignments AS c SELECT DISTINCT ON (unit_id, id_type, config_name) * '
				'FROM pg_catalog.json_populate_recordset(NULL::%1$s.ea_assignments, $1) '
				'ORDER BY unit_id, id_type, config_name, assigned_at '
				'ON CONFLICT (unit_id, id_type, config_name) DO UPDATE SET '
				'group_name = EXCLUDED.group_name, rule_id = EXCLUDED.rule_id, '
				'assigned_at = EXCLUDED.assigned_at, sticky = EXCLUDED.sticky '
				'WHERE EXCLUDED.assigned_at OPERATOR(pg_catalog.<) c.assigned_at', s)
				USING (t.result::pg_catalog.json) OPERATOR(pg_catalog.->) 'a';
			EXECUTE pg_catalog.format(
				'INSERT INTO %1$s.ea_assignments_archive '
				'SELECT * FROM pg_catalog.json_populate_recordset(NULL::%1$s.ea_assignments_archive, $1)', s)
				USING (t.result::pg_catalog.json) OPERATOR(pg_catalog.->) 'b';
		END LOOP;
	END IF;
	FOR t IN
		SELECT * FROM (VALUES (1, 'ea_config_specs', 'n'), (2, 'ea_id_lists', 'n'),
							  (3, 'ea_assignments', 'h'), (4, 'ea_assignments_archive', 'h')) AS v(i, name, method)
		ORDER BY i
	LOOP
		IF EXISTS (SELECT FROM pg_catalog.pg_dist_partition
				   WHERE logicalrelid OPERATOR(pg_catalog.=) pg_catalog.format('%s.%I', s, t.name)::pg_catalog.regclass) THEN
			CONTINUE;
		END IF;
		IF t.method OPERATOR(pg_catalog.=) 'n' THEN
			PERFORM pg_catalog.create_reference_table(pg_catalog.format('%s.%I', s, t.name));
		ELSIF t.name OPERATOR(pg_catalog.=) 'ea_assignments' THEN
			PERFORM pg_catalog.create_distributed_table(pg_catalog.format('%s.%I', s, t.name), 'unit_id');
		ELSE
			PERFORM pg_catalog.create_distributed_table(pg_catalog.format('%s.%I', s, t.name), 'unit_id',
														colocate_with => pg_catalog.format('%s.ea_assignments', s));
		END IF;
		-- the rows were copied into the shards; the local copy is hidden
		PERFORM pg_catalog.truncate_local_data_after_distributing_table(
			pg_catalog.format('%s.%I', s, t.name)::pg_catalog.regclass);
		done := done OPERATOR(pg_catalog.||) t.name;
	END LOOP;
	PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', mode, true);
	RETURN CASE WHEN pg_catalog.cardinality(done) OPERATOR(pg_catalog.=) 0
				THEN 'already distributed'
				ELSE 'distributed: ' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(done, ', ') END;
END
$fn$;
COMMENT ON FUNCTION @extschema@.experiment_assign_distribute(boolean) IS
'Citus coordinator: make the specs and ID lists reference tables and distribute the assignments by unit_id, keeping every stored row (with collect_worker_rows also those in the workers'' own tables); idempotent';
REVOKE ALL ON FUNCTION @extschema@.experiment_assign_distribute(boolean) FROM PUBLIC;

/*
 * ALTER EXTENSION ... UPDATE on a Citus coordinator distributes the tables
 * as CREATE EXTENSION does, and also gathers the rows 0.1.0 stored in the
 * workers' own tables.  Citus runs this script on the workers too: there
 * the tables are left alone, the coordinator distributes them.
 */
DO $do$
BEGIN
	-- (nested: pg_dist_local_group exists only where citus is installed)
	IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'citus')
	   AND pg_catalog.current_setting('application_name') NOT LIKE 'citus\_internal%' THEN
		IF (SELECT groupid FROM pg_catalog.pg_dist_local_group) OPERATOR(pg_catalog.=) 0 THEN
			PERFORM @extschema@.experiment_assign_distribute(true);
		END IF;
	END IF;
END
$do$;

-- section citus: end

/* ---------------------------------------------------------------------
 * 0.2.0: SDK storage adapter functions (issue 10)
 * ------------------------------------------------------------------- */
-- section adapter: begin



-- section adapter: end

/* ---------------------------------------------------------------------
 * 0.2.0: sync worker: specs and ID lists from Statsig (issue 11)
 * ------------------------------------------------------------------- */
-- section sync: begin



-- section sync: end

/* ---------------------------------------------------------------------
 * 0.2.0: exposure logging (issue 12)
 * ------------------------------------------------------------------- */
-- section exposures: begin



-- section exposures: end

/* ---------------------------------------------------------------------
 * 0.2.0: performance (issue 13)
 * ------------------------------------------------------------------- */
-- section performance: begin



-- section performance: end
