/*-------------------------------------------------------------------------
 *
 * ea_pg_assignments.c
 *	  The assignment table of persistent assignment: SPI statements, one
 *	  direct index scan for the per-call read of a unit's values, and a
 *	  direct insert for the store of a first assignment.
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
 * other sessions committed since the statement began).  The direct read
 * of a unit's values (ea_pg_assignments_values) takes the same snapshot,
 * and the direct store (ea_pg_assignments_insert) increments the command
 * counter after its insert as SPI would.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"

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
			/* no aggregate: the object is built in C (executor start-up) */
			return psprintf("SELECT config_name, sticky "
							"FROM %s WHERE " EA_UNIT_KEY, a);
		case EA_APLAN_READ_ONE:
			return psprintf("SELECT sticky::pg_catalog.text FROM %s "
							"WHERE " EA_ROW_KEY, a);
		case EA_APLAN_INSERT:
			/* $4 group_name, $5 rule_id, $6 the sticky value as jsonb */
			return psprintf("INSERT INTO %s "
							"(unit_id, id_type, config_name, group_name, rule_id, sticky) "
							"VALUES ($1, $2, $3, $4, $5, $6) "
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
		case EA_APLAN_UPSERT:
			return 4;
		case EA_APLAN_INSERT:
			return 6;
		case EA_APLAN_DELETE_CONFIG:
		case EA_APLAN_ARCHIVE_CONFIG:
			return 1;
		default:
			return 0;
	}
}

/*
 * Assignment statement id on the tables (or shard placements) named by the
 * qualified names assignments and archive; parameters are text, but for
 * the sticky value of an insert (jsonb, made once by the caller).  Also
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
	if (id == EA_APLAN_INSERT)
		types[5] = JSONBOID;
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
 * The key must fit a btree entry of ea_assignments' indexes (at most 2704
 * bytes with headers): unit id, id type and experiment name together are
 * limited to EA_MAX_ASSIGNMENT_KEY bytes, checked before any read or write
 * (whichever path reads) so a longer unit id is a designed error (22023),
 * the same for every call, never the index's internal one.
 */
static void
ea_pg_assignment_key_check(const char *unit_id, const char *id_type,
						   const char *config_name)
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
}

/* Parameters unit id, id type and (optionally) config name and sticky. */
static void
ea_pg_akey(Datum *values, const char *unit_id, const char *id_type,
		   const char *config_name, const char *sticky)
{
	ea_pg_assignment_key_check(unit_id, id_type, config_name);
	values[0] = CStringGetTextDatum(unit_id);
	values[1] = CStringGetTextDatum(id_type);
	values[2] = config_name ? CStringGetTextDatum(config_name) : (Datum) 0;
	values[3] = sticky ? CStringGetTextDatum(sticky) : (Datum) 0;
}

/*
 * What the direct lookup needs to know about ea_assignments, looked up once
 * and kept until a relcache invalidation of the table (or of every
 * relation) says it may have changed: DROP/CREATE EXTENSION, a new primary
 * key, ALTER TABLE.  relid InvalidOid: not looked up.
 */
typedef struct EaValuesRel
{
	Oid			relid;
	Oid			pkey;			/* its primary key index */
	AttrNumber	name_att;		/* config_name */
	AttrNumber	sticky_att;		/* sticky */
} EaValuesRel;

static EaValuesRel ea_values_rel = {InvalidOid, InvalidOid, 0, 0};
static bool ea_values_callback = false;

/*
 * What the direct store needs to know about ea_assignments (see
 * ea_pg_assignments_insert_direct), kept like ea_values_rel.  relid
 * InvalidOid: not looked up.
 */
#define EA_STORE_NCOLS 6
typedef struct EaStoreRel
{
	Oid			relid;
	bool		direct;			/* false: the table needs the SPI statement */
	int			natts;
	int		   *source;			/* per column: 0..5 a stored value, -1 its
								 * default, -2 dropped */
	Expr	  **defaults;		/* per column: its default, planned; NULL is null */
	MemoryContext mcxt;			/* of source and defaults */
} EaStoreRel;

static EaStoreRel ea_store_rel = {InvalidOid, false, 0, NULL, NULL, NULL};

