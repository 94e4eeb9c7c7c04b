/*-------------------------------------------------------------------------
 *
 * ea_pg_citus.c
 *	  Citus: where the rows of the extension's tables live on this node.
 *
 * The same library serves plain PostgreSQL and Citus.  Citus is detected at
 * run time, each time the storage tables are looked up (once per backend
 * and after a relcache invalidation of them): is the citus extension
 * installed, and are our tables Citus tables here?  On plain PostgreSQL
 * every function below returns at once ("not Citus").
 *
 * On a Citus node (coordinator or worker, all with metadata):
 *
 *	 - ea_config_specs and ea_id_lists are reference tables.  Every node
 *	   reads its own placement directly (ea_config_specs_<shard id>), never
 *	   the distributed table: a read of the distributed table from inside a
 *	   shard query would be a nested distributed execution.  A node has no
 *	   invalidation trigger to tell it that a placement changed (Citus
 *	   refuses reference tables with triggers), so the spec cache asks once
 *	   per statement for the version of the document row in the placement
 *	   (its xmin and ctid); every ID-list write also rewrites that row, in
 *	   the same distributed transaction.
 *
 *	 - ea_assignments and ea_assignments_archive are distributed by unit_id
 *	   and co-located.  In a session of its own (coordinator or worker) a
 *	   statement on a unit is a Citus router query on the distributed
 *	   table.  Inside a task Citus runs for another node (a pushed-down
 *	   shard query, a trigger on a shard), the unit's shard is found with
 *	   Citus's hashing (the type's hash function, then the shard whose hash
 *	   range holds it); when this node holds a placement of it, the same
 *	   statement runs on that placement directly; otherwise an ERROR says
 *	   how to co-locate the caller's table.
 *
 * Citus's own state (the shard its local executor is running a task on,
 * delegated function calls) is read through the symbols citus.so exports,
 * resolved once per backend; the metadata through its catalog tables
 * (pg_dist_partition, pg_dist_shard, pg_dist_placement, pg_dist_node,
 * pg_dist_local_group), which are ordinary local tables on every node.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include <dlfcn.h>

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

/* application_name of the connections Citus opens between nodes */
#define EA_CITUS_INTERNAL_PREFIX	"citus_internal gpid="

/* Longest statement text kept in the plan cache (key size). */
#define EA_CITUS_SQL_MAX	2048

/* One shard of ea_assignments and its co-located archive shard. */
typedef struct EaCitusShard
{
	int32		min_hash;
	int32		max_hash;
	int64		shard_id;
	int64		archive_shard_id;
	bool		local;			/* a placement is on this node */
	char	   *nodes;			/* where its placements are (for errors) */
} EaCitusShard;

/* What this backend knows about Citus; reset by ea_pg_citus_forget(). */
typedef struct EaCitusState
{
	bool		checked;		/* looked up since the last forget */
	bool		present;		/* citus is installed in this database */
	Oid			schema;
	Oid			specs_relid;
	Oid			idlists_relid;
	Oid			assign_relid;
	Oid			archive_relid;
	bool		reference;		/* specs and ID lists are reference tables */
	char	   *specs_placement;	/* qualified local placement, or NULL */
	char	   *idlists_placement;
	bool		distributed;	/* assignments distributed by unit_id */
	bool		shards_loaded;
	int			shard_count;
	EaCitusShard *shards;		/* sorted by min_hash */
	int32		local_group;
} EaCitusState;

static EaCitusState ea_citus;
static MemoryContext ea_citus_context = NULL;

/* Citus's globals, resolved once per backend (NULL when not exported). */
static bool ea_citus_symbols_resolved = false;
static uint64 *ea_citus_local_shard = NULL;
static bool *ea_citus_delegated_function = NULL;
static bool *ea_citus_delegated_procedure = NULL;

/* Kept plans keyed by their statement text (shard names are in it). */
typedef struct EaCitusPlan
{
	char		sql[EA_CITUS_SQL_MAX];	/* hash key */
	SPIPlanPtr	plan;
} EaCitusPlan;

static HTAB *ea_citus_plans = NULL;

/* Free every kept plan (the shards they name may be gone). */
static void
ea_pg_citus_free_plans(void)
{
	HASH_SEQ_STATUS seq;
	EaCitusPlan *entry;

	if (ea_citus_plans == NULL)
		return;
	hash_seq_init(&seq, ea_citus_plans);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		if (entry->plan != NULL)
			SPI_freeplan(entry->plan);
	}
	hash_destroy(ea_citus_plans);
	ea_citus_plans = NULL;
}

