/*-------------------------------------------------------------------------
 *
 * ea_pg.h
 *	  Declarations shared by the files of the PostgreSQL layer.
 *
 * The PostgreSQL layer unwraps Datums, calls the evaluation core through
 * its public header (ea_core.h) and wraps the results.  It never includes
 * json-c or the core's internal header.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_PG_H
#define EA_PG_H

#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/jsonb.h"
#include "utils/snapshot.h"

#include "ea_core.h"

/* Longest list name and id hash the ID-list table accepts (its CHECKs). */
#define EA_PG_LIST_NAME_MAX		255
#define EA_PG_ID_HASH_MAX		15

/* ---- ea_pg_version.c: library and extension versions ---- */

extern const char *const ea_pg_library_version;
extern char *ea_pg_extension_version(void);

/*
 * Call first in code that needs SQL objects added in a later version
 * (e.g. "0.2.0"): raises a clear ERROR with a hint to run ALTER EXTENSION
 * ... UPDATE while this database is at an older version.
 */
extern char *ea_pg_require_extension_version(const char *needed,
											 const char *what);

/* The same check without the error: skip what an older version lacks. */
extern bool ea_pg_extension_at_least(const char *needed);

/* ---- ea_pg.c: settings ---- */

extern char *ea_pg_environment_tier;
extern int64 ea_pg_evaluation_time_ms;

/* ---- ea_pg_error.c: core errors and core-object lifetime ---- */

extern void ea_pg_report(const ea_error *err, const char *context)
			pg_attribute_noreturn();

/*
 * Owner of the malloc'd objects of one core call.  It is registered as a
 * reset callback of the memory context it was created in, so an ereport
 * that unwinds past it still frees the objects; on the normal path call
 * ea_pg_guard_release() as soon as the objects are no longer needed.
 */
typedef struct EaCoreGuard
{
	MemoryContextCallback callback;
	ea_specs   *specs;
	ea_user    *user;			/* a user this call parsed and owns */
	const ea_user *eval_user;	/* the user to evaluate (owned or cached) */
	ea_result  *result;
	char	   *json;
	ea_sticky_outcome outcome;	/* persistent assignment: what to store */
} EaCoreGuard;

extern EaCoreGuard *ea_pg_guard_create(void);
extern void ea_pg_guard_release(EaCoreGuard *guard);

/* ---- ea_pg_storage.c: the extension-owned tables ---- */

/* Saved identity while running as the owner of the tables. */
typedef struct EaOwnerSwitch
{
	Oid			saved_userid;
	int			saved_sec_context;
} EaOwnerSwitch;

/*
 * A set of SPI plans kept for the life of the backend: prepared on first
 * use against the extension's schema, prepared again if it moves.  sql()
 * returns plan id's statement for a quoted schema name and fills in its
 * parameter types.
 */
typedef struct EaPlanSet
{
	int			count;
	SPIPlanPtr *plans;			/* count slots */
	Oid			schema;
	char	   *(*sql) (int id, const char *schema, Oid *types, int *nargs);
} EaPlanSet;

extern SPIPlanPtr ea_pg_kept_plan(EaPlanSet *set, Oid schema, int id);
extern void ea_pg_run_plan(SPIPlanPtr plan, Datum *values, const char *nulls,
						   bool read_only, int expected);

extern bool ea_pg_extension_row(Oid *schema, char **version);
extern Oid	ea_pg_extension_schema(void);
extern Oid	ea_pg_storage_enter(EaOwnerSwitch *save);
extern Oid	ea_pg_storage_schema(void);
extern void ea_pg_storage_leave(const EaOwnerSwitch *save);
extern Oid	ea_pg_storage_become_owner(EaOwnerSwitch *save);
extern void ea_pg_storage_restore_user(const EaOwnerSwitch *save);

extern bool ea_pg_storage_owns(Oid relid);
extern void ea_pg_storage_forget(void);
extern char *ea_pg_storage_read_specs(Snapshot snapshot);
extern char *ea_pg_spi_first_text(MemoryContext into);

typedef void (*EaIdListRowFn) (void *arg, const char *list_name,
							   const char *id_hash);
extern void ea_pg_storage_read_id_lists(Snapshot snapshot,
										EaIdListRowFn fn, void *arg);
extern void ea_pg_storage_write_specs(Datum document, int64 time_ms,
									  int format);
extern void ea_pg_storage_id_list_delete(text *list_name);
extern void ea_pg_storage_id_list_add(text *list_name, ArrayType *hashes);
extern void ea_pg_storage_id_list_remove(text *list_name, ArrayType *hashes);
extern int64 ea_pg_storage_id_list_size(text *list_name);

/* ---- ea_pg_cache.c: the per-backend compiled-spec cache ---- */