/* The columns a store writes, in the order of its values. */
static const char *const ea_store_columns[EA_STORE_NCOLS] = {
	"unit_id", "id_type", "config_name", "group_name", "rule_id", "sticky"
};

/* Forget what is kept when ea_assignments (or every relation) changes. */
static void
ea_pg_values_relcache_callback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == ea_values_rel.relid)
		ea_values_rel.relid = InvalidOid;
	if (!OidIsValid(relid) || relid == ea_store_rel.relid)
		ea_store_rel.relid = InvalidOid;
}

/*
 * The stored values of a unit are read on every persistence-aware call
 * (get_user_persisted_values, the trigger), nearly always to find nothing
 * or one row.  Through SPI, planning is cached but every call still pays
 * for an executor: start-up of an index scan (scan keys, quals, slots),
 * the scan, shut-down -- about twice the index lookup itself.  So the
 * lookup is done directly: one primary-key index scan of ea_assignments,
 * with the snapshot SPI would take for a statement that is not read-only
 * (a fresh one in READ COMMITTED, so writes of earlier calls of the same
 * statement and of other committed sessions are seen; the transaction's in
 * REPEATABLE READ and SERIALIZABLE).  The rows are returned as they are.
 *
 * When Citus is loaded, ea_assignments may be a distributed table whose
 * rows live in shards elsewhere: the lookup then stays a SPI statement,
 * which Citus plans and routes.
 */
static bool
ea_pg_assignments_direct(void)
{
	/*
	 * Citus can only be loaded at server start (shared_preload_libraries),
	 * so the answer is the same for the whole life of the backend.  (A
	 * placeholder "citus.version" set later without Citus would only have
	 * sent the lookup through SPI, which reads a plain table just as well.)
	 */
	static int	direct = -1;

	if (direct < 0)
		direct = GetConfigOption("citus.version", true, false) == NULL ? 1 : 0;
	return direct == 1;
}

/*
 * Fill ea_values_rel for ea_assignments open as rel, whose primary key
 * starts with (unit_id, id_type).
 */
static void
ea_pg_values_rel_fill(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	EaValuesRel found;
	Relation	index;

	found.relid = RelationGetRelid(rel);
	found.name_att = SPI_fnumber(desc, "config_name");
	found.sticky_att = SPI_fnumber(desc, "sticky");
	found.pkey = RelationGetPrimaryKeyIndex(rel);
	if (!OidIsValid(found.pkey) || found.name_att <= 0 || found.sticky_att <= 0)
		elog(ERROR, "table \"ea_assignments\" has no primary key or lacks a column");
	index = index_open(found.pkey, AccessShareLock);
	if (index->rd_index->indnkeyatts < 2 ||
		index->rd_index->indkey.values[0] != SPI_fnumber(desc, "unit_id") ||
		index->rd_index->indkey.values[1] != SPI_fnumber(desc, "id_type"))
		elog(ERROR, "the primary key of \"ea_assignments\" does not start with (unit_id, id_type)");
	index_close(index, NoLock);
	if (!ea_values_callback)
	{
		CacheRegisterRelcacheCallback(ea_pg_values_relcache_callback, (Datum) 0);
		ea_values_callback = true;
	}
	ea_values_rel = found;
}

/* The OID of ea_assignments by name, or an error. */
static Oid
ea_pg_values_relid(void)
{
	Oid			relid = get_relname_relid("ea_assignments", ea_pg_storage_schema());

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"ea_assignments\" of extension experiment_assign does not exist"),
				 errhint("Reinstall the extension with DROP EXTENSION and CREATE EXTENSION.")));
	return relid;
}

/*
 * Open ea_assignments for the direct lookup, with ea_values_rel valid for
 * it.  The kept OID is used while no invalidation has said otherwise;
 * opening the table takes in pending invalidations, so the kept facts are
 * checked again once it is open (and refreshed from the open table).
 */
static Relation
ea_pg_values_open(LOCKMODE lockmode)
{
	Oid			relid = ea_values_rel.relid;
	Relation	rel;

	if (!OidIsValid(relid))
		relid = ea_pg_values_relid();
	rel = table_open(relid, lockmode);
	if (ea_values_rel.relid != relid)
		ea_pg_values_rel_fill(rel);
	return rel;
}