/*
 * Forget everything (called when the storage tables are forgotten).  The
 * kept plans are freed on the next look-up, not here: this runs from a
 * relcache callback, which must not free plans a caller may be running.
 */
void
ea_pg_citus_forget(void)
{
	ea_citus.checked = false;
	ea_citus.shards_loaded = false;
}

/* Relcache callback: shards of ea_assignments moved, split or vanished. */
static void
ea_pg_citus_relcache_callback(Datum arg, Oid relid)
{
	if (!ea_citus.present)
		return;
	if (relid == InvalidOid || relid == ea_citus.assign_relid ||
		relid == ea_citus.archive_relid || relid == ea_citus.specs_relid ||
		relid == ea_citus.idlists_relid)
		ea_pg_citus_forget();
}

/* Called from _PG_init. */
void
ea_pg_citus_init(void)
{
	CacheRegisterRelcacheCallback(ea_pg_citus_relcache_callback, (Datum) 0);
}

/* Resolve Citus's exported globals (citus.so is loaded RTLD_GLOBAL). */
static void
ea_pg_citus_resolve_symbols(void)
{
	if (ea_citus_symbols_resolved)
		return;
	ea_citus_local_shard = (uint64 *) dlsym(RTLD_DEFAULT, "LocalExecutorShardId");
	ea_citus_delegated_function = (bool *) dlsym(RTLD_DEFAULT,
												 "InTopLevelDelegatedFunctionCall");
	ea_citus_delegated_procedure = (bool *) dlsym(RTLD_DEFAULT,
												  "InDelegatedProcedureCall");
	ea_citus_symbols_resolved = true;
}

/* Run a catalog query (inside SPI); returns the number of rows. */
static uint64
ea_pg_citus_query(const char *sql, int nargs, Oid *types, Datum *values)
{
	int			rc;

	rc = SPI_execute_with_args(sql, nargs, types, values, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

/* Column col of row as text in ea_citus_context; NULL for NULL. */
static char *
ea_pg_citus_text(uint64 row, int col)
{
	char	   *value = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
	char	   *copy;

	if (value == NULL)
		return NULL;
	copy = MemoryContextStrdup(ea_citus_context, value);
	pfree(value);
	return copy;
}

/* The qualified name of relid's placement on this node, or NULL. */
static char *
ea_pg_citus_local_placement(Oid relid)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	char	   *shard;
	char	   *name;

	values[0] = ObjectIdGetDatum(relid);
	if (ea_pg_citus_query("SELECT s.shardid FROM pg_catalog.pg_dist_shard s "
						  "JOIN pg_catalog.pg_dist_placement p USING (shardid) "
						  "WHERE s.logicalrelid OPERATOR(pg_catalog.=) $1 "
						  "AND p.groupid OPERATOR(pg_catalog.=) "
						  "(SELECT groupid FROM pg_catalog.pg_dist_local_group)",
						  1, types, values) == 0)
		return NULL;
	shard = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	name = psprintf("%s_%s", get_rel_name(relid), shard);
	return MemoryContextStrdup(ea_citus_context,
							   quote_qualified_identifier(get_namespace_name(ea_citus.schema),
														  name));
}

/* The Citus partition method of relid ('n' reference, 'h' hash), or 0. */
static char
ea_pg_citus_method(Oid relid)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	char	   *method;

	values[0] = ObjectIdGetDatum(relid);
	if (ea_pg_citus_query("SELECT partmethod FROM pg_catalog.pg_dist_partition "
						  "WHERE logicalrelid OPERATOR(pg_catalog.=) $1",
						  1, types, values) == 0)
		return '\0';
	method = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	return method ? method[0] : '\0';
}

/*
 * Look Citus up for the storage tables of schema (called by the storage
 * code whenever it looks its tables up; cheap when Citus is absent: one
 * pg_extension look-up).
 */
