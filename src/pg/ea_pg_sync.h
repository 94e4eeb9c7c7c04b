/*-------------------------------------------------------------------------
 *
 * ea_pg_sync.h
 *	  The sync worker and the Statsig connection settings it shares with
 *	  the other senders (exposures).
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_PG_SYNC_H
#define EA_PG_SYNC_H

#include "postgres.h"

#include "ea_http.h"

/* Settings (see README "Settings"); URLs are reloadable (SIGHUP). */
extern char *ea_pg_sync_database;
extern char *ea_pg_server_secret_file;
extern char *ea_pg_specs_url;
extern char *ea_pg_id_lists_url;
extern char *ea_pg_log_event_url;
extern int	ea_pg_specs_sync_interval;
extern int	ea_pg_id_lists_sync_interval;
extern int	ea_pg_sync_timeout;

/* Define the settings; register the workers under shared_preload_libraries. */
extern void ea_pg_sync_init(void);

/*
 * Read the server secret from experiment_assign.server_secret_file into
 * out (EA_HTTP_SECRET_MAX + 1 bytes).  Never raises: on failure returns
 * false with a message in errbuf that holds neither the secret nor the
 * file's path (status views show it to anyone).
 */
extern bool ea_pg_read_server_secret(char *out, char *errbuf, size_t errsize);

/*
 * The headers every Statsig request carries, as Server Core sends them:
 * statsig-api-key, statsig-sdk-type, statsig-sdk-version and
 * statsig-server-session-id (one random id per process).  Fills lines
 * (each EA_HTTP_HEADER_MAX bytes) and returns how many; the first line
 * holds the secret, so never log them.
 */
/*
 * This process's statsig-server-session-id (a random UUID made on first
 * use; the same for every request of the process), e.g. for the
 * statsigMetadata.sessionID of a log_event body.
 */
extern const char *ea_pg_statsig_session_id(void);

#define EA_PG_STATSIG_HEADERS	4
extern int	ea_pg_statsig_headers(const char *secret,
								  char lines[][EA_HTTP_HEADER_MAX]);

#endif							/* EA_PG_SYNC_H */