/* Add one stored row (config name, sticky value) to the object. */
static void
ea_pg_push_stored(JsonbParseState **state, text *name, Jsonb *sticky)
{
	JsonbValue	k,
				v;

	k.type = jbvString;
	k.val.string.val = VARDATA_ANY(name);
	k.val.string.len = VARSIZE_ANY_EXHDR(name);
	pushJsonbValue(state, WJB_KEY, &k);
	v.type = jbvBinary;
	v.val.binary.data = &sticky->root;
	v.val.binary.len = VARSIZE(sticky) - VARHDRSZ;
	pushJsonbValue(state, WJB_VALUE, &v);
}

/*
 * The direct lookup (see above) of unit id and id type (text datums);
 * NULL when the unit has no rows.
 */
static Jsonb *
ea_pg_assignments_values_direct(Relation rel, Datum unit_id, Datum id_type)
{
	Relation	index;
	ScanKeyData keys[2];
	Snapshot	snapshot;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	JsonbParseState *state = NULL;
	bool		any = false;
	Jsonb	   *result = NULL;
	AttrNumber	name_att = ea_values_rel.name_att;
	AttrNumber	sticky_att = ea_values_rel.sticky_att;
	int			i;

	index = index_open(ea_values_rel.pkey, AccessShareLock);
	/* (unit_id, id_type, config_name): the first two columns */
	for (i = 0; i < 2; i++)
		ScanKeyEntryInitialize(&keys[i], 0, (AttrNumber) (i + 1), BTEqualStrategyNumber,
							   InvalidOid, index->rd_indcollation[i], F_TEXTEQ,
							   i == 0 ? unit_id : id_type);
	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	slot = table_slot_create(rel, NULL);
	scan = index_beginscan(rel, index, snapshot, 2, 0);
	index_rescan(scan, keys, 2, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		name = slot_getattr(slot, name_att, &isnull);
		Datum		sticky = slot_getattr(slot, sticky_att, &isnull);

		if (!any)
			pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		any = true;
		/* copies: the tuple's buffer is let go at the next row */
		ea_pg_push_stored(&state, DatumGetTextPCopy(name), DatumGetJsonbPCopy(sticky));
	}
	if (any)
		result = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snapshot);
	/* the locks are kept to the end of the transaction, as a query's are */
	index_close(index, NoLock);
	return result;
}

/*
 * A unit's stored values as a UserPersistedValues object ({config:
 * StickyValues}), palloc'd in the caller's context; NULL when none.  The
 * rows are read as they are and the object is assembled here (an
 * aggregate would cost an executor start-up more per call).
 */
Jsonb *
ea_pg_assignments_values(const char *unit_id, const char *id_type)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext spi;
	EaOwnerSwitch save;
	Datum		values[4];
	Jsonb	   *result = NULL;
	Relation	rel;
	Oid			schema;

	ea_pg_akey(values, unit_id, id_type, NULL, NULL);	/* checks the key's length */
	if (ea_pg_assignments_direct())
	{
		rel = ea_pg_values_open(AccessShareLock);
		result = ea_pg_assignments_values_direct(rel, values[0], values[1]);
		table_close(rel, NoLock);
		return result;
	}
	schema = ea_pg_storage_enter(&save);
	ea_pg_aexec(schema, EA_APLAN_VALUES, values, NULL, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		JsonbParseState *state = NULL;
		uint64		i;

		spi = MemoryContextSwitchTo(caller);
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	row = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;

			ea_pg_push_stored(&state, DatumGetTextPP(SPI_getbinval(row, desc, 1, &isnull)),
							  DatumGetJsonbP(SPI_getbinval(row, desc, 2, &isnull)));
		}
		result = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
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
 * The sticky values of first assignments repeat: everybody in the same
 * group with the same holdout outcomes gets the same StickyValues text.
 * Its jsonb is kept in a small direct-mapped cache keyed by the whole
 * text, so most first assignments skip the JSON parser.  The entries do not
 * depend on the specs; the cache is bounded by its slot count.
 */
#define EA_STICKY_SLOTS 64

typedef struct EaStickySlot
{
	char	   *text;			/* NULL: empty */
	Size		len;
	Jsonb	   *value;
} EaStickySlot;

