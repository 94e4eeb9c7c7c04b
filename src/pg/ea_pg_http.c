/*-------------------------------------------------------------------------
 *
 * ea_pg_http.c
 *	  HTTP requests through libcurl's multi interface, waited on with the
 *	  process latch (see ea_pg_http.h).
 *
 * libcurl tells us which sockets it wants watched (CURLMOPT_SOCKETFUNCTION)
 * and when it next needs a call (CURLMOPT_TIMERFUNCTION); each round of
 * the loop builds a WaitEventSet of the latch, postmaster death and those
 * sockets, waits at most until libcurl's timer, and feeds what happened
 * back to curl_multi_socket_action().  No libcurl call blocks, so the
 * process reacts to SIGTERM, SIGHUP, a query cancel or postmaster death as
 * soon as the latch is set.
 *
 * libcurl callbacks never raise: they copy into malloc'd buffers, and
 * everything PostgreSQL-specific (palloc of the result, interrupts)
 * happens in the loop, where a PG_TRY tears the transfer down on error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>

#include <curl/curl.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "utils/wait_event.h"

#include "ea_pg_http.h"

/* Sockets libcurl asked us to watch (one or two per transfer). */
#define EA_HTTP_MAX_SOCKETS		16

typedef struct EaHttpSocket
{
	curl_socket_t fd;
	int			what;			/* CURL_POLL_IN / _OUT / _INOUT */
} EaHttpSocket;

/* Per-process state: the multi handle keeps the connection cache. */
static CURLM *ea_http_multi = NULL;
static EaHttpSocket ea_http_sockets[EA_HTTP_MAX_SOCKETS];
static int	ea_http_nsockets = 0;
static long ea_http_timer_ms = -1;	/* -1: libcurl wants no timer */

/* The transfer in progress: filled by the callbacks (malloc only). */
typedef struct EaHttpTransfer
{
	char	   *body;
	size_t		len;
	size_t		cap;
	size_t		max;
	bool		too_large;
	bool		oom;
	char	   *content_range;
	char	   *content_type;
	char		errbuf[CURL_ERROR_SIZE];
} EaHttpTransfer;

static int
ea_http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
				  void *socketp)
{
	int			i;

	for (i = 0; i < ea_http_nsockets; i++)
		if (ea_http_sockets[i].fd == fd)
			break;
	if (what == CURL_POLL_REMOVE)
	{
		if (i < ea_http_nsockets)
			ea_http_sockets[i] = ea_http_sockets[--ea_http_nsockets];
		return 0;
	}
	if (i == ea_http_nsockets)
	{
		if (ea_http_nsockets == EA_HTTP_MAX_SOCKETS)
			return -1;			/* libcurl fails the transfer */
		ea_http_nsockets++;
	}
	ea_http_sockets[i].fd = fd;
	ea_http_sockets[i].what = what;
	return 0;
}

static int
ea_http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	ea_http_timer_ms = timeout_ms;
	return 0;
}

static size_t
ea_http_write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	EaHttpTransfer *t = (EaHttpTransfer *) userp;
	size_t		n = size * nmemb;

	if (n > t->max - t->len || t->len + n > t->max)
	{
		t->too_large = true;
		return 0;				/* CURLE_WRITE_ERROR */
	}
	if (t->len + n + 1 > t->cap)
	{
		size_t		cap = t->cap ? t->cap : 16384;
		char	   *grown;

		while (cap < t->len + n + 1)
			cap *= 2;
		if ((grown = realloc(t->body, cap)) == NULL)
		{
			t->oom = true;
			return 0;
		}
		t->body = grown;
		t->cap = cap;
	}
	memcpy(t->body + t->len, data, n);
	t->len += n;
	t->body[t->len] = '\0';
	return n;
}

/* Keep the value of a header line if it is the one named. */
static void
ea_http_keep_header(const char *line, size_t len, const char *name, char **slot)
{
	size_t		nlen = strlen(name);
	const char *v;
	const char *end = line + len;

	if (len <= nlen || pg_strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
		return;
	v = line + nlen + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	free(*slot);
	*slot = strndup(v, end - v);
}

static size_t
ea_http_header_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	EaHttpTransfer *t = (EaHttpTransfer *) userp;
	size_t		n = size * nmemb;

	/* a new status line (after a 100 Continue, say) starts afresh */
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
	{
		free(t->content_range);
		free(t->content_type);
		t->content_range = t->content_type = NULL;
	}
	ea_http_keep_header(data, n, "content-range", &t->content_range);
	ea_http_keep_header(data, n, "content-type", &t->content_type);
	return n;
}

static void
ea_http_transfer_free(EaHttpTransfer *t)
{
	free(t->body);
	free(t->content_range);
	free(t->content_type);
	t->body = t->content_range = t->content_type = NULL;
}

