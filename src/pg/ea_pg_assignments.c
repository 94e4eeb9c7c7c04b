/*-------------------------------------------------------------------------
 *
 * ea_pg_assignments.c
 *	  The assignment table of persistent assignment, through SPI.
 *
 * ea_assignments holds one row per (unit id, id type, config name): the
 * Server Core StickyValues saved when a unit was first assigned.  Like the
 * other storage tables it is private: access runs as its owner (see
 * ea_pg_storage_enter), statements are prepared once per backend and kept,
 * names are schema-qualified and values are parameters.
 *
 * Every statement runs with read_only = false: SPI then increments the
 * command counter and takes a fresh snapshot, so a call sees the rows an
 * earlier call of the same statement wrote (and, in READ COMMITTED, rows
 * other sessions committed since the statement began).
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

typedef enum EaAssignPlanId
{
	EA_APLAN_VALUES = 0,
	EA_APLAN_READ_ONE,
	EA_APLAN_INSERT,
	EA_APLAN_DELETE_ONE,
	EA_APLAN_DELETE_UNIT,
	EA_APLAN_DELETE_CONFIG,
	EA_APLAN_ARCHIVE_CONFIG,
	EA_APLAN_UPSERT,
	EA_APLAN_EXPORT,
	EA_APLAN_COUNT
} EaAssignPlanId;

static SPIPlanPtr ea_aplans[EA_APLAN_COUNT];

/* A unit's row filter, $1 unit id and $2 id type. */
#define EA_UNIT_KEY \
	"unit_id OPERATOR(pg_catalog.=) $1 AND id_type OPERATOR(pg_catalog.=) $2"
#define EA_ROW_KEY EA_UNIT_KEY " AND config_name OPERATOR(pg_catalog.=) $3"

/* The row values of a StickyValues $4: group_name, rule_id and sticky. */
#define EA_STICKY_COLUMNS \
	"$4::pg_catalog.jsonb OPERATOR(pg_catalog.->>) 'group_name', " \
	"$4::pg_catalog.jsonb OPERATOR(pg_catalog.->>) 'rule_id', " \
	"$4::pg_catalog.jsonb"

/*
 * The SQL text of a plan on the assignment table a and the archive b
 * (qualified names: the tables, or on Citus the placements of one shard).
 */
static char *
ea_pg_aplan_sql(EaAssignPlanId id, const char *a, const char *b)
{
	switch (id)
	{
		case EA_APLAN_VALUES:
			return psprintf("SELECT pg_catalog.jsonb_object_agg(config_name, sticky) "
							"FROM %s WHERE " EA_UNIT_KEY, a);
		case EA_APLAN_READ_ONE:
			return psprintf("SELECT sticky::pg_catalog.text FROM %s "
							"WHERE " EA_ROW_KEY, a);
		case EA_APLAN_INSERT:
			return psprintf("INSERT INTO %s "
							"(unit_id, id_type, config_name, group_name, rule_id, sticky) "
							"VALUES ($1, $2, $3, " EA_STICKY_COLUMNS ") "
							"ON CONFLICT (unit_id, id_type, config_name) DO NOTHING "
							"RETURNING true", a);
		case EA_APLAN_DELETE_ONE:
			return psprintf("DELETE FROM %s WHERE " EA_ROW_KEY, a);
		case EA_APLAN_DELETE_UNIT:
			return psprintf("WITH a AS (DELETE FROM %s "
							"WHERE unit_id OPERATOR(pg_catalog.=) $1 AND "
							"($2 IS NULL OR id_type OPERATOR(pg_catalog.=) $2) RETURNING true), "
							"b AS (DELETE FROM %s "
							"WHERE unit_id OPERATOR(pg_catalog.=) $1 AND "
							"($2 IS NULL OR id_type OPERATOR(pg_catalog.=) $2) RETURNING true) "
							"SELECT (SELECT pg_catalog.count(*) FROM a) OPERATOR(pg_catalog.+) "
							"(SELECT pg_catalog.count(*) FROM b)", a, b);
		case EA_APLAN_DELETE_CONFIG:
			return psprintf("DELETE FROM %s "
							"WHERE config_name OPERATOR(pg_catalog.=) $1", a);
		case EA_APLAN_ARCHIVE_CONFIG:
			return psprintf("WITH moved AS (DELETE FROM %s "
							"WHERE config_name OPERATOR(pg_catalog.=) $1 RETURNING *) "
							"INSERT INTO %s "
							"(unit_id, id_type, config_name, group_name, rule_id, assigned_at, "
							"sticky, archived_at) "
							"SELECT unit_id, id_type, config_name, group_name, rule_id, "
							"assigned_at, sticky, pg_catalog.now() FROM moved", a, b);
		case EA_APLAN_UPSERT:
			/* legacy "configVersion" is stored as "config_version" */
			return psprintf("INSERT INTO %s "
							"(unit_id, id_type, config_name, group_name, rule_id, sticky) "
							"SELECT $1, $2, $3, j OPERATOR(pg_catalog.->>) 'group_name', "
							"j OPERATOR(pg_catalog.->>) 'rule_id', "
							"CASE WHEN j OPERATOR(pg_catalog.?) 'configVersion' "
							"AND NOT j OPERATOR(pg_catalog.?) 'config_version' "
							"THEN (j OPERATOR(pg_catalog.-) 'configVersion'::pg_catalog.text) "
							"OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('config_version', "
							"j OPERATOR(pg_catalog.->) 'configVersion') ELSE j END "
							"FROM (SELECT $4::pg_catalog.jsonb AS j) AS v "
							"ON CONFLICT (unit_id, id_type, config_name) DO UPDATE SET "
							"group_name = EXCLUDED.group_name, rule_id = EXCLUDED.rule_id, "
							"sticky = EXCLUDED.sticky, assigned_at = EXCLUDED.assigned_at", a);
		case EA_APLAN_EXPORT:
			return psprintf("SELECT unit_id OPERATOR(pg_catalog.||) ':' "
							"OPERATOR(pg_catalog.||) id_type, "
							"pg_catalog.jsonb_object_agg(config_name, sticky) "
							"FROM %s GROUP BY unit_id, id_type "
							"ORDER BY unit_id, id_type", a);
		case EA_APLAN_COUNT:
			break;
	}
	elog(ERROR, "unknown assignment plan %d", (int) id);
	return NULL;
}

