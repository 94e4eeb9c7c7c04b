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

#include "fmgr.h"
#include "utils/array.h"
#include "utils/snapshot.h"

#include "ea_core.h"

/* Longest list name and id hash the ID-list table accepts (its CHECKs). */
#define EA_PG_LIST_NAME_MAX		255
#define EA_PG_ID_HASH_MAX		15

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
	ea_user    *user;
	ea_result  *result;
	char	   *json;
} EaCoreGuard;

extern EaCoreGuard *ea_pg_guard_create(void);
extern void ea_pg_guard_release(EaCoreGuard *guard);

/* ---- ea_pg_storage.c: the extension-owned tables ---- */

extern bool ea_pg_storage_owns(Oid relid);
extern void ea_pg_storage_forget(void);
extern char *ea_pg_storage_read_specs(Snapshot snapshot);

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
extern bool ea_pg_cache_idlist_contains(void *arg, const char *list_name,
										const char *id_hash);

/* ---- ea_pg_iptable.c: the IP-to-country table ---- */

extern const ea_ip_table *ea_pg_ip_table(void);

#endif							/* EA_PG_H */