static EaStickySlot ea_sticky_slots[EA_STICKY_SLOTS];
static MemoryContext ea_sticky_context = NULL;

/* The sticky value text as jsonb, palloc'd in the current context. */
static Jsonb *
ea_pg_sticky_jsonb(const char *sticky)
{
	Size		len = strlen(sticky);
	EaStickySlot *slot = &ea_sticky_slots[hash_bytes((const unsigned char *) sticky, len) %
										  EA_STICKY_SLOTS];
	Jsonb	   *jb;

	if (slot->text != NULL && slot->len == len && memcmp(slot->text, sticky, len) == 0)
	{
		jb = palloc(VARSIZE(slot->value));
		memcpy(jb, slot->value, VARSIZE(slot->value));
		return jb;
	}
	jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(sticky)));
	if (ea_sticky_context == NULL)
		ea_sticky_context = AllocSetContextCreate(TopMemoryContext,
												  "experiment_assign sticky values",
												  ALLOCSET_SMALL_SIZES);
	if (slot->text != NULL)
	{
		pfree(slot->text);
		pfree(slot->value);
		slot->text = NULL;		/* empty until both copies exist */
	}
	{
		char	   *t = MemoryContextAlloc(ea_sticky_context, len);
		Jsonb	   *v = MemoryContextAlloc(ea_sticky_context, VARSIZE(jb));

		memcpy(t, sticky, len);
		memcpy(v, jb, VARSIZE(jb));
		slot->value = v;
		slot->len = len;
		slot->text = t;
	}
	return jb;
}

/* A string member of a jsonb object as text (->> for strings), or NULL. */
static Datum
ea_pg_jsonb_string_member(Jsonb *object, const char *key, bool *isnull)
{
	JsonbValue	v;

	*isnull = true;
	if (getKeyJsonValueFromContainer(&object->root, key, strlen(key), &v) == NULL ||
		v.type != jbvString)
		return (Datum) 0;
	*isnull = false;
	return PointerGetDatum(cstring_to_text_with_len(v.val.string.val, v.val.string.len));
}

/*
 * The direct store.  Through SPI, every store of a first assignment paid
 * for a whole executor around its insert: plan revalidation, ModifyTable
 * start-up and shut-down, a snapshot pushed, RETURNING through a receiver
 * -- more than the heap and index inserts themselves.  So, when nothing
 * else watches the table's rows, the store does what INSERT ... ON
 * CONFLICT (unit_id, id_type, config_name) DO NOTHING does in the executor
 * (ExecInsert, nodeModifyTable.c), with the same primitives:
 *
 *	1. a first check of the primary key, which waits for an uncommitted
 *	   competitor to finish; a committed row there means the competitor won:
 *	   nothing is stored (in REPEATABLE READ and SERIALIZABLE, a row the
 *	   transaction's snapshot cannot see is a serialization failure, as the
 *	   statement would raise);
 *	2. the heap tuple inserted speculatively, under the speculative-
 *	   insertion lock that tells waiters to wait for this insert alone;
 *	3. the index entries inserted, the tuple then confirmed, or killed when
 *	   a competitor's entry appeared meanwhile -- then back to 1.
 *
 * The command counter is then incremented, as SPI does after a statement,
 * so that the next read of the same statement sees the row.  Columns other
 * than the six written get their defaults (assigned_at: now()), and NOT
 * NULL and CHECK constraints are checked, as the statement would.  The SPI
 * statement stays for what this does not do: a table with triggers,
 * row-level security or generated columns, a partitioned one, one whose
 * written columns are no longer text and jsonb (the statement would cast),
 * Citus (see ea_pg_assignments_direct), and a read-only transaction or hot
 * standby, where the statement raises its usual error.
 */

