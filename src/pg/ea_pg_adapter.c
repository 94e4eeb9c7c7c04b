/*-------------------------------------------------------------------------
 *
 * ea_pg_adapter.c
 *	  The SQL functions behind an SDK's persistent storage adapter: load,
 *	  save and delete by storage key, as Statsig's PersistentStorage
 *	  interface calls them (adapters/node is such an adapter).
 *
 * Keys are the SDK's "<unit id>:<id type>" (split at the last colon),
 * values Server Core's StickyValues, validated and normalised as
 * import_user_persisted_values does.  A save stores a first assignment
 * only: when a value is stored already (another service, a trigger or a
 * persistence-aware call assigned the unit first), it is kept, so a unit
 * never changes group behind the SDK's back.  EXECUTE on these is revoked
 * from PUBLIC; the table access runs as the table owner.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "utils/builtins.h"

/* Reject an empty config name (22023). */
static void
ea_pg_check_config_name(const char *config_name, const char *key)
{
	if (config_name[0] != '\0')
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid config name for storage key \"%s\"", key),
			 errdetail("The config name is empty."),
			 errhint("Pass the experiment or layer name the SDK's storage adapter received.")));
}

/*
 * get_user_persisted_values(storage_key text) returns jsonb
 *
 * What an SDK adapter's load(key) returns: the unit's stored values as
 * {config name: StickyValues}, {} when none.  A malformed key raises
 * 22023.  STRICT.
 */
PG_FUNCTION_INFO_V1(ea_pg_get_user_persisted_values_by_key);
Datum
ea_pg_get_user_persisted_values_by_key(PG_FUNCTION_ARGS)
{
	char	   *key = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *unit_id;
	char	   *id_type;
	Jsonb	   *values;

	ea_pg_split_storage_key(key, &unit_id, &id_type);
	values = ea_pg_assignments_values(unit_id, id_type);
	if (values == NULL)
		values = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));
	PG_RETURN_JSONB_P(values);
}

/*
 * save_user_persisted_value(storage_key text, config_name text,
 *							 sticky_value jsonb) returns boolean
 *
 * An SDK adapter's save(key, config, value): stores a first assignment.
 * The value is validated (22023 naming the config, the key and the bad
 * field) and normalised (legacy configVersion becomes config_version).
 * Returns true when stored, false when a value was stored already (it is
 * kept; a concurrent first assignment of the same unit is waited for).
 * STRICT.
 */
PG_FUNCTION_INFO_V1(ea_pg_save_user_persisted_value);
Datum
ea_pg_save_user_persisted_value(PG_FUNCTION_ARGS)
{
	char	   *key = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *config_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	Jsonb	   *value = PG_GETARG_JSONB_P(2);
	char	   *unit_id;
	char	   *id_type;
	char	   *sticky;
	char	   *context;

	ea_pg_split_storage_key(key, &unit_id, &id_type);
	ea_pg_check_config_name(config_name, key);
	context = psprintf("saving \"%s\" of storage key \"%s\"", config_name, key);
	sticky = ea_pg_sticky_normalize(value, config_name, context);
	PG_RETURN_BOOL(ea_pg_assignments_insert(unit_id, id_type, config_name, sticky));
}

/*
 * delete_user_persisted_value(storage_key text, config_name text)
 *	  returns boolean
 *
 * An SDK adapter's delete(key, config): removes the unit's stored value of
 * one experiment or layer.  Returns whether a value was stored.  STRICT.
 */
PG_FUNCTION_INFO_V1(ea_pg_delete_user_persisted_value);
Datum
ea_pg_delete_user_persisted_value(PG_FUNCTION_ARGS)
{
	char	   *key = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *config_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *unit_id;
	char	   *id_type;

	ea_pg_split_storage_key(key, &unit_id, &id_type);
	ea_pg_check_config_name(config_name, key);
	PG_RETURN_BOOL(ea_pg_assignments_delete(unit_id, id_type, config_name));
}