void
ea_pg_citus_lookup(Oid schema, Oid specs_relid, Oid idlists_relid)
{
	int			rc;

	if (ea_citus.checked && ea_citus.schema == schema)
		return;
	ea_pg_citus_free_plans();
	if (ea_citus_context == NULL)
		ea_citus_context = AllocSetContextCreate(TopMemoryContext,
												 "experiment_assign citus",
												 ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(ea_citus_context);
	memset(&ea_citus, 0, sizeof(ea_citus));
	ea_citus.schema = schema;
	ea_citus.specs_relid = specs_relid;
	ea_citus.idlists_relid = idlists_relid;
	ea_citus.present = OidIsValid(get_extension_oid("citus", true));
	ea_citus.checked = true;
	if (!ea_citus.present)
		return;

	ea_pg_citus_resolve_symbols();
	ea_citus.assign_relid = get_relname_relid("ea_assignments", schema);
	ea_citus.archive_relid = get_relname_relid("ea_assignments_archive", schema);

	rc = SPI_connect();
	if (rc != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	ea_citus.reference = (ea_pg_citus_method(specs_relid) == 'n' &&
						  ea_pg_citus_method(idlists_relid) == 'n');
	if (ea_citus.reference)
	{
		ea_citus.specs_placement = ea_pg_citus_local_placement(specs_relid);
		ea_citus.idlists_placement = ea_pg_citus_local_placement(idlists_relid);
	}
	ea_citus.distributed = (OidIsValid(ea_citus.assign_relid) &&
							ea_pg_citus_method(ea_citus.assign_relid) == 'h');
	if (ea_pg_citus_query("SELECT groupid FROM pg_catalog.pg_dist_local_group",
						  0, NULL, NULL) > 0)
	{
		char	   *group = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		ea_citus.local_group = group ? pg_strtoint32(group) : 0;
	}
	SPI_finish();
}

/* Are the specs and ID lists Citus reference tables here? */
bool
ea_pg_citus_reference(void)
{
	return ea_citus.checked && ea_citus.present && ea_citus.reference;
}

/*
 * The relation to read the specs (or ID lists) from on this node: the
 * qualified name of the local placement of the reference table, or NULL
 * to read the table itself (plain PostgreSQL, or no placement here).
 */
const char *
ea_pg_citus_read_relation(bool idlists)
{
	if (!ea_pg_citus_reference())
		return NULL;
	return idlists ? ea_citus.idlists_placement : ea_citus.specs_placement;
}

/*
 * A kept plan for a statement text (inside SPI).  Used for statements that
 * name a shard placement; at most a few per shard.
 */
SPIPlanPtr
ea_pg_citus_plan(const char *sql, int nargs, Oid *types)
{
	EaCitusPlan *entry;
	bool		found;
	SPIPlanPtr	plan;

	if (strlen(sql) >= EA_CITUS_SQL_MAX)
		elog(ERROR, "statement too long for the Citus plan cache");
	if (ea_citus_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = EA_CITUS_SQL_MAX;
		ctl.entrysize = sizeof(EaCitusPlan);
		ea_citus_plans = hash_create("experiment_assign citus plans", 64, &ctl,
									 HASH_ELEM | HASH_STRINGS);
	}
	entry = hash_search(ea_citus_plans, sql, HASH_ENTER, &found);
	if (found && entry->plan != NULL)
		return entry->plan;
	entry->plan = NULL;
	plan = SPI_prepare(sql, nargs, types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	entry->plan = plan;
	return plan;
}

/*
 * The version of the document in force as this node sees it (the xmin and
 * ctid of the row in its placement), palloc'd in "into"; NULL when the
 * tables are not Citus reference tables (then the invalidation trigger
 * does the work).  Read with the latest snapshot, as the cache loads.
 */
char *
ea_pg_citus_specs_version(MemoryContext into)
{
	EaOwnerSwitch save;
	const char *relation;
	char	   *sql;
	char	   *result;
	Oid			schema;

	/* a cheap answer once looked up; the first time, look up (below) */
	if (ea_citus.checked && !ea_pg_citus_reference())
		return NULL;
	schema = ea_pg_storage_enter(&save);
	if (!ea_pg_citus_reference())
	{
		ea_pg_storage_leave(&save);
		return NULL;
	}
	relation = ea_citus.specs_placement;
	if (relation != NULL)
		sql = psprintf("SELECT xmin::pg_catalog.text OPERATOR(pg_catalog.||) '/' "
					   "OPERATOR(pg_catalog.||) ctid::pg_catalog.text FROM %s", relation);
	else
		sql = psprintf("SELECT xmin::pg_catalog.text OPERATOR(pg_catalog.||) '/' "
					   "OPERATOR(pg_catalog.||) ctid::pg_catalog.text FROM %s.ea_config_specs",
					   quote_identifier(get_namespace_name(schema)));
	PushActiveSnapshot(IsInParallelMode() ? GetActiveSnapshot() : GetLatestSnapshot());
	ea_pg_run_plan(ea_pg_citus_plan(sql, 0, NULL), NULL, NULL, true, SPI_OK_SELECT);
	PopActiveSnapshot();
	result = ea_pg_spi_first_text(into);
	if (result == NULL)
		result = MemoryContextStrdup(into, "none");
	ea_pg_storage_leave(&save);
	return result;
}

/*
 * Is shard_id a shard of a distributed table (not of a reference table or a
 * Citus local table, whose tasks Citus lets query distributed tables)?
 * Called inside SPI; the last answer is kept (one shard per task).
 */
static bool
ea_pg_citus_distributed_shard(uint64 shard_id)
{
	static uint64 last_shard = 0;
	static bool last_distributed = false;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	char	   *method;

	if (shard_id == last_shard)
		return last_distributed;
	values[0] = Int64GetDatum((int64) shard_id);
	if (ea_pg_citus_query("SELECT p.partmethod FROM pg_catalog.pg_dist_shard s "
						  "JOIN pg_catalog.pg_dist_partition p USING (logicalrelid) "
						  "WHERE s.shardid OPERATOR(pg_catalog.=) $1",
						  1, types, values) == 0)
		method = NULL;
	else
		method = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	last_distributed = (method != NULL && method[0] != 'n');
	last_shard = shard_id;
	return last_distributed;
}

/*
 * Is this backend running a task Citus sent it (a shard query or a trigger
 * on a shard, pushed down from another node or run by the local executor)?
 * There, a query on a distributed table would be a nested distributed
 * execution.  Citus's own rule: its local executor is on a shard of a
 * distributed table, or this is a Citus-initiated connection that is not a
 * delegated function call.  Called inside SPI.
 */
bool
ea_pg_citus_in_task(void)
{
	if (!ea_citus.present)
		return false;
	if (ea_citus_local_shard != NULL && *ea_citus_local_shard != 0)
		return ea_pg_citus_distributed_shard(*ea_citus_local_shard);
	if (application_name == NULL ||
		strncmp(application_name, EA_CITUS_INTERNAL_PREFIX,
				strlen(EA_CITUS_INTERNAL_PREFIX)) != 0)
		return false;
	if ((ea_citus_delegated_function != NULL && *ea_citus_delegated_function) ||
		(ea_citus_delegated_procedure != NULL && *ea_citus_delegated_procedure))
		return false;
	return true;
}

/* Load the shard map of ea_assignments (inside SPI). */
static void
ea_pg_citus_load_shards(void)
{
	Oid			types[2] = {OIDOID, OIDOID};
	Datum		values[2];
	uint64		n;
	uint64		i;

	values[0] = ObjectIdGetDatum(ea_citus.assign_relid);
	values[1] = ObjectIdGetDatum(ea_citus.archive_relid);
	n = ea_pg_citus_query("SELECT a.shardid, a.shardminvalue::pg_catalog.int4, "
						  "a.shardmaxvalue::pg_catalog.int4, b.shardid, "
						  "EXISTS (SELECT FROM pg_catalog.pg_dist_placement p "
						  "WHERE p.shardid OPERATOR(pg_catalog.=) a.shardid "
						  "AND p.groupid OPERATOR(pg_catalog.=) "
						  "(SELECT groupid FROM pg_catalog.pg_dist_local_group)), "
						  "(SELECT pg_catalog.string_agg(n.nodename OPERATOR(pg_catalog.||) ':' "
						  "OPERATOR(pg_catalog.||) n.nodeport, ', ') "
						  "FROM pg_catalog.pg_dist_placement p "
						  "JOIN pg_catalog.pg_dist_node n USING (groupid) "
						  "WHERE p.shardid OPERATOR(pg_catalog.=) a.shardid) "
						  "FROM pg_catalog.pg_dist_shard a "
						  "LEFT JOIN pg_catalog.pg_dist_shard b "
						  "ON b.logicalrelid OPERATOR(pg_catalog.=) $2 "
						  "AND b.shardminvalue OPERATOR(pg_catalog.=) a.shardminvalue "
						  "WHERE a.logicalrelid OPERATOR(pg_catalog.=) $1 "
						  "ORDER BY 2",
						  2, types, values);
	ea_citus.shards = MemoryContextAllocZero(ea_citus_context,
											 sizeof(EaCitusShard) * (n > 0 ? n : 1));
	for (i = 0; i < n; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		EaCitusShard *s = &ea_citus.shards[i];
		bool		isnull;
		Datum		d;

		s->shard_id = DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull));
		s->min_hash = DatumGetInt32(SPI_getbinval(row, desc, 2, &isnull));
		s->max_hash = DatumGetInt32(SPI_getbinval(row, desc, 3, &isnull));
		d = SPI_getbinval(row, desc, 4, &isnull);
		s->archive_shard_id = isnull ? 0 : DatumGetInt64(d);
		s->local = DatumGetBool(SPI_getbinval(row, desc, 5, &isnull));
		s->nodes = ea_pg_citus_text(i, 6);
	}
	ea_citus.shard_count = (int) n;
	ea_citus.shards_loaded = true;
}

/* The shard of ea_assignments whose hash range holds unit_id. */
static const EaCitusShard *
ea_pg_citus_unit_shard(Datum unit_id)
{
	int32		hash;
	int			lo = 0;
	int			hi = ea_citus.shard_count - 1;

	/* Citus hashes with the type's hash function (text: hashtext) */
	hash = DatumGetInt32(DirectFunctionCall1Coll(hashtext, DEFAULT_COLLATION_OID,
												 unit_id));
	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const EaCitusShard *s = &ea_citus.shards[mid];

		if (hash < s->min_hash)
			hi = mid - 1;
		else if (hash > s->max_hash)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

/*
 * Inside a Citus task: the kept plan of assignment statement plan_id on
 * the local placement of unit_id's shard (inside SPI, as the table owner),
 * or an ERROR when no placement of that shard is on this node.  Returns
 * NULL when the statement should run on the distributed table as usual
 * (not in a task, or ea_assignments is not distributed).
 */
SPIPlanPtr
ea_pg_citus_unit_plan(int plan_id, Datum unit_id)
{
	const EaCitusShard *shard;
	const char *schema;
	char	   *assignments;
	char	   *archive;
	char	   *sql;
	Oid			types[8];
	int			nargs = 0;

	if (!ea_citus.present || !ea_citus.distributed || !ea_pg_citus_in_task())
		return NULL;
	if (!ea_citus.shards_loaded)
		ea_pg_citus_load_shards();
	shard = ea_pg_citus_unit_shard(unit_id);
	if (shard == NULL || !shard->local)
	{
		char	   *unit = TextDatumGetCString(unit_id);

		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot store the assignment of unit \"%s\" from this shard query", unit),
				 shard ?
				 errdetail("The unit's assignments are in shard %lld of ea_assignments, placed on %s; this query runs as a Citus task on node group %d, which holds no placement of that shard.",
						   (long long) shard->shard_id,
						   shard->nodes ? shard->nodes : "no node", ea_citus.local_group) :
				 errdetail("No shard of ea_assignments covers the unit's hash value."),
				 errhint("Distribute your table by the unit id as text, co-located with the assignments: SELECT create_distributed_table('your_table', 'user_id', colocate_with => '%s'); or call the function from the coordinator in a query that is not pushed down.",
						 quote_qualified_identifier(get_namespace_name(ea_citus.schema),
													"ea_assignments"))));
	}
	schema = get_namespace_name(ea_citus.schema);
	assignments = quote_qualified_identifier(schema,
											 psprintf("ea_assignments_" INT64_FORMAT,
													  shard->shard_id));
	archive = quote_qualified_identifier(schema,
										 psprintf("ea_assignments_archive_" INT64_FORMAT,
												  shard->archive_shard_id));
	sql = ea_pg_assignments_sql(plan_id, assignments, archive, types, &nargs);
	return ea_pg_citus_plan(sql, nargs, types);
}

/*
 * Inside a Citus task, a statement that is not about one unit (export,
 * delete or archive an experiment) would need every shard: refuse it.
 */
void
ea_pg_citus_check_multi_shard(const char *what)
{
	if (!ea_citus.present || !ea_citus.distributed || !ea_pg_citus_in_task())
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot %s from a Citus shard query", what),
			 errdetail("The assignments are distributed over every node; this call runs as a task on one shard."),
			 errhint("Call the function on its own, from the coordinator (SELECT ...; not inside a query on a distributed table).")));
}