/* Number of parameters of a plan (all text). */
static int
ea_pg_aplan_nargs(EaAssignPlanId id)
{
	switch (id)
	{
		case EA_APLAN_VALUES:
		case EA_APLAN_DELETE_UNIT:
			return 2;
		case EA_APLAN_READ_ONE:
		case EA_APLAN_DELETE_ONE:
			return 3;
		case EA_APLAN_INSERT:
		case EA_APLAN_UPSERT:
			return 4;
		case EA_APLAN_DELETE_CONFIG:
		case EA_APLAN_ARCHIVE_CONFIG:
			return 1;
		default:
			return 0;
	}
}

/*
 * Assignment statement id on the tables (or shard placements) named by the
 * qualified names assignments and archive; all parameters are text.  Also
 * used by ea_pg_citus.c for the placements of one shard.
 */
char *
ea_pg_assignments_sql(int id, const char *assignments, const char *archive,
					  Oid *types, int *nargs)
{
	int			i;

	*nargs = ea_pg_aplan_nargs((EaAssignPlanId) id);
	for (i = 0; i < *nargs; i++)
		types[i] = TEXTOID;
	return ea_pg_aplan_sql((EaAssignPlanId) id, assignments, archive);
}

/* The assignment statements, for the plan set below. */
static char *
ea_pg_aplan_set_sql(int id, const char *schema, Oid *types, int *nargs)
{
	return ea_pg_assignments_sql(id, psprintf("%s.ea_assignments", schema),
								 psprintf("%s.ea_assignments_archive", schema),
								 types, nargs);
}

static EaPlanSet ea_assign_plans = {EA_APLAN_COUNT, ea_aplans, InvalidOid, ea_pg_aplan_set_sql};

/* The kept plan for id (inside SPI). */
static SPIPlanPtr
ea_pg_aplan(Oid schema, EaAssignPlanId id)
{
	return ea_pg_kept_plan(&ea_assign_plans, schema, id);
}

/*
 * The plan to run: on Citus, inside a shard task, a statement about one
 * unit ($1) runs on the local placement of the unit's shard (ea_pg_citus.c
 * finds it, or raises an error); everywhere else on the table itself.
 */
static SPIPlanPtr
ea_pg_aplan_for(Oid schema, EaAssignPlanId id, Datum *values)
{
	SPIPlanPtr	plan = NULL;

	switch (id)
	{
		case EA_APLAN_VALUES:
		case EA_APLAN_READ_ONE:
		case EA_APLAN_INSERT:
		case EA_APLAN_DELETE_ONE:
		case EA_APLAN_DELETE_UNIT:
		case EA_APLAN_UPSERT:
			plan = ea_pg_citus_unit_plan((int) id, values[0]);
			break;
		case EA_APLAN_DELETE_CONFIG:
		case EA_APLAN_ARCHIVE_CONFIG:
		case EA_APLAN_EXPORT:
			ea_pg_citus_check_multi_shard("change or export the assignments of every unit");
			break;
		case EA_APLAN_COUNT:
			break;
	}
	return plan != NULL ? plan : ea_pg_aplan(schema, id);
}

