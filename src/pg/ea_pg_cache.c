/*-------------------------------------------------------------------------
 *
 * ea_pg_cache.c
 *	  The per-backend cache of the compiled specs and the ID lists.
 *
 * The stored document is parsed once per backend, not once per call.  A
 * trigger on the storage tables sends a relcache invalidation for them;
 * it reaches the other backends when the writing transaction commits and
 * this backend at once (and again if it rolls back), as in pg_cron.  The
 * callback only marks the cache stale: it is rebuilt on next use.  Specs
 * replaced by a rebuild are retired, not freed, until the next statement
 * (or the end of the transaction): a pointer handed out by
 * ea_pg_cache_specs() stays valid for the whole of the call that got it,
 * even when the call takes in an invalidation (a lock it acquires does)
 * and something it calls afterwards reloads -- as exposure logging does
 * after a first assignment was stored, while the result it logs still
 * points into the specs it was evaluated with.
 *
 * On Citus (ea_pg_citus.c) the tables are reference tables without that
 * trigger: once per statement the version of the document row in this
 * node's placement is compared with the one the cache was built from.
 *
 * Invalidations are also taken in once per statement, so a statement
 * sees every load committed before it started, even inside an open
 * transaction.  A stale cache is reloaded with the latest snapshot: any commit whose
 * invalidation we have received is visible to it, so the cache never
 * settles on an older document.  In parallel mode (where the latest
 * snapshot cannot be taken) the transaction's snapshot is used and the
 * cache is valid only until the end of the transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "ea_pg.h"

#include "access/xact.h"
#include "commands/trigger.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

/* One ID list: its name and the set of its id hashes. */
typedef struct EaIdList
{
	char		name[EA_PG_LIST_NAME_MAX + 1];	/* hash key */
	HTAB	   *ids;
} EaIdList;

typedef struct EaIdEntry
{
	char		hash[EA_PG_ID_HASH_MAX + 1];	/* hash key */
} EaIdEntry;

static MemoryContext ea_cache_context = NULL;
static ea_specs *ea_cache_specs = NULL; /* malloc'd by the core */
static HTAB *ea_cache_idlists = NULL;	/* in ea_cache_context */
static bool ea_cache_valid = false;
static bool ea_cache_until_xact_end = false;
static uint64 ea_cache_invalidations = 0;
static TimestampTz ea_cache_statement = 0;	/* last statement seen */
static char *ea_cache_version = NULL;	/* Citus: document row version, or NULL */
static List *ea_cache_retired = NIL;	/* replaced specs (in TopMemoryContext) */

/* Free the specs replaced before this statement (see the top of the file). */
static void
ea_pg_cache_free_retired(void)
{
	List	   *retired = ea_cache_retired;
	ListCell   *lc;

	ea_cache_retired = NIL;		/* forgotten first: nothing is freed twice */
	foreach(lc, retired)
		ea_specs_free((ea_specs *) lfirst(lc));
	list_free(retired);
}

/* Relcache callback: mark the cache stale if one of our tables changed. */
static void
ea_pg_cache_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || ea_pg_storage_owns(relid))
	{
		ea_cache_valid = false;
		ea_cache_invalidations++;
		ea_pg_storage_forget();
	}
}

/* Transaction callback: drop a cache loaded with a transaction snapshot. */
static void
ea_pg_cache_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
		ea_pg_cache_free_retired();
	if (ea_cache_until_xact_end)
	{
		ea_cache_valid = false;
		ea_cache_until_xact_end = false;
	}
}

/* Called from _PG_init. */
void
ea_pg_cache_init(void)
{
	CacheRegisterRelcacheCallback(ea_pg_cache_relcache_callback, (Datum) 0);
	RegisterXactCallback(ea_pg_cache_xact_callback, NULL);
}

/* Bumped whenever the compiled specs are replaced. */
static uint64 ea_cache_generation = 1;

uint64
ea_pg_cache_generation(void)
{
	return ea_cache_generation;
}

