/*-------------------------------------------------------------------------
 *
 * ea_pg_http.h
 *	  HTTP requests from a PostgreSQL process (the sync worker, a session
 *	  calling sync_config_specs(), the exposure sender) through libcurl's
 *	  multi interface, waiting on the process latch and the curl sockets
 *	  together.
 *
 * Usage (one request at a time per process; nothing is shared):
 *
 *		EaHttpRequest req = {0};
 *		EaHttpResponse resp;
 *		const char *headers[2] = {line1, line2};	-- from ea_http_header()
 *
 *		req.method = "POST";
 *		req.url = url;						-- may hold the secret
 *		req.log_url = "log_event";			-- how errors name it
 *		req.headers = headers;
 *		req.nheaders = 2;
 *		req.body = gzipped;					-- caller-compressed (zlib)
 *		req.body_len = gzipped_len;			-- add "Content-Encoding: gzip"
 *		req.timeout_ms = 10000;
 *		req.redact = secret;				-- removed from error text
 *		ea_pg_http_request(&req, &resp);
 *		if (ea_http_classify(resp.outcome, resp.status) == EA_HTTP_SUCCESS)
 *			... resp.body (palloc'd, NUL-terminated), resp.body_len ...
 *
 * Network failures never raise: they come back as resp.outcome (see
 * ea_http_outcome in ea_http.h) with a one-line resp.error that names the
 * request by log_url and holds no secret.  What can raise is what can
 * raise anywhere: CHECK_FOR_INTERRUPTS() while waiting (query cancel, a
 * statement timeout, SIGTERM: the transfer is torn down first, so a
 * SIGTERM or postmaster death ends the process at once however slow the
 * server is) and out-of-memory.
 *
 * The connection cache lives for the life of the process, so polling the
 * same host reuses its connection (TLS handshake once).
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_PG_HTTP_H
#define EA_PG_HTTP_H

#include "postgres.h"

#include "ea_http.h"

/* Defaults applied to zero fields of an EaHttpRequest. */
#define EA_PG_HTTP_DEFAULT_TIMEOUT_MS	30000
#define EA_PG_HTTP_DEFAULT_CONNECT_MS	10000
#define EA_PG_HTTP_DEFAULT_MAX_BODY		((size_t) 64 * 1024 * 1024)

typedef struct EaHttpRequest
{
	const char *method;			/* "GET" (default) or "POST" */
	const char *url;			/* may contain a secret: never shown */
	const char *log_url;		/* names the request in resp.error */
	const char *const *headers; /* "Name: value" lines */
	int			nheaders;
	const char *body;			/* POST body; may be NULL (empty) */
	size_t		body_len;
	long		timeout_ms;		/* the whole request */
	long		connect_timeout_ms; /* connecting (capped by timeout_ms) */
	size_t		max_body;		/* largest response body accepted */
	bool		stop_on_reload; /* end with EA_HTTP_INTERRUPTED on SIGHUP */
	const char *redact;			/* a secret to keep out of resp.error */
} EaHttpRequest;

typedef struct EaHttpResponse
{
	ea_http_outcome outcome;
	long		status;			/* HTTP status; 0 when none arrived */
	char	   *body;			/* palloc'd, NUL-terminated; NULL if none */
	size_t		body_len;
	char	   *content_range;	/* Content-Range value (palloc'd) or NULL */
	char	   *content_type;	/* Content-Type value (palloc'd) or NULL */
	char		error[256];		/* "" when outcome is EA_HTTP_COMPLETED */
	double		elapsed_ms;
} EaHttpResponse;

extern void ea_pg_http_request(const EaHttpRequest *req, EaHttpResponse *resp);

/* The libcurl version string, for diagnostics. */
extern const char *ea_pg_http_version(void);

#endif							/* EA_PG_HTTP_H */