/* Fill ea_store_rel for ea_assignments open as rel. */
static void
ea_pg_store_rel_fill(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	MemoryContext mcxt;
	MemoryContext old;
	int			found = 0;
	int			i,
				j;

	ea_store_rel.relid = InvalidOid;
	if (ea_store_rel.mcxt != NULL)
		MemoryContextDelete(ea_store_rel.mcxt);
	ea_store_rel.mcxt = NULL;
	mcxt = AllocSetContextCreate(TopMemoryContext, "experiment_assign direct store",
								 ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(mcxt);
	ea_store_rel.natts = desc->natts;
	ea_store_rel.source = palloc(desc->natts * sizeof(int));
	ea_store_rel.defaults = palloc0(desc->natts * sizeof(Expr *));
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Node	   *def;

		ea_store_rel.source[i] = -2;
		if (att->attisdropped)
			continue;
		ea_store_rel.source[i] = -1;
		for (j = 0; j < EA_STORE_NCOLS; j++)
			if (strcmp(NameStr(att->attname), ea_store_columns[j]) == 0)
			{
				ea_store_rel.source[i] = j;
				/* the values are text and jsonb datums, stored as they are */
				if (att->atttypid == (j == EA_STORE_NCOLS - 1 ? JSONBOID : TEXTOID) &&
					att->atttypmod < 0)
					found++;
				break;
			}
		if (ea_store_rel.source[i] == -1 && (def = build_column_default(rel, i + 1)) != NULL)
			ea_store_rel.defaults[i] = expression_planner((Expr *) def);
	}
	MemoryContextSwitchTo(old);
	ea_store_rel.mcxt = mcxt;
	ea_store_rel.direct = found == EA_STORE_NCOLS &&
		rel->rd_rel->relkind == RELKIND_RELATION &&
		rel->trigdesc == NULL && !rel->rd_rel->relrowsecurity &&
		!(desc->constr != NULL && desc->constr->has_generated_stored) &&
		RelationGetPrimaryKeyIndex(rel) == ea_values_rel.pkey;
	ea_store_rel.relid = RelationGetRelid(rel);
}

/*
 * In REPEATABLE READ and SERIALIZABLE, the row that made the store do
 * nothing must be visible to the transaction's snapshot (or be its own).
 */
static void
ea_pg_store_check_visible(EState *estate, Relation rel, ItemPointer tid)
{
	TupleTableSlot *other;
	bool		isnull;

	if (!IsolationUsesXactSnapshot())
		return;
	other = table_slot_create(rel, NULL);
	if (!table_tuple_fetch_row_version(rel, tid, SnapshotAny, other))
		elog(ERROR, "failed to fetch the conflicting row of \"ea_assignments\"");
	if (!table_tuple_satisfies_snapshot(rel, other, estate->es_snapshot) &&
		!TransactionIdIsCurrentTransactionId(
			DatumGetTransactionId(slot_getsysattr(other, MinTransactionIdAttributeNumber,
												  &isnull))))
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent update")));
	ExecDropSingleTupleTableSlot(other);
}

/*
 * Store (values, nulls: the six columns of ea_store_columns) as described
 * above.  Returns 1 when stored, 0 when a row was there, -1 when the table
 * needs the SPI statement.
 */
