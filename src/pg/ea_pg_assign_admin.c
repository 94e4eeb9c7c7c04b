/*-------------------------------------------------------------------------
 *
 * ea_pg_assign_admin.c
 *	  Administration of stored assignments: erasure, deleting and
 *	  archiving an experiment's assignments, import and export of Statsig
 *	  UserPersistedValues.
 *
 * EXECUTE on these is revoked from PUBLIC; the table access runs as the
 * table owner, so a role granted EXECUTE needs no table privilege.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/tuplestore.h"

/*
 * delete_unit_assignments(unit_id text, id_type text DEFAULT NULL)
 *	  returns bigint
 *
 * Erasure: deletes the unit's stored assignments, current and archived,
 * for one id type or (NULL) all.  Returns the number of rows deleted;
 * NULL unit_id gives NULL.
 */
PG_FUNCTION_INFO_V1(ea_pg_delete_unit_assignments);
Datum
ea_pg_delete_unit_assignments(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_INT64(ea_pg_assignments_delete_unit(PG_GETARG_TEXT_PP(0),
												  PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1)));
}

/*
 * delete_experiment_assignments(config_name text) returns bigint
 *
 * Deletes every stored assignment of an experiment or layer (the archive
 * is kept).  Returns the number of rows deleted.  STRICT.
 */
PG_FUNCTION_INFO_V1(ea_pg_delete_experiment_assignments);
Datum
ea_pg_delete_experiment_assignments(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(ea_pg_assignments_delete_config(PG_GETARG_TEXT_PP(0)));
}

/*
 * archive_experiment_assignments(config_name text) returns bigint
 *
 * Moves every stored assignment of an experiment or layer to
 * ea_assignments_archive (stamped archived_at = now()), so the next
 * evaluation assigns afresh.  Returns the number of rows moved.  STRICT.
 */
PG_FUNCTION_INFO_V1(ea_pg_archive_experiment_assignments);
Datum
ea_pg_archive_experiment_assignments(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(ea_pg_assignments_archive_config(PG_GETARG_TEXT_PP(0)));
}

/*
 * Split an SDK storage key "<unit id>:<id type>" at its last colon, or
 * raise 22023.  The parts are palloc'd.
 */
void
ea_pg_split_storage_key(const char *key, char **unit_id, char **id_type)
{
	const char *colon = strrchr(key, ':');

	if (colon == NULL || colon == key || colon[1] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid storage key \"%s\"", key),
				 errdetail("A storage key is \"<unit id>:<id type>\", as Statsig's persistent storage writes it."),
				 errhint("Pass the key the SDK's storage adapter received, for example \"user-1:userID\".")));
	*unit_id = pnstrdup(key, colon - key);
	*id_type = pstrdup(colon + 1);
}

/*
 * Validate one StickyValues object with the core and normalise it (legacy
 * configVersion becomes config_version); a bad value raises 22023 naming
 * the config and the bad field, with context (which call, which key).
 * Returns the text to store.
 */
char *
ea_pg_sticky_normalize(Jsonb *entry, const char *config, const char *context)
{
	char	   *text = JsonbToCString(NULL, &entry->root, VARSIZE(entry));
	EaCoreGuard *guard = ea_pg_guard_create();
	char	   *normalized;
	ea_error	err;

	if (ea_sticky_normalize(config, text, strlen(text), &guard->json, &err) != EA_OK)
		ea_pg_report(&err, context);
	normalized = pstrdup(guard->json);
	ea_pg_guard_release(guard);
	return normalized;
}

/* One entry of an imported UserPersistedValues object, normalised. */
static char *
ea_pg_normalize_entry(JsonbValue *value, const char *config, const char *key)
{
	return ea_pg_sticky_normalize(JsonbValueToJsonb(value), config,
								  psprintf("importing \"%s\" of storage key \"%s\"",
										   config, key));
}

/*
 * import_user_persisted_values(storage_key text, user_persisted_values jsonb)
 *	  returns integer
 *
 * Stores the values an SDK storage adapter holds for one key ({config
 * name: StickyValues}), replacing stored values of the same configs.
 * Every entry is validated (22023 naming the bad one) and normalised
 * (legacy configVersion becomes config_version).  Returns the number of
 * entries stored.  STRICT.
 */
PG_FUNCTION_INFO_V1(ea_pg_import_user_persisted_values);
Datum
ea_pg_import_user_persisted_values(PG_FUNCTION_ARGS)
{
	char	   *key = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Jsonb	   *values = PG_GETARG_JSONB_P(1);
	char	   *unit_id;
	char	   *id_type;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *config = NULL;
	int32		count = 0;

	ea_pg_split_storage_key(key, &unit_id, &id_type);
	if (!JB_ROOT_IS_OBJECT(values))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid user persisted values"),
				 errdetail("The value is not a JSON object."),
				 errhint("Pass a {config_name: StickyValues} object, as the storage adapter's load() returns.")));

	it = JsonbIteratorInit(&values->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			config = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
		{
			ea_pg_assignments_upsert(unit_id, id_type, config,
									 ea_pg_normalize_entry(&v, config, key));
			count++;
		}
	}
	PG_RETURN_INT32(count);
}

/* Append one exported row to the tuplestore. */
static void
ea_pg_export_row(void *arg, Datum storage_key, Datum values)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) arg;
	Datum		row[2] = {storage_key, values};
	bool		nulls[2] = {false, false};

	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, nulls);
}

/*
 * export_user_persisted_values()
 *	  returns setof (storage_key text, user_persisted_values jsonb)
 *
 * Every stored unit as the SDK's storage adapter holds it: the key
 * "<unit id>:<id type>" and its {config name: StickyValues} object, to
 * save() into an SDK's own store.  Ordered by unit id and id type.
 */
PG_FUNCTION_INFO_V1(ea_pg_export_user_persisted_values);
Datum
ea_pg_export_user_persisted_values(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	ea_pg_assignments_export(ea_pg_export_row, rsinfo);
	PG_RETURN_NULL();
}
