/*-------------------------------------------------------------------------
 *
 * ea_pg_storage.c
 *	  Reading and writing the extension-owned tables through SPI.
 *
 * The tables live in the extension's schema, found through pg_extension.
 * Every statement is prepared once, kept, schema-qualified, and run with
 * its values as parameters.  The tables are private: table access runs as
 * their owner (the extension owner), as pg_cron does, so callers need
 * EXECUTE on the SQL functions only.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#define EA_PG_EXTENSION_NAME	"experiment_assign"
#define EA_PG_SPECS_TABLE		"ea_config_specs"
#define EA_PG_IDLISTS_TABLE		"ea_id_lists"

/* Where the tables are; InvalidOid until looked up. */
typedef struct EaStorage
{
	Oid			schema;
	Oid			specs_relid;
	Oid			idlists_relid;
	Oid			owner;
} EaStorage;

static EaStorage ea_storage = {InvalidOid, InvalidOid, InvalidOid, InvalidOid};

/* The kept plans, and the schema their text names. */
typedef enum EaPlanId
{
	EA_PLAN_READ_SPECS = 0,
	EA_PLAN_READ_IDLISTS,
	EA_PLAN_WRITE_SPECS,
	EA_PLAN_IDLIST_DELETE,
	EA_PLAN_IDLIST_ADD,
	EA_PLAN_IDLIST_REMOVE,
	EA_PLAN_IDLIST_SIZE,
	EA_PLAN_TOUCH_SPECS,
	EA_PLAN_COUNT
} EaPlanId;

static SPIPlanPtr ea_plans[EA_PLAN_COUNT];	/* in ea_spec_plans */
static void ea_pg_connect(void);
static void ea_pg_finish(void);

/*
 * The OIDs of the last lookup, kept while a new lookup runs (when
 * ea_storage is forgotten), so that the relcache callback still recognises
 * our tables then.
 */
static Oid	ea_known_specs_relid = InvalidOid;
static Oid	ea_known_idlists_relid = InvalidOid;

/* Bumped by every ea_pg_storage_forget(). */
static uint64 ea_storage_forgets = 0;

/* Is relid one of our tables?  Called from the relcache callback. */
bool
ea_pg_storage_owns(Oid relid)
{
	return relid == ea_known_specs_relid || relid == ea_known_idlists_relid;
}

/* Forget the looked-up OIDs (the tables may have been dropped). */
void
ea_pg_storage_forget(void)
{
	ea_storage_forgets++;
	ea_storage.schema = InvalidOid;
	ea_storage.specs_relid = InvalidOid;
	ea_storage.idlists_relid = InvalidOid;
	ea_storage.owner = InvalidOid;
}

/*
 * Read experiment_assign's row of pg_extension: its schema and (palloc'd)
 * version, where asked.  False when the extension is not installed.
 */
bool
ea_pg_extension_row(Oid *schema, char **version)
{
	Oid			extoid = get_extension_oid(EA_PG_EXTENSION_NAME, true);
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found;

	if (!OidIsValid(extoid))
		return false;
	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(extoid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	found = HeapTupleIsValid(tuple);
	if (found && schema != NULL)
		*schema = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	if (found && version != NULL)
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, Anum_pg_extension_extversion,
									 RelationGetDescr(rel), &isnull);

		*version = isnull ? NULL : text_to_cstring(DatumGetTextPP(d));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* The schema experiment_assign is installed in (pg_extension.extnamespace). */
Oid
ea_pg_extension_schema(void)
{
	Oid			schema = InvalidOid;

	if (!ea_pg_extension_row(&schema, NULL) || !OidIsValid(schema))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"%s\" is not installed in this database",
						EA_PG_EXTENSION_NAME),
				 errhint("Run CREATE EXTENSION %s.", EA_PG_EXTENSION_NAME)));
	return schema;
}

/* The OID of one of our tables, or an error naming it. */
static Oid
ea_pg_table_relid(const char *relname, Oid schema)
{
	Oid			relid = get_relname_relid(relname, schema);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s.%s\" of extension experiment_assign does not exist",
						get_namespace_name(schema), relname),
				 errhint("Reinstall the extension with DROP EXTENSION and CREATE EXTENSION.")));
	return relid;
}

/*
 * Copy out where the tables are, looking them up when a relcache
 * invalidation has made us forget (a copy, because the callback may
 * forget again while the caller is using it).
 */