static int
ea_pg_assignments_insert_direct(Datum *values, bool *nulls)
{
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	ExprContext *econtext;
	List	   *arbiter;
	ItemPointerData conflict;
	EaOwnerSwitch save;
	bool		stored = false;
	int			i;

	if (RecoveryInProgress() || XactReadOnly)
		return -1;
	rel = ea_pg_values_open(RowExclusiveLock);
	if (ea_store_rel.relid != RelationGetRelid(rel))
		ea_pg_store_rel_fill(rel);
	if (!ea_store_rel.direct)
	{
		table_close(rel, NoLock);
		return -1;
	}

	/* as the table's owner, as the SPI statement runs (defaults, constraints) */
	ea_pg_storage_become_owner(&save);
	estate = CreateExecutorState();
	estate->es_output_cid = GetCurrentCommandId(true);
	estate->es_snapshot = RegisterSnapshot(GetTransactionSnapshot());
	rri = makeNode(ResultRelInfo);
	InitResultRelInfo(rri, rel, 0, NULL, 0);
	ExecOpenIndices(rri, true);
	arbiter = list_make1_oid(ea_values_rel.pkey);

	/* the row: the six values, the other columns' defaults */
	slot = table_slot_create(rel, NULL);
	ExecClearTuple(slot);
	econtext = GetPerTupleExprContext(estate);
	for (i = 0; i < ea_store_rel.natts; i++)
	{
		int			source = ea_store_rel.source[i];

		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
		if (source >= 0)
		{
			slot->tts_values[i] = values[source];
			slot->tts_isnull[i] = nulls[source];
		}
		else if (source == -1 && ea_store_rel.defaults[i] != NULL)
		{
			/* planned when kept: only the executor's state is built here */
			MemoryContext old = MemoryContextSwitchTo(estate->es_query_cxt);
			ExprState  *def = ExecInitExpr(ea_store_rel.defaults[i], NULL);

			MemoryContextSwitchTo(old);
			slot->tts_values[i] = ExecEvalExprSwitchContext(def, econtext,
															&slot->tts_isnull[i]);
		}
	}
	ExecStoreVirtualTuple(slot);
	if (RelationGetDescr(rel)->constr != NULL)
		ExecConstraints(rri, slot, estate);

	for (;;)
	{
		uint32		token;
		bool		conflicted = false;

		CHECK_FOR_INTERRUPTS();
		/* 1. a committed row (the wait for an uncommitted one is in here) */
		if (!ExecCheckIndexConstraints(rri, slot, estate, &conflict, arbiter))
		{
			ea_pg_store_check_visible(estate, rel, &conflict);
			break;
		}
		/* 2. the speculative heap tuple */
		token = SpeculativeInsertionLockAcquire(GetCurrentTransactionId());
		table_tuple_insert_speculative(rel, slot, estate->es_output_cid, 0, NULL, token);
		/* 3. its index entries; confirm it, or kill it and start over */
#if PG_VERSION_NUM >= 160000
		list_free(ExecInsertIndexTuples(rri, slot, estate, false, true, &conflicted, arbiter,
										false));
#else
		list_free(ExecInsertIndexTuples(rri, slot, estate, false, true, &conflicted, arbiter));
#endif
		table_tuple_complete_speculative(rel, slot, token, !conflicted);
		SpeculativeInsertionLockRelease(GetCurrentTransactionId());
		if (!conflicted)
		{
			stored = true;
			break;
		}
	}

	ExecDropSingleTupleTableSlot(slot);
	ExecCloseIndices(rri);
	UnregisterSnapshot(estate->es_snapshot);
	FreeExecutorState(estate);
	ea_pg_storage_restore_user(&save);
	/* the lock is kept to the end of the transaction, as a statement's is */
	table_close(rel, NoLock);
	if (stored)
		CommandCounterIncrement();
	return stored ? 1 : 0;
}

/*
 * Store a first assignment.  Returns false when a row was there already
 * (another call or session won; ON CONFLICT DO NOTHING waits for an
 * uncommitted competitor to finish first).  The sticky value (the core's
 * StickyValues text, whose group_name and rule_id are strings or null) is
 * turned into jsonb once, here (or found in the cache above).
 */
bool
ea_pg_assignments_insert(const char *unit_id, const char *id_type,
						 const char *config_name, const char *sticky)
{
	EaOwnerSwitch save;
	Datum		values[6];
	char		nulls[7] = "      ";
	bool		isnull;
	bool		inserted;
	Jsonb	   *jb;
	Oid			schema;

	jb = ea_pg_sticky_jsonb(sticky);
	ea_pg_akey(values, unit_id, id_type, config_name, NULL);
	values[3] = ea_pg_jsonb_string_member(jb, "group_name", &isnull);
	if (isnull)
		nulls[3] = 'n';
	values[4] = ea_pg_jsonb_string_member(jb, "rule_id", &isnull);
	if (isnull)
		nulls[4] = 'n';
	values[5] = JsonbPGetDatum(jb);
	if (ea_pg_assignments_direct())
	{
		bool		isnulls[EA_STORE_NCOLS];
		int			done;
		int			i;

		for (i = 0; i < EA_STORE_NCOLS; i++)
			isnulls[i] = nulls[i] == 'n';
		done = ea_pg_assignments_insert_direct(values, isnulls);
		if (done >= 0)
			return done == 1;
	}
	schema = ea_pg_storage_enter(&save);
	ea_pg_aexec(schema, EA_APLAN_INSERT, values, nulls, SPI_OK_INSERT_RETURNING);
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
