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