/* The multi handle, created on first use. */
static CURLM *
ea_http_get_multi(void)
{
	static bool global_done = false;

	if (!global_done)
	{
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			ereport(ERROR,
					(errcode(ERRCODE_SYSTEM_ERROR),
					 errmsg("could not initialise libcurl")));
		global_done = true;
	}
	if (ea_http_multi == NULL)
	{
		ea_http_multi = curl_multi_init();
		if (ea_http_multi == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not create a libcurl multi handle")));
		curl_multi_setopt(ea_http_multi, CURLMOPT_SOCKETFUNCTION, ea_http_socket_cb);
		curl_multi_setopt(ea_http_multi, CURLMOPT_TIMERFUNCTION, ea_http_timer_cb);
		curl_multi_setopt(ea_http_multi, CURLMOPT_MAXCONNECTS, 8L);
	}
	return ea_http_multi;
}

/* Map a finished transfer's libcurl code to an outcome. */
static ea_http_outcome
ea_http_outcome_of(CURLcode code, const EaHttpTransfer *t)
{
	switch (code)
	{
		case CURLE_OK:
			return EA_HTTP_COMPLETED;
		case CURLE_OPERATION_TIMEDOUT:
			return EA_HTTP_TIMED_OUT;
		case CURLE_COULDNT_RESOLVE_PROXY:
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_CONNECT:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_UNSUPPORTED_PROTOCOL:
			return EA_HTTP_CONNECT_FAILED;
		case CURLE_FILESIZE_EXCEEDED:
			return EA_HTTP_TOO_LARGE;
		case CURLE_WRITE_ERROR:
			return t->too_large ? EA_HTTP_TOO_LARGE : EA_HTTP_TRANSFER_FAILED;
		default:
			return EA_HTTP_TRANSFER_FAILED;
	}
}

/* Set the options of one request on a fresh easy handle. */
static struct curl_slist *
ea_http_setup(CURL *easy, const EaHttpRequest *req, EaHttpTransfer *t)
{
	struct curl_slist *list = NULL;
	struct curl_slist *grown;
	long		timeout = req->timeout_ms > 0 ? req->timeout_ms : EA_PG_HTTP_DEFAULT_TIMEOUT_MS;
	long		connect = req->connect_timeout_ms > 0 ? req->connect_timeout_ms
		: EA_PG_HTTP_DEFAULT_CONNECT_MS;
	int			i;

	for (i = 0; i < req->nheaders; i++)
	{
		if ((grown = curl_slist_append(list, req->headers[i])) == NULL)
			goto oom;
		list = grown;
	}
	/* no "Expect: 100-continue" round trip before a large POST */
	if ((grown = curl_slist_append(list, "Expect:")) == NULL)
		goto oom;
	list = grown;

	curl_easy_setopt(easy, CURLOPT_URL, req->url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, EA_HTTP_SDK_TYPE);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");	/* all built in */
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, Min(connect, timeout));
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) t->max);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, ea_http_write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, ea_http_header_cb);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->errbuf);
	if (req->method != NULL && pg_strcasecmp(req->method, "POST") == 0)
	{
		curl_easy_setopt(easy, CURLOPT_POST, 1L);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	}
	else
		curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
	return list;

oom:
	curl_slist_free_all(list);
	ereport(ERROR,
			(errcode(ERRCODE_OUT_OF_MEMORY),
			 errmsg("out of memory")));
	return NULL;				/* keep the compiler quiet */
}

/*
 * Wait for the latch, postmaster death or curl's sockets, at most
 * timeout_ms; feed socket events to libcurl.  Returns true when the latch
 * was set.
 */
static bool
ea_http_wait(CURLM *multi, long timeout_ms)
{
	WaitEventSet *set;
	WaitEvent	events[EA_HTTP_MAX_SOCKETS + 2];
	int			nevents;
	int			running;
	bool		latch = false;
	int			i;

	set = CreateWaitEventSet(CurrentMemoryContext, ea_http_nsockets + 2);
	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	if (IsUnderPostmaster)
		AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	for (i = 0; i < ea_http_nsockets; i++)
	{
		uint32		ev = 0;

		/* never hand a closed descriptor to the wait (it would raise) */
		if (fcntl(ea_http_sockets[i].fd, F_GETFD) < 0)
			continue;

		if (ea_http_sockets[i].what & CURL_POLL_IN)
			ev |= WL_SOCKET_READABLE;
		if (ea_http_sockets[i].what & CURL_POLL_OUT)
			ev |= WL_SOCKET_WRITEABLE;
		if (ev != 0)
			AddWaitEventToSet(set, ev, ea_http_sockets[i].fd, NULL, NULL);
	}
	nevents = WaitEventSetWait(set, timeout_ms, events, lengthof(events),
							   PG_WAIT_EXTENSION);
	FreeWaitEventSet(set);

	if (nevents == 0)
		curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
	for (i = 0; i < nevents; i++)
	{
		int			flags = 0;

		if (events[i].events & WL_LATCH_SET)
		{
			latch = true;
			continue;
		}
		if (events[i].events & WL_SOCKET_READABLE)
			flags |= CURL_CSELECT_IN;
		if (events[i].events & WL_SOCKET_WRITEABLE)
			flags |= CURL_CSELECT_OUT;
		if (flags != 0)
			curl_multi_socket_action(multi, events[i].fd, flags, &running);
	}
	return latch;
}