static void
ea_pg_storage(EaStorage *out)
{
	EaStorage	found;
	uint64		forgets;
	HeapTuple	tuple;

	if (OidIsValid(ea_storage.owner))
	{
		/*
		 * Citus: at once when already looked up (or not Citus).  A copy:
		 * the look-up may take in an invalidation that forgets ea_storage.
		 */
		found = ea_storage;
		ea_pg_citus_lookup(found.schema, found.specs_relid, found.idlists_relid);
		*out = found;
		return;
	}

	/*
	 * Look up into a local copy: each catalogue lookup may take in
	 * invalidations, whose callback forgets ea_storage part-way.  The copy
	 * serves this caller either way; it is kept only when nothing was
	 * forgotten meanwhile (else the next call looks up again).
	 */
	forgets = ea_storage_forgets;
	found.schema = ea_pg_extension_schema();
	found.specs_relid = ea_pg_table_relid(EA_PG_SPECS_TABLE, found.schema);
	found.idlists_relid = ea_pg_table_relid(EA_PG_IDLISTS_TABLE, found.schema);
	ea_known_specs_relid = found.specs_relid;
	ea_known_idlists_relid = found.idlists_relid;
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(found.specs_relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", found.specs_relid);
	found.owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	ea_pg_citus_forget();
	ea_pg_citus_lookup(found.schema, found.specs_relid, found.idlists_relid);
	if (forgets == ea_storage_forgets)
		ea_storage = found;
	*out = found;
}

/* The extension's schema (cached; looked up again after invalidations). */
Oid
ea_pg_storage_schema(void)
{
	EaStorage	storage;

	ea_pg_storage(&storage);
	return storage.schema;
}

/* Run as the owner of the tables, in a security-restricted operation. */
static void
ea_pg_become_owner(const EaStorage *storage, EaOwnerSwitch *save)
{
	GetUserIdAndSecContext(&save->saved_userid, &save->saved_sec_context);
	SetUserIdAndSecContext(storage->owner,
						   save->saved_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
}

/* Back to the caller's identity (an error restores it by itself). */
void
ea_pg_storage_restore_user(const EaOwnerSwitch *save)
{
	SetUserIdAndSecContext(save->saved_userid, save->saved_sec_context);
}

/* The SQL text of a plan, with the schema name filled in. */
static char *
ea_pg_plan_sql(EaPlanId id, const char *s)
{
	switch (id)
	{
		case EA_PLAN_READ_SPECS:
			return psprintf("SELECT document::pg_catalog.text FROM %s.ea_config_specs", s);
		case EA_PLAN_READ_IDLISTS:
			return psprintf("SELECT list_name, id_hash FROM %s.ea_id_lists", s);
		case EA_PLAN_WRITE_SPECS:
			return psprintf("INSERT INTO %s.ea_config_specs AS c "
							"(singleton, document, document_time, format, loaded_at) "
							"VALUES (true, $1, $2, $3, pg_catalog.now()) "
							"ON CONFLICT (singleton) DO UPDATE SET "
							"document = EXCLUDED.document, "
							"document_time = EXCLUDED.document_time, "
							"format = EXCLUDED.format, "
							"loaded_at = EXCLUDED.loaded_at", s);
		case EA_PLAN_IDLIST_DELETE:
			return psprintf("DELETE FROM %s.ea_id_lists "
							"WHERE list_name OPERATOR(pg_catalog.=) $1", s);
		case EA_PLAN_IDLIST_ADD:
			return psprintf("INSERT INTO %s.ea_id_lists (list_name, id_hash) "
							"SELECT DISTINCT $1, h FROM pg_catalog.unnest($2) AS h "
							"ON CONFLICT DO NOTHING", s);
		case EA_PLAN_IDLIST_REMOVE:
			return psprintf("DELETE FROM %s.ea_id_lists "
							"WHERE list_name OPERATOR(pg_catalog.=) $1 "
							"AND id_hash OPERATOR(pg_catalog.=) ANY ($2)", s);
		case EA_PLAN_IDLIST_SIZE:
			return psprintf("SELECT pg_catalog.count(*) FROM %s.ea_id_lists "
							"WHERE list_name OPERATOR(pg_catalog.=) $1", s);
		case EA_PLAN_TOUCH_SPECS:
			return psprintf("UPDATE %s.ea_config_specs SET loaded_at = loaded_at", s);
		case EA_PLAN_COUNT:
			break;
	}
	elog(ERROR, "unknown plan %d", (int) id);
	return NULL;
}

/* Argument types of each plan. */
static int
ea_pg_plan_args(EaPlanId id, Oid *types)
{
	switch (id)
	{
		case EA_PLAN_WRITE_SPECS:
			types[0] = JSONBOID;
			types[1] = INT8OID;
			types[2] = INT4OID;
			return 3;
		case EA_PLAN_IDLIST_DELETE:
		case EA_PLAN_IDLIST_SIZE:
			types[0] = TEXTOID;
			return 1;
		case EA_PLAN_IDLIST_ADD:
		case EA_PLAN_IDLIST_REMOVE:
			types[0] = TEXTOID;
			types[1] = TEXTARRAYOID;
			return 2;
		default:
			return 0;
	}
}

SPIPlanPtr
ea_pg_kept_plan(EaPlanSet *set, Oid schema, int id)
{
	Oid			types[8];
	int			nargs = 0;
	SPIPlanPtr	plan;
	char	   *sql;
	int			i;

	if (set->schema != schema)
	{
		for (i = 0; i < set->count; i++)
		{
			if (set->plans[i] != NULL)
				SPI_freeplan(set->plans[i]);
			set->plans[i] = NULL;
		}
		set->schema = schema;
	}
	if (set->plans[id] != NULL)
		return set->plans[id];
	sql = set->sql(id, quote_identifier(get_namespace_name(schema)), types, &nargs);
	plan = SPI_prepare(sql, nargs, types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	set->plans[id] = plan;
	return plan;
}

/* Execute a kept plan; check the result code. */
void
ea_pg_run_plan(SPIPlanPtr plan, Datum *values, const char *nulls,
			   bool read_only, int expected)
{
	int			rc;

	rc = SPI_execute_plan(plan, values, nulls, read_only, 0);
	if (rc != expected)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

/* The spec and ID-list statements, for the plan set below. */
static char *
ea_pg_spec_plan_sql(int id, const char *schema, Oid *types, int *nargs)
{
	*nargs = ea_pg_plan_args((EaPlanId) id, types);
	return ea_pg_plan_sql((EaPlanId) id, schema);
}

static EaPlanSet ea_spec_plans = {EA_PLAN_COUNT, ea_plans, InvalidOid, ea_pg_spec_plan_sql};

static SPIPlanPtr
ea_pg_plan(const EaStorage *storage, EaPlanId id)
{
	/* Citus: read this node's placement of the reference table */
	if (id == EA_PLAN_READ_SPECS || id == EA_PLAN_READ_IDLISTS)
	{
		const char *placement = ea_pg_citus_read_relation(id == EA_PLAN_READ_IDLISTS);

		if (placement != NULL)
			return ea_pg_citus_plan(id == EA_PLAN_READ_SPECS ?
									psprintf("SELECT document::pg_catalog.text FROM %s", placement) :
									psprintf("SELECT list_name, id_hash FROM %s", placement),
									0, NULL);
	}
	return ea_pg_kept_plan(&ea_spec_plans, storage->schema, id);
}

static void
ea_pg_execute(const EaStorage *storage, EaPlanId id, Datum *values,
			  bool read_only, int expected)
{
	ea_pg_run_plan(ea_pg_plan(storage, id), values, NULL, read_only, expected);
}

/*
 * For the other storage files (assignments): look the tables up, switch to
 * their owner and connect to SPI.  Returns the extension's schema.  Pair
 * with ea_pg_storage_leave().
 */
Oid
ea_pg_storage_enter(EaOwnerSwitch *save)
{
	Oid			schema = ea_pg_storage_become_owner(save);

	ea_pg_connect();
	return schema;
}

/*
 * The identity switch of ea_pg_storage_enter without SPI (also for the
 * direct access paths of ea_pg_assignments.c); returns the extension's
 * schema.  ea_pg_storage_restore_user switches back.
 */
Oid
ea_pg_storage_become_owner(EaOwnerSwitch *save)
{
	EaStorage	storage;

	ea_pg_storage(&storage);
	ea_pg_become_owner(&storage, save);
	return storage.schema;
}

/* Disconnect from SPI and switch back to the caller's identity. */
void
ea_pg_storage_leave(const EaOwnerSwitch *save)
{
	ea_pg_finish();
	ea_pg_storage_restore_user(save);
}

static void
ea_pg_connect(void)
{
	int			rc = SPI_connect();

	if (rc != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
}

static void
ea_pg_finish(void)
{
	int			rc = SPI_finish();

	if (rc != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));
}

/*
 * The first column of the last SPI query's first row as text, copied into
 * context "into"; NULL when there is no row or the value is NULL.
 */
char *
ea_pg_spi_first_text(MemoryContext into)
{
	MemoryContext spi;
	bool		isnull;
	Datum		d;
	char	   *result;

	if (SPI_processed == 0)
		return NULL;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		return NULL;
	spi = MemoryContextSwitchTo(into);
	result = TextDatumGetCString(d);
	MemoryContextSwitchTo(spi);
	return result;
}

/*
 * The stored document as text (palloc'd in the caller's context), or NULL
 * when none is stored.  Reads with the given snapshot.
 */
char *
ea_pg_storage_read_specs(Snapshot snapshot)
{
	MemoryContext caller = CurrentMemoryContext;
	EaStorage	storage;
	EaOwnerSwitch save;
	char	   *result = NULL;

	ea_pg_storage(&storage);
	ea_pg_become_owner(&storage, &save);
	ea_pg_connect();
	PushActiveSnapshot(snapshot);
	ea_pg_execute(&storage, EA_PLAN_READ_SPECS, NULL, true, SPI_OK_SELECT);
	PopActiveSnapshot();
	result = ea_pg_spi_first_text(caller);
	ea_pg_finish();
	ea_pg_storage_restore_user(&save);
	return result;
}

/*
 * Call fn for every row of the ID-list table, read with the given
 * snapshot through a cursor (lists may be large).
 */
void
ea_pg_storage_read_id_lists(Snapshot snapshot, EaIdListRowFn fn, void *arg)
{
	EaStorage	storage;
	EaOwnerSwitch save;
	Portal		portal;

	ea_pg_storage(&storage);
	ea_pg_become_owner(&storage, &save);
	ea_pg_connect();
	PushActiveSnapshot(snapshot);
	portal = SPI_cursor_open(NULL, ea_pg_plan(&storage, EA_PLAN_READ_IDLISTS),
							 NULL, NULL, true);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, 10000);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	row = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			char	   *list_name = SPI_getvalue(row, desc, 1);
			char	   *id_hash = SPI_getvalue(row, desc, 2);

			fn(arg, list_name, id_hash);
			pfree(list_name);
			pfree(id_hash);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	PopActiveSnapshot();
	ea_pg_finish();
	ea_pg_storage_restore_user(&save);
}

/* Insert or replace the stored document. */
void
ea_pg_storage_write_specs(Datum document, int64 time_ms, int format)
{
	EaStorage	storage;
	EaOwnerSwitch save;
	Datum		values[3];

	values[0] = document;
	values[1] = Int64GetDatum(time_ms);
	values[2] = Int32GetDatum(format);
	ea_pg_storage(&storage);
	ea_pg_become_owner(&storage, &save);
	ea_pg_connect();
	ea_pg_execute(&storage, EA_PLAN_WRITE_SPECS, values, false, SPI_OK_INSERT);
	ea_pg_finish();
	ea_pg_storage_restore_user(&save);
}

/* Run one ID-list write statement as the owner. */
static void
ea_pg_id_list_write(EaPlanId id, text *list_name, ArrayType *hashes,
					int expected)
{
	EaStorage	storage;
	EaOwnerSwitch save;
	Datum		values[2];

	values[0] = PointerGetDatum(list_name);
	values[1] = PointerGetDatum(hashes);
	ea_pg_storage(&storage);
	ea_pg_become_owner(&storage, &save);
	ea_pg_connect();
	ea_pg_execute(&storage, id, values, false, expected);
	/* Citus: a new version of the document row tells every node */
	if (ea_pg_citus_reference())
		ea_pg_execute(&storage, EA_PLAN_TOUCH_SPECS, NULL, false, SPI_OK_UPDATE);
	ea_pg_finish();
	ea_pg_storage_restore_user(&save);
}

/* Delete every id of a list. */
void
ea_pg_storage_id_list_delete(text *list_name)
{
	ea_pg_id_list_write(EA_PLAN_IDLIST_DELETE, list_name, NULL, SPI_OK_DELETE);
}

/* Add id hashes to a list (duplicates are ignored). */
void
ea_pg_storage_id_list_add(text *list_name, ArrayType *hashes)
{
	ea_pg_id_list_write(EA_PLAN_IDLIST_ADD, list_name, hashes, SPI_OK_INSERT);
}

/* Remove id hashes from a list. */
void
ea_pg_storage_id_list_remove(text *list_name, ArrayType *hashes)
{
	ea_pg_id_list_write(EA_PLAN_IDLIST_REMOVE, list_name, hashes, SPI_OK_DELETE);
}

/* Number of ids in a list, as the current command sees it. */
int64
ea_pg_storage_id_list_size(text *list_name)
{
	EaStorage	storage;
	EaOwnerSwitch save;
	Datum		values[1];
	bool		isnull;
	int64		size;

	values[0] = PointerGetDatum(list_name);
	ea_pg_storage(&storage);
	ea_pg_become_owner(&storage, &save);
	ea_pg_connect();
	ea_pg_execute(&storage, EA_PLAN_IDLIST_SIZE, values, false, SPI_OK_SELECT);
	size = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
									   SPI_tuptable->tupdesc, 1, &isnull));
	ea_pg_finish();
	ea_pg_storage_restore_user(&save);
	return size;
}