extern void ea_pg_cache_init(void);
extern const ea_specs *ea_pg_cache_specs(bool missing_ok);
extern uint64 ea_pg_cache_generation(void);
extern bool ea_pg_cache_idlist_contains(void *arg, const char *list_name,
										const char *id_hash);

/* ---- ea_pg_iptable.c: the IP-to-country table ---- */

extern const ea_ip_table *ea_pg_ip_table(void);

/* ---- ea_pg_user.c: the per-backend parsed-user cache ---- */

extern const ea_user *ea_pg_user_from_jsonb(Jsonb *user,
											const ea_user_needs *needs);


/* ---- ea_pg_result.c: results as jsonb ---- */

extern Jsonb *ea_pg_result_jsonb(const ea_result *result);
extern void ea_pg_result_cache_reset(void);

/* ---- ea_pg_eval.c: evaluation options ---- */

extern void ea_pg_eval_opts(ea_eval_opts *opts);

/* ---- ea_pg_assignments.c: the assignment table (persistent assignment) ---- */

/*
 * Longest storage key (unit id + id type + experiment name, in bytes):
 * what a btree entry of ea_assignments' indexes holds with room to spare.
 */
#define EA_MAX_ASSIGNMENT_KEY 2400

extern Jsonb *ea_pg_assignments_values(const char *unit_id, const char *id_type);
extern char *ea_pg_assignments_read_one(const char *unit_id, const char *id_type,
										const char *config_name);
extern bool ea_pg_assignments_insert(const char *unit_id, const char *id_type,
									 const char *config_name, const char *sticky);
extern bool ea_pg_assignments_exists(const char *unit_id, const char *id_type,
									 const char *config_name);
extern bool ea_pg_assignments_delete(const char *unit_id, const char *id_type,
									 const char *config_name);
extern int64 ea_pg_assignments_delete_unit(text *unit_id, text *id_type);
extern int64 ea_pg_assignments_delete_config(text *config_name);
extern int64 ea_pg_assignments_archive_config(text *config_name);
extern void ea_pg_assignments_upsert(const char *unit_id, const char *id_type,
									 const char *config_name, const char *sticky);

typedef void (*EaExportRowFn) (void *arg, Datum storage_key, Datum values);
extern void ea_pg_assignments_export(EaExportRowFn fn, void *arg);
extern char *ea_pg_assignments_sql(int id, const char *assignments,
								   const char *archive, Oid *types, int *nargs);

/* ---- ea_pg_citus.c: Citus (where the tables' rows live on this node) ---- */

extern void ea_pg_citus_init(void);
extern void ea_pg_citus_forget(void);
extern void ea_pg_citus_lookup(Oid schema, Oid specs_relid, Oid idlists_relid);
extern bool ea_pg_citus_reference(void);
extern const char *ea_pg_citus_read_relation(bool idlists);
extern SPIPlanPtr ea_pg_citus_plan(const char *sql, int nargs, Oid *types);
extern char *ea_pg_citus_specs_version(MemoryContext into);
extern bool ea_pg_citus_in_task(void);
extern SPIPlanPtr ea_pg_citus_unit_plan(int plan_id, Datum unit_id);
extern void ea_pg_citus_check_multi_shard(const char *what);

/* ---- ea_pg_assign_admin.c: storage keys and StickyValues of the SDKs ---- */

extern void ea_pg_split_storage_key(const char *key, char **unit_id,
									char **id_type);
extern char *ea_pg_sticky_normalize(Jsonb *entry, const char *config,
									const char *context);

/* ---- ea_pg_persist.c: the persistent-assignment flow ---- */

typedef struct EaPersistCall
{
	ea_kind		kind;
	const char *name;
	const char *values_json;	/* UserPersistedValues text; NULL = none */
	bool		enforce_targeting;
	bool		enforce_overrides;
	Jsonb	   *user_jsonb;		/* the user, for its exposure (or user_json) */
	const char *user_json;		/* the user as JSON text; NULL: user_jsonb */
} EaPersistCall;

extern void ea_pg_persist_evaluate(const EaPersistCall *call, EaCoreGuard *guard);
extern const ea_user *ea_pg_persist_user(Jsonb *user, const EaPersistCall *call);

/* ---- ea_pg_exposure.c: exposure logging ---- */

extern bool ea_pg_log_exposures;
extern int	ea_pg_exposure_flush_interval;

extern void ea_pg_exposures_init(void);
extern void ea_pg_exposures_record(const ea_result *result, const char *user_json,
								   const char *parameter);
extern void ea_pg_exposures_persisted(const EaPersistCall *call,
									  const EaCoreGuard *guard);
extern int64 ea_pg_exposures_send_batch(int retry_count, char *error, size_t errlen);
extern long ea_pg_exposures_worker_flush(void);

#endif							/* EA_PG_H */
