/*-------------------------------------------------------------------------
 *
 * ea_sync.h
 *	  Pure C protocol logic of the spec and ID-list sync: what a
 *	  download_config_specs response says, whether it may replace the
 *	  document in force, the get_id_lists manifest, what to fetch for each
 *	  list, and which bytes of a Range response can be applied.
 *
 * No I/O and no PostgreSQL here; the sync worker (src/pg/ea_pg_sync.c)
 * makes the requests and stores the results.  Objects returned have a
 * matching *_free function.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_SYNC_H
#define EA_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ea_core.h"

/* ---- download_config_specs responses ---- */

#define EA_SYNC_CHECKSUM_MAX	127

typedef struct ea_dcs_info
{
	bool		has_updates;	/* false: {"has_updates": false} */
	int64_t		time;			/* "time" (0 when absent) */
	char		checksum[EA_SYNC_CHECKSUM_MAX + 1]; /* "" when absent */
} ea_dcs_info;

/*
 * What a response body says, without validating the specs (that is the
 * loader's job): a JSON object, whether it has updates, its time and
 * checksum.  Invalid JSON is EA_ERR_JSON; anything but an object, or a
 * "time" that is not a number, is EA_ERR_SPEC.
 */
extern ea_status ea_sync_dcs_inspect(const char *body, size_t len,
									 ea_dcs_info *out, ea_error *err);

typedef enum ea_dcs_decision
{
	EA_DCS_NO_UPDATES = 0,		/* the server has nothing newer */
	EA_DCS_UNCHANGED,			/* the same time and checksum as in force */
	EA_DCS_OLDER,				/* older than the document in force: refuse */
	EA_DCS_NEWER				/* load it */
} ea_dcs_decision;

/*
 * Decide about a response given the document in force (its time, 0 when
 * none, and its checksum, NULL or "" when unknown).  A document is never
 * replaced by an older one; the same time with a different checksum is
 * loaded (the server republished).
 */
extern ea_dcs_decision ea_sync_dcs_decide(const ea_dcs_info *info,
										  int64_t current_time,
										  const char *current_checksum);

/* ---- get_id_lists manifest ---- */

typedef struct ea_idlist_entry
{
	const char *name;
	const char *url;
	const char *file_id;		/* NULL when the manifest has none */
	int64_t		creation_time;
	int64_t		size;
} ea_idlist_entry;

typedef struct ea_idlist_manifest ea_idlist_manifest;

/*
 * Parse a get_id_lists response: an object of list name -> {name, url,
 * size, creationTime, fileID}.  Every entry is checked (url a string,
 * size and creationTime non-negative integers); one bad entry rejects the
 * whole manifest, so nothing is dropped because of a malformed response.
 * Entries are sorted by name.
 */
extern ea_status ea_idlist_manifest_parse(const char *body, size_t len,
										  ea_idlist_manifest **out,
										  ea_error *err);
extern size_t ea_idlist_manifest_count(const ea_idlist_manifest *m);
extern const ea_idlist_entry *ea_idlist_manifest_entry(const ea_idlist_manifest *m,
													   size_t i);
extern const ea_idlist_entry *ea_idlist_manifest_find(const ea_idlist_manifest *m,
													  const char *name);
extern void ea_idlist_manifest_free(ea_idlist_manifest *m);

/* What the sync knows about a list it has applied. */
typedef struct ea_idlist_state
{
	const char *file_id;		/* NULL when unknown */
	int64_t		creation_time;
	int64_t		size;			/* bytes of the file applied so far */
} ea_idlist_state;

typedef struct ea_idlist_plan
{
	bool		fetch;			/* request bytes from range_start */
	bool		reset;			/* empty the list before applying */
	int64_t		range_start;
} ea_idlist_plan;

/*
 * What to do for a manifest entry given the state (NULL: the sync has
 * never applied this list).  A new file (another fileID, created no
 * earlier) or a file shorter than what was applied means a reset and a
 * read from byte 0; a longer file means reading only the new bytes; an
 * entry for an older file than the one applied is ignored.
 */
extern void ea_idlist_plan_for(const ea_idlist_entry *entry,
							   const ea_idlist_state *state,
							   ea_idlist_plan *plan);

/* Which part of a Range response to apply. */
typedef struct ea_idlist_chunk
{
	bool		reset;			/* the body is the file from byte 0 */
	size_t		apply_len;		/* apply body[0 .. apply_len) */
	int64_t		new_size;		/* bytes applied once this is done */
} ea_idlist_chunk;

/*
 * Check the response to an ID-list read that asked for bytes from
 * range_start (plan->range_start) of a file the manifest says is
 * manifest_size bytes.  status is the HTTP status; content_range the
 * Content-Range header or NULL.
 *  - 206 must start exactly at range_start; 200 is the whole file (a
 *	  reset when range_start > 0).
 *  - The body must start with '+' or '-' (anything else is not an ID-list
 *	  file: an error page, a misdirected URL).
 *  - Only complete lines are applied: a body cut inside a line (a dropped
 *	  connection) applies up to its last newline, and the rest is read
 *	  again next time, unless it ends the file as the manifest describes.
 */
extern ea_status ea_idlist_chunk_check(long status, const char *content_range,
									   const char *body, size_t len,
									   const ea_idlist_plan *plan,
									   int64_t manifest_size,
									   ea_idlist_chunk *out, ea_error *err);

#endif							/* EA_SYNC_H */
