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
