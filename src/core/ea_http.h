/*-------------------------------------------------------------------------
 *
 * ea_http.h
 *	  Pure C helpers for talking HTTP to Statsig: URL and header building,
 *	  secret handling, response classification and retry back-off.
 *
 * No I/O happens here (the PostgreSQL layer owns the libcurl handles, see
 * src/pg/ea_pg_http.h); everything is a function of its arguments, so it
 * is unit-tested without a server.  Every function that could see the
 * server secret keeps it out of what it reports: error messages name the
 * setting, never its value, and ea_http_redact() removes the secret from
 * any text that may have picked it up (a transport error, say).
 *
 *-------------------------------------------------------------------------
 */
#ifndef EA_HTTP_H
#define EA_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ea_core.h"

/* Longest server secret accepted (Statsig's keys are about 50 bytes). */
#define EA_HTTP_SECRET_MAX		512

/* Longest URL built from the settings and a secret. */
#define EA_HTTP_URL_MAX			4096

/* Longest "Name: value" header line built by ea_http_header(). */
#define EA_HTTP_HEADER_MAX		1024

/* What the SDK identifies itself as (statsig-sdk-type / -version). */
#define EA_HTTP_SDK_TYPE		"experiment_assign"

/*
 * Server Core's default endpoints (StatsigOptions specs_url, id_lists_url,
 * log_event_url).  The settings of the same names default to these.
 */
#define EA_HTTP_DEFAULT_SPECS_URL	"https://api.statsigcdn.com/v2/download_config_specs"
#define EA_HTTP_DEFAULT_ID_LISTS_URL	"https://statsigapi.net/v1/get_id_lists"
#define EA_HTTP_DEFAULT_LOG_EVENT_URL	"https://prodregistryv2.org/v1/log_event"

/*
 * Read a server secret from the contents of a secret file: surrounding
 * white space (a final newline) is dropped; what is left must be 1 to
 * EA_HTTP_SECRET_MAX printable ASCII bytes without spaces.  out must hold
 * EA_HTTP_SECRET_MAX + 1 bytes.  The error never quotes the contents.
 */
extern ea_status ea_http_secret_parse(const char *text, size_t len,
									  char *out, ea_error *err);

/*
 * Check a base URL setting: http:// or https://, a host, no white space,
 * control characters, query or fragment.  The error names what is wrong
 * without quoting the URL.
 */
extern ea_status ea_http_url_check(const char *url, ea_error *err);

/* True when url starts with https:// (case-insensitive). */
extern bool ea_http_url_is_https(const char *url);

/*
 * Percent-encode src (every byte but the RFC 3986 unreserved characters)
 * into out (size bytes, NUL-terminated).  Returns the length the full
 * encoding needs, excluding the NUL: the result is complete only when it
 * is smaller than size.
 */
extern size_t ea_http_encode(const char *src, char *out, size_t size);

/*
 * The download_config_specs URL Server Core requests:
 *	 {base}/{secret}.json[?sinceTime=N][&checksum=C]
 * base loses trailing slashes; secret and checksum are percent-encoded;
 * sinceTime is sent when since_time > 0, checksum when not NULL or empty.
 * With secret == NULL the secret is written as "<secret>", which gives the
 * loggable form of the same URL.  out holds EA_HTTP_URL_MAX bytes.
 */
extern ea_status ea_http_specs_url(char *out, const char *base,
								   const char *secret, int64_t since_time,
								   const char *checksum, ea_error *err);

/*
 * "Name: value" into out (EA_HTTP_HEADER_MAX bytes).  A name must be a
 * token and a value must hold no CR, LF or NUL (no header injection).
 */
extern ea_status ea_http_header(char *out, const char *name,
								const char *value, ea_error *err);

/* The byte range request of an incremental ID-list read: "bytes=N-". */
extern void ea_http_range_header(char *out, size_t size, int64_t from);

/*
 * A random (version 4) UUID as text from 16 random bytes, as Server Core's
 * statsig-server-session-id.  out holds 37 bytes.
 */
extern void ea_http_uuid(const uint8_t random[16], char *out);

/* How a finished request went. */
typedef enum ea_http_outcome
{
	EA_HTTP_COMPLETED = 0,		/* a response arrived; see its status */
	EA_HTTP_CONNECT_FAILED,		/* refused, unreachable, DNS, TLS */
	EA_HTTP_TIMED_OUT,			/* the request's time limit passed */
	EA_HTTP_TOO_LARGE,			/* the body exceeded the size limit */
	EA_HTTP_TRANSFER_FAILED,	/* cut off, malformed, decoding error */
	EA_HTTP_INTERRUPTED			/* a reload asked the caller to stop */
} ea_http_outcome;

/* What to do about a response or an outcome. */
typedef enum ea_http_class
{
	EA_HTTP_SUCCESS = 0,		/* 2xx: use the body */
	EA_HTTP_RETRY,				/* transient: 408, 425, 429, 5xx, transport */
	EA_HTTP_REFUSED				/* the server refused (other 4xx, 3xx) */
} ea_http_class;

extern ea_http_class ea_http_classify(ea_http_outcome outcome, long status);

/* A short lower-case description of an outcome, for status and logs. */
extern const char *ea_http_outcome_name(ea_http_outcome outcome);

/*
 * Delay before the next attempt after `failures` consecutive failures:
 * the interval itself when there were none, then doubling per failure up
 * to 8 times the interval and never beyond cap_ms (unless the interval
 * itself is longer).  Saturates instead of overflowing.
 */
extern int64_t ea_http_backoff_ms(int failures, int64_t interval_ms,
								  int64_t cap_ms);

/*
 * Replace every occurrence of secret in text (in place) with "<secret>"
 * (or fewer '*' when the secret is shorter than that), so a message that
 * picked up a URL can be shown.  A NULL or empty secret changes nothing.
 */
extern void ea_http_redact(char *text, const char *secret);

#endif							/* EA_HTTP_H */