/* Copy a malloc'd string into the current memory context. */
static char *
ea_http_pstrdup(const char *s)
{
	return s ? pstrdup(s) : NULL;
}

void
ea_pg_http_request(const EaHttpRequest *req, EaHttpResponse *resp)
{
	CURLM	   *multi = ea_http_get_multi();
	CURL	   *volatile easy = NULL;
	struct curl_slist *volatile headers = NULL;
	EaHttpTransfer t;
	volatile bool added = false;
	CURLcode	code = CURLE_OK;
	bool		done = false;
	bool		interrupted = false;
	long		limit = req->timeout_ms > 0 ? req->timeout_ms : EA_PG_HTTP_DEFAULT_TIMEOUT_MS;
	instr_time	start;
	instr_time	now;

	memset(resp, 0, sizeof(*resp));
	memset(&t, 0, sizeof(t));
	t.max = req->max_body > 0 ? req->max_body : EA_PG_HTTP_DEFAULT_MAX_BODY;
	INSTR_TIME_SET_CURRENT(start);

	PG_TRY();
	{
		int			running;

		if ((easy = curl_easy_init()) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not create a libcurl handle")));
		headers = ea_http_setup(easy, req, &t);
		ea_http_timer_ms = -1;
		if (curl_multi_add_handle(multi, easy) != CURLM_OK)
			ereport(ERROR,
					(errcode(ERRCODE_SYSTEM_ERROR),
					 errmsg("could not start an HTTP request")));
		added = true;
		curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);

		while (!done)
		{
			CURLMsg    *msg;
			int			left;
			long		wait_ms;
			double		elapsed;

			while ((msg = curl_multi_info_read(multi, &left)) != NULL)
			{
				if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy)
				{
					code = msg->data.result;
					done = true;
				}
			}
			if (done)
				break;

			/* a guard of our own, should libcurl's time limit not fire */
			INSTR_TIME_SET_CURRENT(now);
			INSTR_TIME_SUBTRACT(now, start);
			elapsed = INSTR_TIME_GET_MILLISEC(now);
			if (elapsed > limit + 2000)
			{
				code = CURLE_OPERATION_TIMEDOUT;
				snprintf(t.errbuf, sizeof(t.errbuf), "no progress within the time limit");
				break;
			}

			if (ea_http_timer_ms == 0)
			{
				ea_http_timer_ms = -1;
				curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
				continue;
			}
			wait_ms = ea_http_timer_ms < 0 ? 1000 : Min(ea_http_timer_ms, 1000);
			if (ea_http_wait(multi, wait_ms))
			{
				ResetLatch(MyLatch);
				CHECK_FOR_INTERRUPTS();
				if (req->stop_on_reload && ConfigReloadPending)
				{
					interrupted = true;
					break;
				}
			}
		}
	}
	PG_CATCH();
	{
		if (added)
			curl_multi_remove_handle(multi, easy);
		if (easy != NULL)
			curl_easy_cleanup(easy);
		curl_slist_free_all(headers);
		ea_http_transfer_free(&t);
		PG_RE_THROW();
	}
	PG_END_TRY();

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	resp->elapsed_ms = INSTR_TIME_GET_MILLISEC(now);

	if (interrupted)
		resp->outcome = EA_HTTP_INTERRUPTED;
	else
		resp->outcome = ea_http_outcome_of(code, &t);
	if (resp->outcome == EA_HTTP_COMPLETED)
	{
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &resp->status);
		resp->body_len = t.len;
		resp->body = palloc(t.len + 1);
		if (t.len > 0)
			memcpy(resp->body, t.body, t.len);
		resp->body[t.len] = '\0';
		resp->content_range = ea_http_pstrdup(t.content_range);
		resp->content_type = ea_http_pstrdup(t.content_type);
	}
	else
	{
		const char *why = t.errbuf[0] ? t.errbuf : curl_easy_strerror(code);

		if (resp->outcome == EA_HTTP_INTERRUPTED)
			why = "a configuration reload was requested";
		else if (resp->outcome == EA_HTTP_TOO_LARGE)
			why = "the response body exceeds the size limit";
		else if (t.oom)
			why = "out of memory while receiving the response";
		snprintf(resp->error, sizeof(resp->error), "%s %s: %s: %s",
				 req->method ? req->method : "GET",
				 req->log_url ? req->log_url : "request",
				 ea_http_outcome_name(resp->outcome), why);
		ea_http_redact(resp->error, req->redact);
	}

	curl_multi_remove_handle(multi, easy);
	curl_easy_cleanup(easy);
	curl_slist_free_all(headers);
	ea_http_transfer_free(&t);
}

const char *
ea_pg_http_version(void)
{
	return curl_version();
}