/*
 * Run one assignment statement as the table owner; "nulls" follows SPI's
 * convention (' ' not null, 'n' null) and may be NULL.  The SPI result is
 * left for the caller, who must then call ea_pg_storage_leave().
 */
static void
ea_pg_aexec(Oid schema, EaAssignPlanId id, Datum *values, const char *nulls,
			int expected)
{
	SPIPlanPtr	plan = ea_pg_aplan_for(schema, id, values);

	ea_pg_run_plan(plan, values, nulls, false, expected);
}

/*
 * Parameters unit id, id type and (optionally) config name and sticky.
 *
 * The key must fit a btree entry of ea_assignments' indexes (at most 2704
 * bytes with headers): unit id, id type and experiment name together are
 * limited to EA_MAX_ASSIGNMENT_KEY bytes, checked before any read or write
 * so a longer unit id is a designed error (22023), the same for every
 * call, never the index's internal one.
 */
static void
ea_pg_akey(Datum *values, const char *unit_id, const char *id_type,
		   const char *config_name, const char *sticky)
{
	size_t		unit_len = strlen(unit_id);
	size_t		key_len = unit_len + strlen(id_type) +
		(config_name ? strlen(config_name) : 0);

	if (key_len > EA_MAX_ASSIGNMENT_KEY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unit id is too long to store an assignment"),
				 errdetail("The %s unit id is %zu bytes; with its id type%s the storage key is %zu bytes, "
						   "and at most %d bytes (unit id, id type and experiment name together) are stored.",
						   id_type, unit_len, config_name ? " and experiment name" : "",
						   key_len, EA_MAX_ASSIGNMENT_KEY),
				 errhint("Use a shorter unit id (a hash of a long one, for example); "
						 "the pure evaluators take unit ids of any length.")));
	values[0] = CStringGetTextDatum(unit_id);
	values[1] = CStringGetTextDatum(id_type);
	values[2] = config_name ? CStringGetTextDatum(config_name) : (Datum) 0;
	values[3] = sticky ? CStringGetTextDatum(sticky) : (Datum) 0;
}

/*
 * A unit's stored values as a UserPersistedValues object ({config:
 * StickyValues}), palloc'd in the caller's context; NULL when none.
 */
Jsonb *
ea_pg_assignments_values(const char *unit_id, const char *id_type)
{
	MemoryContext caller = CurrentMemoryContext;
	EaOwnerSwitch save;
	Datum		values[4];
	Jsonb	   *result = NULL;
	bool		isnull;
	Datum		d;
	Oid			schema;

	ea_pg_akey(values, unit_id, id_type, NULL, NULL);
	schema = ea_pg_storage_enter(&save);
	ea_pg_aexec(schema, EA_APLAN_VALUES, values, NULL, SPI_OK_SELECT);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
	{
		MemoryContext spi = MemoryContextSwitchTo(caller);

		result = DatumGetJsonbPCopy(d);
		MemoryContextSwitchTo(spi);
	}
	ea_pg_storage_leave(&save);
	return result;
}

/* One stored StickyValues as text (caller's context), or NULL. */
char *
ea_pg_assignments_read_one(const char *unit_id, const char *id_type,
						   const char *config_name)
{
	MemoryContext caller = CurrentMemoryContext;
	EaOwnerSwitch save;
	Datum		values[4];
	char	   *result = NULL;
	Oid			schema;

	ea_pg_akey(values, unit_id, id_type, config_name, NULL);
	schema = ea_pg_storage_enter(&save);
	ea_pg_aexec(schema, EA_APLAN_READ_ONE, values, NULL, SPI_OK_SELECT);
	result = ea_pg_spi_first_text(caller);
	ea_pg_storage_leave(&save);
	return result;
}

/* Is a value stored for (unit, id type, config)? */
bool
ea_pg_assignments_exists(const char *unit_id, const char *id_type,
						 const char *config_name)
{
	char	   *sticky = ea_pg_assignments_read_one(unit_id, id_type, config_name);

	if (sticky == NULL)
		return false;
	pfree(sticky);
	return true;
}

/*
 * Store a first assignment.  Returns false when a row was there already
 * (another call or session won; ON CONFLICT DO NOTHING waits for an
 * uncommitted competitor to finish first).
 */
