/*-------------------------------------------------------------------------
 *
 * ea_pg_specs.c
 *	  SQL functions that load and describe the config specs document.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

/*
 * load_config_specs(specs jsonb) returns bigint
 *
 * Validates a whole Statsig download_config_specs document (v1 or v2) with
 * the core, then stores it as the document in force and returns its time.
 * A malformed document raises the core's error and changes nothing.  Side
 * effect: writes ea_config_specs; every session re-reads it after commit.
 * STRICT: NULL in, NULL out.
 */
PG_FUNCTION_INFO_V1(ea_pg_load_config_specs);
Datum
ea_pg_load_config_specs(PG_FUNCTION_ARGS)
{
	Jsonb	   *document = PG_GETARG_JSONB_P(0);
	char	   *text = JsonbToCString(NULL, &document->root, VARSIZE(document));
	EaCoreGuard *guard = ea_pg_guard_create();
	ea_error	err;
	int64		time_ms;
	int			format;

	if (ea_specs_parse(text, strlen(text), &guard->specs, &err) != EA_OK)
		ea_pg_report(&err, NULL);
	time_ms = ea_specs_time(guard->specs);
	format = ea_specs_format(guard->specs);
	ea_pg_guard_release(guard);

	ea_pg_storage_write_specs(PointerGetDatum(document), time_ms, format);
	PG_RETURN_INT64(time_ms);
}

/*
 * config_specs_info() returns setof (document_time, format, spec_count)
 *
 * One row describing the document in force, no row when none is loaded.
 * No side effects beyond loading the per-backend cache.
 */
PG_FUNCTION_INFO_V1(ea_pg_config_specs_info);
Datum
ea_pg_config_specs_info(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const ea_specs *specs;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	InitMaterializedSRF(fcinfo, 0);
	specs = ea_pg_cache_specs(true);
	if (specs == NULL)
		PG_RETURN_NULL();

	values[0] = Int64GetDatum(ea_specs_time(specs));
	values[1] = Int32GetDatum(ea_specs_format(specs));
	values[2] = Int32GetDatum((int32) ea_specs_count(specs));
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	PG_RETURN_NULL();
}

/* The SQL name of a spec kind. */
static const char *
ea_pg_kind_name(ea_kind kind)
{
	switch (kind)
	{
		case EA_KIND_GATE:
			return "gate";
		case EA_KIND_CONFIG:
			return "config";
		case EA_KIND_EXPERIMENT:
			return "experiment";
		case EA_KIND_LAYER:
			return "layer";
	}
	return "unknown";
}

/* A text Datum, or a NULL for a NULL string. */
static Datum
ea_pg_text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* Fill one row of list_specs() from a spec's description. */
static void
ea_pg_spec_row(const ea_spec_info *info, Datum *values, bool *nulls)
{
	memset(nulls, 0, sizeof(bool) * 9);
	values[0] = ea_pg_text_or_null(info->name, &nulls[0]);
	values[1] = CStringGetTextDatum(ea_pg_kind_name(info->kind));
	values[2] = ea_pg_text_or_null(info->entity, &nulls[2]);
	values[3] = BoolGetDatum(info->enabled);
	values[4] = BoolGetDatum(info->is_active > 0);
	nulls[4] = (info->is_active < 0);
	values[5] = ea_pg_text_or_null(info->id_type, &nulls[5]);
	values[6] = ea_pg_text_or_null(info->layer, &nulls[6]);
	values[7] = Int64GetDatum(info->version);
	nulls[7] = (info->version < 0);
	values[8] = Int32GetDatum(info->rule_count);
}

/*
 * list_specs() returns setof (name, kind, entity, enabled, is_active,
 *							   id_type, layer, version, rule_count)
 *
 * One row per spec of the document in force (none when none is loaded).
 * is_active, layer and version are NULL when the spec has none.  No side
 * effects beyond loading the per-backend cache.
 */
PG_FUNCTION_INFO_V1(ea_pg_list_specs);
Datum
ea_pg_list_specs(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const ea_specs *specs;
	size_t		count;
	Datum		values[9];
	bool		nulls[9];
	size_t		i;

	InitMaterializedSRF(fcinfo, 0);
	specs = ea_pg_cache_specs(true);
	count = specs ? ea_specs_count(specs) : 0;
	for (i = 0; i < count; i++)
	{
		ea_spec_info info;

		ea_specs_info(specs, i, &info);
		ea_pg_spec_row(&info, values, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}
