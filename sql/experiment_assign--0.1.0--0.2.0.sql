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



-- section citus: end

/* ---------------------------------------------------------------------
 * 0.2.0: SDK storage adapter functions (issue 10)
 * ------------------------------------------------------------------- */
-- section adapter: begin

/*
 * An SDK's persistent storage adapter (adapters/node): load, save and
 * delete one unit's StickyValues by the SDK's storage key
 * "<unit id>:<id type>".  Granted explicitly, like import/export: a save
 * stores any well-formed value, not only a live evaluation.
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