bool
ea_pg_assignments_insert(const char *unit_id, const char *id_type,
						 const char *config_name, const char *sticky)
{
	EaOwnerSwitch save;
	Datum		values[4];
	bool		inserted;
	Oid			schema;

	ea_pg_akey(values, unit_id, id_type, config_name, sticky);
	schema = ea_pg_storage_enter(&save);
	ea_pg_aexec(schema, EA_APLAN_INSERT, values, NULL, SPI_OK_INSERT_RETURNING);
	inserted = (SPI_processed > 0);
	ea_pg_storage_leave(&save);
	return inserted;
}

/*
 * Delete the stored value of (unit, id type, config), if any; returns
 * whether there was one.
 */
bool
ea_pg_assignments_delete(const char *unit_id, const char *id_type,
						 const char *config_name)
{
	EaOwnerSwitch save;
	Datum		values[4];
	bool		deleted;
	Oid			schema;

	ea_pg_akey(values, unit_id, id_type, config_name, NULL);
	schema = ea_pg_storage_enter(&save);
	ea_pg_aexec(schema, EA_APLAN_DELETE_ONE, values, NULL, SPI_OK_DELETE);
	deleted = (SPI_processed > 0);
	ea_pg_storage_leave(&save);
	return deleted;
}

/* Insert or replace one stored value (import). */
void
ea_pg_assignments_upsert(const char *unit_id, const char *id_type,
						 const char *config_name, const char *sticky)
{
	EaOwnerSwitch save;
	Datum		values[4];
	Oid			schema;

	ea_pg_akey(values, unit_id, id_type, config_name, sticky);
	schema = ea_pg_storage_enter(&save);
	ea_pg_aexec(schema, EA_APLAN_UPSERT, values, NULL, SPI_OK_INSERT);
	ea_pg_storage_leave(&save);
}

/*
 * Delete a unit's rows, current and archived; id_type NULL means every id
 * type.  Returns the number of rows deleted.
 */
int64
ea_pg_assignments_delete_unit(text *unit_id, text *id_type)
{
	EaOwnerSwitch save;
	Datum		values[2];
	char		nulls[3] = {' ', ' ', '\0'};
	bool		isnull;
	int64		count;
	Oid			schema;

	values[0] = PointerGetDatum(unit_id);
	values[1] = PointerGetDatum(id_type);
	if (id_type == NULL)
		nulls[1] = 'n';
	schema = ea_pg_storage_enter(&save);
	ea_pg_aexec(schema, EA_APLAN_DELETE_UNIT, values, nulls, SPI_OK_SELECT);
	count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										SPI_tuptable->tupdesc, 1, &isnull));
	ea_pg_storage_leave(&save);
	return count;
}

/* Run a one-parameter statement on a config's rows; returns the row count. */
static int64
ea_pg_assignments_config_op(EaAssignPlanId id, text *config_name, int expected)
{
	EaOwnerSwitch save;
	Datum		values[1];
	int64		count;
	Oid			schema;

	values[0] = PointerGetDatum(config_name);
	schema = ea_pg_storage_enter(&save);
	ea_pg_aexec(schema, id, values, NULL, expected);
	count = (int64) SPI_processed;
	ea_pg_storage_leave(&save);
	return count;
}

/* Delete every stored value of an experiment or layer. */
int64
ea_pg_assignments_delete_config(text *config_name)
{
	return ea_pg_assignments_config_op(EA_APLAN_DELETE_CONFIG, config_name,
									   SPI_OK_DELETE);
}

/* Move every stored value of an experiment or layer to the archive. */
int64
ea_pg_assignments_archive_config(text *config_name)
{
	return ea_pg_assignments_config_op(EA_APLAN_ARCHIVE_CONFIG, config_name,
									   SPI_OK_INSERT);
}

/*
 * Call fn(storage key, UserPersistedValues) for every stored unit, read
 * through a cursor.  fn runs inside SPI, as the table owner; it must copy
 * what it keeps.
 */
void
ea_pg_assignments_export(EaExportRowFn fn, void *arg)
{
	EaOwnerSwitch save;
	Portal		portal;
	Oid			schema;

	schema = ea_pg_storage_enter(&save);
	portal = SPI_cursor_open(NULL, ea_pg_aplan_for(schema, EA_APLAN_EXPORT, NULL),
							 NULL, NULL, false);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 1000);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			HeapTuple	row = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;

			fn(arg, SPI_getbinval(row, desc, 1, &isnull),
			   SPI_getbinval(row, desc, 2, &isnull));
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	ea_pg_storage_leave(&save);
}