/* Free the cached objects. */
static void
ea_pg_cache_clear(void)
{
	/*
	 * The old specs are retired first: should the list's memory run out,
	 * the cache still owns them and nothing is lost.
	 */
	if (ea_cache_specs != NULL)
	{
		MemoryContext mcxt = MemoryContextSwitchTo(TopMemoryContext);

		ea_cache_retired = lappend(ea_cache_retired, ea_cache_specs);
		MemoryContextSwitchTo(mcxt);
	}
	ea_cache_specs = NULL;
	ea_cache_idlists = NULL;
	ea_cache_version = NULL;
	/* cached results are keyed by pointers into the old specs */
	ea_pg_result_cache_reset();
	ea_cache_generation++;
	if (ea_cache_context == NULL)
		ea_cache_context = AllocSetContextCreate(CacheMemoryContext,
												 "experiment_assign cache",
												 ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(ea_cache_context);
}

/* Add one (list, hash) row to the cached ID lists. */
static void
ea_pg_cache_add_id(void *arg, const char *list_name, const char *id_hash)
{
	EaIdList   *list;
	bool		found;

	if (strlen(list_name) > EA_PG_LIST_NAME_MAX || strlen(id_hash) > EA_PG_ID_HASH_MAX)
		return;					/* the table's CHECKs forbid this */
	list = hash_search(ea_cache_idlists, list_name, HASH_ENTER, &found);
	if (!found)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(((EaIdEntry *) NULL)->hash);
		ctl.entrysize = sizeof(EaIdEntry);
		ctl.hcxt = ea_cache_context;
		list->ids = hash_create("experiment_assign id list", 1024, &ctl,
								HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	hash_search(list->ids, id_hash, HASH_ENTER, NULL);
}

/* Load the ID lists into ea_cache_context. */
static void
ea_pg_cache_load_id_lists(Snapshot snapshot)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(((EaIdList *) NULL)->name);
	ctl.entrysize = sizeof(EaIdList);
	ctl.hcxt = ea_cache_context;
	ea_cache_idlists = hash_create("experiment_assign id lists", 16, &ctl,
								   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	ea_pg_storage_read_id_lists(snapshot, ea_pg_cache_add_id, NULL);
}

/* Parse the stored document, if any, and install it. */
static void
ea_pg_cache_load_specs(Snapshot snapshot)
{
	char	   *text = ea_pg_storage_read_specs(snapshot);
	ea_specs   *parsed = NULL;
	ea_error	err;

	if (text == NULL)
		return;
	if (ea_specs_parse(text, strlen(text), &parsed, &err) != EA_OK)
		ea_pg_report(&err, "reading the stored config specs document");
	ea_cache_specs = parsed;	/* installed at once: nothing can leak it */
	pfree(text);
}

/* Rebuild the cache from the tables. */
static void
ea_pg_cache_load(void)
{
	uint64		invalidations = ea_cache_invalidations;
	bool		parallel = IsInParallelMode();
	Snapshot	snapshot;

	ea_pg_cache_clear();
	/* Citus: the version first, so a later commit is noticed next time */
	ea_cache_version = ea_pg_citus_specs_version(ea_cache_context);
	snapshot = parallel ? GetActiveSnapshot() : GetLatestSnapshot();
	ea_pg_cache_load_specs(snapshot);
	ea_pg_cache_load_id_lists(snapshot);

	/* an invalidation that arrived while loading makes us load again */
	ea_cache_valid = (invalidations == ea_cache_invalidations);
	ea_cache_until_xact_end = parallel;
}

/*
 * The compiled specs in force, loading them when the cache is stale.
 * With no document stored: NULL if missing_ok, else an error.
 */
const ea_specs *
ea_pg_cache_specs(bool missing_ok)
{
	TimestampTz statement = GetCurrentStatementStartTimestamp();

	/*
	 * Once per statement, take in invalidations from other sessions'
	 * commits, so that even a statement that locks nothing (inside an
	 * open transaction) sees the latest committed document.
	 */
	if (statement != ea_cache_statement)
	{
		ea_cache_statement = statement;
		/* no call of an earlier statement is running any more */
		ea_pg_cache_free_retired();
		AcceptInvalidationMessages();

		/*
		 * Citus: no trigger tells this node that its placement of the
		 * reference tables changed; compare the document row's version.
		 */
		if (ea_cache_valid && ea_cache_version != NULL)
		{
			char	   *version = ea_pg_citus_specs_version(CurrentMemoryContext);

			if (version == NULL || strcmp(version, ea_cache_version) != 0)
				ea_cache_valid = false;
			if (version != NULL)
				pfree(version);
		}
	}
	if (!ea_cache_valid)
		ea_pg_cache_load();
	if (ea_cache_specs == NULL && !missing_ok)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no config specs are loaded"),
				 errhint("Load a Statsig download_config_specs document with load_config_specs().")));
	return ea_cache_specs;
}

/*
 * ea_idlist_fn for the core: is id_hash in the cached list?  Must not
 * raise an error (it runs inside the core): lookups do not allocate.
 */
bool
ea_pg_cache_idlist_contains(void *arg, const char *list_name,
							const char *id_hash)
{
	EaIdList   *list;

	if (ea_cache_idlists == NULL || list_name == NULL || id_hash == NULL)
		return false;
	if (strlen(list_name) > EA_PG_LIST_NAME_MAX || strlen(id_hash) > EA_PG_ID_HASH_MAX)
		return false;
	list = hash_search(ea_cache_idlists, list_name, HASH_FIND, NULL);
	if (list == NULL)
		return false;
	return hash_search(list->ids, id_hash, HASH_FIND, NULL) != NULL;
}

/*
 * ea_invalidate_cache() returns trigger
 *
 * Statement-level AFTER trigger on the storage tables: queues a relcache
 * invalidation of the table, which every backend (this one included)
 * receives when the transaction commits, so that their caches are
 * rebuilt.  No effect on the rows.
 */
PG_FUNCTION_INFO_V1(ea_pg_invalidate_cache);
Datum
ea_pg_invalidate_cache(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ea_invalidate_cache() must be called as a trigger")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
