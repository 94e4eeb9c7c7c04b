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

-- Versions: the loaded library may be newer than this database's SQL
-- objects until ALTER EXTENSION experiment_assign UPDATE has run.
CREATE FUNCTION @extschema@.experiment_assign_library_version()
RETURNS text
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'ea_pg_library_version_sql';

COMMENT ON FUNCTION @extschema@.experiment_assign_library_version() IS
'The version of the loaded experiment_assign library (may be newer than the extension version until ALTER EXTENSION ... UPDATE)';

CREATE FUNCTION @extschema@.experiment_assign_require_version(version text)
RETURNS text
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'ea_pg_require_version';

COMMENT ON FUNCTION @extschema@.experiment_assign_require_version(text) IS
'Returns the installed extension version if it is at least the given one, else raises an error saying how to update';

REVOKE ALL ON FUNCTION @extschema@.experiment_assign_library_version() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.experiment_assign_require_version(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.experiment_assign_library_version() TO PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.experiment_assign_require_version(text) TO PUBLIC;

-- section release: end

/* ---------------------------------------------------------------------
 * 0.2.0: hardening and least privilege (issue 9)
 * ------------------------------------------------------------------- */
-- section hardening: begin

/*
 * Least privilege for stored assignments.  PUBLIC keeps the stateless
 * evaluators; reading, storing and deleting assignments (the
 * persistence-aware get_experiment/get_layer, get_user_persisted_values,
 * the trigger's writes) take an explicit grant:
 *
 *	SELECT grant_assignment_access('app_role');
 *
 * ea_assignment_access is the one list of those functions: a later
 * function that reads or writes assignments adds its row here (in its own
 * section) and grant_assignment_access()/revoke_assignment_access() cover
 * it.  Signatures are stored without the schema (text, not regprocedure:
 * pg_upgrade refuses reg* columns other than regclass/regrole/regtype).
 */
CREATE TABLE @extschema@.ea_assignment_access (
	function_signature text PRIMARY KEY
);
COMMENT ON TABLE @extschema@.ea_assignment_access IS
'The functions that read, store or delete stored assignments: grant_assignment_access() grants EXECUTE on each';
REVOKE ALL ON TABLE @extschema@.ea_assignment_access FROM PUBLIC;
GRANT SELECT ON TABLE @extschema@.ea_assignment_access TO PUBLIC;

INSERT INTO @extschema@.ea_assignment_access (function_signature) VALUES
	('get_experiment(jsonb, text, jsonb, boolean, boolean)'),
	('get_layer(jsonb, text, jsonb, boolean, boolean)'),
	('get_user_persisted_values(jsonb, text)'),
	('assign_experiment_trigger()');
-- later sections add their own rows (section adapter: the storage adapter's)

REVOKE EXECUTE ON FUNCTION @extschema@.get_experiment(jsonb, text, jsonb, boolean, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.get_layer(jsonb, text, jsonb, boolean, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.get_user_persisted_values(jsonb, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.assign_experiment_trigger() FROM PUBLIC;

CREATE FUNCTION @extschema@.assignment_access_functions()
RETURNS SETOF regprocedure
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.to_regprocedure(pg_catalog.quote_ident(n.nspname) || '.' || a.function_signature)
	FROM @extschema@.ea_assignment_access a,
		 pg_catalog.pg_extension e
		 JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
	WHERE e.extname = 'experiment_assign'
	ORDER BY a.function_signature
$$;
COMMENT ON FUNCTION @extschema@.assignment_access_functions() IS
'The functions grant_assignment_access() grants: every function that reads, stores or deletes stored assignments';
REVOKE ALL ON FUNCTION @extschema@.assignment_access_functions() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.assignment_access_functions() TO PUBLIC;

CREATE FUNCTION @extschema@.ea_assignment_access_set(role regrole, allow boolean)
RETURNS SETOF regprocedure
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fn regprocedure;
	v_owner oid;
BEGIN
	SELECT e.extowner INTO v_owner FROM pg_catalog.pg_extension e
	WHERE e.extname = 'experiment_assign';
	IF NOT pg_catalog.pg_has_role(v_owner, 'MEMBER') THEN
		RAISE EXCEPTION 'permission denied to % assignment access', CASE WHEN allow THEN 'grant' ELSE 'revoke' END
			USING ERRCODE = '42501',
				  DETAIL = pg_catalog.format('Only the extension owner (%s) and superusers manage who may read and store assignments.',
											 v_owner::regrole),
				  HINT = 'Connect as the extension owner or a superuser.';
	END IF;
	FOR fn IN SELECT f FROM @extschema@.assignment_access_functions() AS f LOOP
		IF fn IS NULL THEN
			CONTINUE;
		END IF;
		IF allow THEN
			EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %s', fn, role);
		ELSE
			EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM %s', fn, role);
		END IF;
		RETURN NEXT fn;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.ea_assignment_access_set(regrole, boolean) IS
'Internal: grants or revokes EXECUTE on every assignment function';
REVOKE ALL ON FUNCTION @extschema@.ea_assignment_access_set(regrole, boolean) FROM PUBLIC;

CREATE FUNCTION @extschema@.grant_assignment_access(role regrole)
RETURNS SETOF regprocedure
LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT @extschema@.ea_assignment_access_set(role, true) $$;
COMMENT ON FUNCTION @extschema@.grant_assignment_access(regrole) IS
'Let a role read, store and delete stored assignments: grants EXECUTE on every assignment function (returned); owner or superuser only';
REVOKE ALL ON FUNCTION @extschema@.grant_assignment_access(regrole) FROM PUBLIC;

CREATE FUNCTION @extschema@.revoke_assignment_access(role regrole)
RETURNS SETOF regprocedure
LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT @extschema@.ea_assignment_access_set(role, false) $$;
COMMENT ON FUNCTION @extschema@.revoke_assignment_access(regrole) IS
'Undo grant_assignment_access: revokes EXECUTE on every assignment function (returned); owner or superuser only';
REVOKE ALL ON FUNCTION @extschema@.revoke_assignment_access(regrole) FROM PUBLIC;

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

/*
 * An SDK's persistent storage adapter (adapters/node): load, save and
 * delete one unit's StickyValues by the SDK's storage key
 * "<unit id>:<id type>".  Not PUBLIC: granted with the other assignment
 * functions by grant_assignment_access() (a save stores any well-formed
 * value, not only a live evaluation).
 */
CREATE FUNCTION @extschema@.get_user_persisted_values(storage_key text)
RETURNS jsonb
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'ea_pg_get_user_persisted_values_by_key';
COMMENT ON FUNCTION @extschema@.get_user_persisted_values(text) IS
'An SDK storage adapter''s load(key): the stored values of the unit of storage key "<unit id>:<id type>" as {config: StickyValues}; {} when none';

CREATE FUNCTION @extschema@.save_user_persisted_value(storage_key text, config_name text,
													  sticky_value jsonb)
RETURNS boolean
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'ea_pg_save_user_persisted_value';
COMMENT ON FUNCTION @extschema@.save_user_persisted_value(text, text, jsonb) IS
'An SDK storage adapter''s save(key, config, value): stores a first assignment (validated, normalised); false when a value was stored already (it is kept)';

CREATE FUNCTION @extschema@.delete_user_persisted_value(storage_key text, config_name text)
RETURNS boolean
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'ea_pg_delete_user_persisted_value';
COMMENT ON FUNCTION @extschema@.delete_user_persisted_value(text, text) IS
'An SDK storage adapter''s delete(key, config): deletes the stored value of one experiment or layer; whether one was stored';

REVOKE ALL ON FUNCTION @extschema@.get_user_persisted_values(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.save_user_persisted_value(text, text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.delete_user_persisted_value(text, text) FROM PUBLIC;

-- granted with the other assignment functions: grant_assignment_access()
INSERT INTO @extschema@.ea_assignment_access (function_signature) VALUES
	('get_user_persisted_values(text)'),
	('save_user_persisted_value(text, text, jsonb)'),
	('delete_user_persisted_value(text, text)');

-- section adapter: end

/* ---------------------------------------------------------------------
 * 0.2.0: sync worker: specs and ID lists from Statsig (issue 11)
 * ------------------------------------------------------------------- */
-- section sync: begin
-- What the sync (the background worker or sync_config_specs()) knows and
-- has done: one row per kind of sync.  Written only by the sync; read
-- through ea_sync_status.  Holds no secret.
CREATE TABLE @extschema@.ea_sync_state (
	kind text PRIMARY KEY CHECK (kind IN ('config_specs', 'id_lists')),
	last_attempt timestamptz,
	last_success timestamptz,
	last_change timestamptz,
	last_error text,
	last_error_at timestamptz,
	consecutive_failures integer NOT NULL DEFAULT 0,
	attempts bigint NOT NULL DEFAULT 0,
	successes bigint NOT NULL DEFAULT 0,
	failures bigint NOT NULL DEFAULT 0,
	changes bigint NOT NULL DEFAULT 0,
	checksum text,
	checksum_time bigint
);
COMMENT ON TABLE @extschema@.ea_sync_state IS
'Sync bookkeeping per kind (config_specs, id_lists): attempts, successes, last error, the checksum of the document the sync loaded';

-- How far each ID list synced from Statsig has been read: the file it
-- comes from and the bytes applied (the next read starts there).
CREATE TABLE @extschema@.ea_sync_id_lists (
	list_name text PRIMARY KEY CHECK (pg_catalog.length(list_name) BETWEEN 1 AND 255),
	file_id text,
	creation_time bigint NOT NULL DEFAULT 0,
	size bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.ea_sync_id_lists IS
'ID lists managed by the sync: Statsig fileID, creation time and bytes of the file applied so far';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.ea_sync_state', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ea_sync_id_lists', '');
REVOKE ALL ON TABLE @extschema@.ea_sync_state FROM PUBLIC;
REVOKE ALL ON TABLE @extschema@.ea_sync_id_lists FROM PUBLIC;

-- Anyone may see how fresh the specs and ID lists are (never the secret:
-- neither table holds it).
CREATE VIEW @extschema@.ea_sync_status AS
SELECT k.kind,
	(SELECT a.pid FROM pg_catalog.pg_stat_activity a
	  WHERE a.backend_type = 'experiment_assign sync'
		AND a.datname = pg_catalog.current_database()
	  LIMIT 1) AS worker_pid,
	s.last_attempt,
	s.last_success,
	s.last_change,
	CASE WHEN k.kind = 'config_specs' THEN
		(SELECT pg_catalog.to_timestamp(c.document_time / 1000.0)
		   FROM @extschema@.ea_config_specs c)
	END AS document_time,
	pg_catalog.now() - s.last_success AS staleness,
	COALESCE(s.consecutive_failures, 0) AS consecutive_failures,
	s.last_error,
	s.last_error_at,
	COALESCE(s.attempts, 0) AS attempts,
	COALESCE(s.successes, 0) AS successes,
	COALESCE(s.failures, 0) AS failures,
	COALESCE(s.changes, 0) AS changes,
	CASE WHEN k.kind = 'id_lists' THEN
		(SELECT pg_catalog.count(*) FROM @extschema@.ea_sync_id_lists)
	END AS lists,
	CASE WHEN k.kind = 'id_lists' THEN
		(SELECT COALESCE(pg_catalog.sum(l.size), 0)::bigint FROM @extschema@.ea_sync_id_lists l)
	END AS list_bytes
FROM (VALUES ('config_specs'), ('id_lists')) AS k(kind)
LEFT JOIN @extschema@.ea_sync_state s USING (kind);
COMMENT ON VIEW @extschema@.ea_sync_status IS
'Freshness of the synced config specs and ID lists: last attempt, last success, document time, staleness, last error, counts';
REVOKE ALL ON @extschema@.ea_sync_status FROM PUBLIC;
GRANT SELECT ON @extschema@.ea_sync_status TO PUBLIC;

CREATE FUNCTION @extschema@.sync_config_specs(id_lists boolean DEFAULT true)
RETURNS TABLE (kind text, outcome text, detail text)
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'ea_pg_sync_config_specs';
COMMENT ON FUNCTION @extschema@.sync_config_specs(boolean) IS
'One sync now from the session, as the worker does it: download_config_specs (and the ID lists unless false); one row per kind with its outcome';
REVOKE ALL ON FUNCTION @extschema@.sync_config_specs(boolean) FROM PUBLIC;
-- section sync: end

/* ---------------------------------------------------------------------
 * 0.2.0: exposure logging (issue 12)
 * ------------------------------------------------------------------- */
-- section exposures: begin

-- Exposures waiting for delivery to Statsig's log_event endpoint, one row
-- per event in Statsig's shape (column event); the other columns repeat
-- what analysis needs.  Rows are deleted once the endpoint accepted them.
CREATE TABLE @extschema@.ea_exposures (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	logged_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	event_name text NOT NULL,
	config_name text NOT NULL,
	unit_id text,
	id_type text NOT NULL,
	rule_id text NOT NULL,
	experiment text,
	group_name text,
	event jsonb NOT NULL
);
COMMENT ON TABLE @extschema@.ea_exposures IS
'Exposure events (statsig::gate_exposure, config_exposure, layer_exposure) recorded in the evaluating transaction, waiting to be sent to experiment_assign.log_event_url';

-- Delivery counters: one row.
CREATE TABLE @extschema@.ea_exposure_counters (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	delivered bigint NOT NULL DEFAULT 0,
	requests bigint NOT NULL DEFAULT 0,
	failures bigint NOT NULL DEFAULT 0,
	dropped bigint NOT NULL DEFAULT 0,
	last_delivery timestamptz,
	last_error text,
	last_error_at timestamptz
);
INSERT INTO @extschema@.ea_exposure_counters DEFAULT VALUES;
COMMENT ON TABLE @extschema@.ea_exposure_counters IS
'Exposure delivery counters: events delivered, requests, failed requests, events dropped by the backlog limit, last delivery and last error';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.ea_exposures', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ea_exposures_id_seq', '');
REVOKE ALL ON TABLE @extschema@.ea_exposures FROM PUBLIC;
REVOKE ALL ON TABLE @extschema@.ea_exposure_counters FROM PUBLIC;

CREATE FUNCTION @extschema@.log_exposure("user" jsonb, kind text, name text,
										 parameter_name text DEFAULT NULL)
RETURNS jsonb
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'ea_pg_log_exposure';
COMMENT ON FUNCTION @extschema@.log_exposure(jsonb, text, text, text) IS
'Evaluates a gate, config, experiment or layer (kind) like the plain evaluators, records its exposure for Statsig (deduplicated) and returns the result; for a layer, parameter_name is the parameter read (NULL: every parameter)';

CREATE FUNCTION @extschema@.flush_exposures()
RETURNS bigint
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'ea_pg_flush_exposures';
COMMENT ON FUNCTION @extschema@.flush_exposures() IS
'Sends every pending exposure to experiment_assign.log_event_url now (the worker''s code path); returns how many were delivered';

CREATE VIEW @extschema@.ea_exposure_status AS
	SELECT (SELECT pg_catalog.count(*) FROM @extschema@.ea_exposures) AS pending,
		   (SELECT pg_catalog.min(logged_at) FROM @extschema@.ea_exposures) AS oldest_pending,
		   c.delivered, c.requests, c.failures, c.dropped,
		   c.last_delivery, c.last_error, c.last_error_at
	FROM @extschema@.ea_exposure_counters c;
COMMENT ON VIEW @extschema@.ea_exposure_status IS
'Exposure logging at a glance: events pending and the oldest, delivered, requests, failed requests, dropped by the backlog limit, last delivery and last error';

-- Exposures shaped as an experiment-analysis assignment source, like
-- ea_assignment_source: experiment exposures and layer exposures of
-- parameters explicit to the allocated experiment.
CREATE VIEW @extschema@.ea_exposure_source AS
	SELECT pg_catalog.to_timestamp(((x.event OPERATOR(pg_catalog.->>) 'time')::pg_catalog.float8)
								   OPERATOR(pg_catalog./) 1000) AS "timestamp",
		   x.unit_id, x.id_type,
		   x.experiment AS experiment_id,
		   x.rule_id AS group_id,
		   x.group_name, x.rule_id,
		   x.config_name
	FROM @extschema@.ea_exposures x
	WHERE x.experiment IS NOT NULL AND x.unit_id IS NOT NULL;
COMMENT ON VIEW @extschema@.ea_exposure_source IS
'Pending exposures shaped as an experiment-analysis assignment source: timestamp, unit_id, id_type, experiment_id, group_id (the rule id), group_name';

REVOKE ALL ON FUNCTION @extschema@.log_exposure(jsonb, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.flush_exposures() FROM PUBLIC;
REVOKE ALL ON TABLE @extschema@.ea_exposure_status FROM PUBLIC;
REVOKE ALL ON TABLE @extschema@.ea_exposure_source FROM PUBLIC;
-- recording exposures writes, like assigning: log_exposure is on the one
-- list grant_assignment_access() grants (section hardening); no privilege
-- on the table is needed
INSERT INTO @extschema@.ea_assignment_access (function_signature) VALUES
	('log_exposure(jsonb, text, text, text)');

-- section exposures: end

/* ---------------------------------------------------------------------
 * 0.2.0: performance (issue 13)
 * ------------------------------------------------------------------- */
-- section performance: begin



-- section performance: end
